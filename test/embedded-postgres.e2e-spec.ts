// The embedded-server helper (tools/embedded-postgres.ts) wherever a user clones: as root with the
// package inside a directory only root can enter (the server runs as `postgres`, which could not
// reach its binaries: "spawnSync …/native/bin/initdb EACCES"), and as a normal user.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  EmbeddedPostgres,
  packageNativeDir,
  runnableNativeDir,
  serverUser,
  withClient,
} from '../tools/embedded-postgres';

const isRoot = process.getuid?.() === 0;
const PACKAGE = `@embedded-postgres/${platform()}-${arch()}`;

async function answers(server: EmbeddedPostgres): Promise<string> {
  return withClient(server.url(), async (client) => (await client.query('SELECT 6 * 7 AS n')).rows[0].n);
}

(isRoot ? describe : describe.skip)('as root, with the binaries in a directory only root can enter', () => {
  let privateDir: string;
  let nativeDir: string;
  const cleanup: string[] = [];

  beforeAll(() => {
    // Like a checkout in `mktemp -d` or /root/app: the package sits below a 0700 directory.
    privateDir = mkdtempSync(join(tmpdir(), 'hookwarden-private-checkout-'));
    cleanup.push(privateDir);
    const packageDir = join(privateDir, 'node_modules', PACKAGE);
    mkdirSync(dirname(packageDir), { recursive: true });
    execFileSync('cp', ['-a', dirname(packageNativeDir()), packageDir]);
    nativeDir = join(packageDir, 'native');
  }, 60_000);
  afterAll(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  function cacheRoot(mode = 0o755): string {
    const dir = mkdtempSync(join(tmpdir(), 'hookwarden-bin-cache-'));
    chmodSync(dir, mode);
    cleanup.push(dir);
    return dir;
  }

  it('reproduces the failure: the postgres user cannot run initdb there (EACCES)', () => {
    expect(statSync(privateDir).mode & 0o777).toBe(0o700);
    const run = spawnSync(join(nativeDir, 'bin', 'initdb'), ['--version'], { ...serverUser(), cwd: '/' });
    expect((run.error as NodeJS.ErrnoException | undefined)?.code).toBe('EACCES');
  });

  it('starts a server from a readable copy, made once and reused', async () => {
    const root = cacheRoot();
    const server = await EmbeddedPostgres.create({ binaries: { nativeDir, cacheRoot: root } });
    try {
      expect(server.binDir.startsWith(root + '/')).toBe(true);
      expect(await answers(server)).toBe(42);
    } finally {
      await server.destroy();
    }
    const copy = dirname(server.binDir);
    const before = statSync(join(copy, 'bin', 'postgres')).mtimeMs;
    const again = await EmbeddedPostgres.create({ binaries: { nativeDir, cacheRoot: root } });
    try {
      expect(again.binDir).toBe(server.binDir);
      expect(statSync(join(copy, 'bin', 'postgres')).mtimeMs).toBe(before);
      expect(await answers(again)).toBe(42);
    } finally {
      await again.destroy();
    }
    // Readable by everyone, writable by root alone.
    expect(statSync(copy).mode & 0o777).toBe(0o755);
    expect(statSync(join(copy, 'bin', 'postgres')).mode & 0o022).toBe(0);
  }, 120_000);

  /** Every entry below `dir` with what makes it untrustworthy: not root's, writable by others, a link out. */
  function untrusted(dir: string): string[] {
    const bad: string[] = [];
    const visit = (path: string) => {
      const stat = lstatSync(path);
      if (stat.uid !== 0) bad.push(`${path}: uid ${stat.uid}`);
      if (stat.isSymbolicLink()) {
        const target = realpathSync(path);
        if (!target.startsWith(realpathSync(dir) + '/')) bad.push(`${path} -> ${target}`);
        return;
      }
      if (stat.mode & 0o022) bad.push(`${path}: mode ${(stat.mode & 0o777).toString(8)}`);
      if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    };
    visit(dir);
    return bad;
  }

  /** A copy of the package owned by `nobody`: a checkout of a normal user that root runs the tests in. */
  function packageOwnedByNobody(): string {
    const packageDir = join(privateDir, 'nobody', 'node_modules', PACKAGE);
    if (!existsSync(packageDir)) {
      mkdirSync(dirname(packageDir), { recursive: true });
      execFileSync('cp', ['-a', dirname(nativeDir), packageDir]);
      execFileSync('chown', ['-R', 'nobody:', join(privateDir, 'nobody')]);
    }
    return join(packageDir, 'native');
  }

  it("copies a normal user's package as root's: no entry of the copy stays theirs, no staging copy is left", () => {
    const nobodyNative = packageOwnedByNobody();
    expect(lstatSync(join(nobodyNative, 'bin', 'postgres')).uid).not.toBe(0);
    const root = cacheRoot();
    const dir = runnableNativeDir({ nativeDir: nobodyNative, cacheRoot: root });
    expect(dirname(dir)).toBe(root);
    expect(untrusted(dir)).toEqual([]);
    expect(readdirSync(root)).toEqual([basename(dir)]);
  }, 60_000);

  // A stale copy (made by an older version, or by a normal user) or a planted one, tampered with in
  // one place only: below its top directory. A later run must neither run it nor pile up copies.
  const TAMPERING: Array<[string, (copy: string) => void]> = [
    ['its top folder writable by everyone', (copy) => chmodSync(copy, 0o777)],
    ['a binary owned by another user', (copy) => execFileSync('chown', ['nobody:', join(copy, 'bin', 'postgres')])],
    ['a group-writable library folder', (copy) => chmodSync(join(copy, 'lib'), 0o775)],
    [
      'initdb a symlink out of the tree',
      (copy) => {
        const outside = mkdtempSync(join(tmpdir(), 'hookwarden-planted-'));
        cleanup.push(outside);
        execFileSync('cp', [join(copy, 'bin', 'initdb'), join(outside, 'initdb')]);
        rmSync(join(copy, 'bin', 'initdb'));
        symlinkSync(join(outside, 'initdb'), join(copy, 'bin', 'initdb'));
      },
    ],
  ];

  it.each(TAMPERING)(
    'does not run a cached copy with %s; replaces it once, and the next run reuses the new copy',
    (_, tamper) => {
      const first = runnableNativeDir({ nativeDir, cacheRoot: cacheRoot() });
      const root = cacheRoot();
      const planted = join(root, basename(first));
      execFileSync('cp', ['-a', first, planted]);
      tamper(planted);
      expect(untrusted(planted)).not.toEqual([]);
      // Another source path is another run: the per-process memo does not answer it.
      const chosen = runnableNativeDir({ nativeDir: packageOwnedByNobody(), cacheRoot: root });
      expect(chosen).toBe(planted);
      expect(untrusted(chosen)).toEqual([]);
      const before = statSync(join(chosen, 'bin', 'postgres')).mtimeMs;
      expect(runnableNativeDir({ nativeDir: `${nativeDir}/`, cacheRoot: root })).toBe(chosen);
      expect(statSync(join(chosen, 'bin', 'postgres')).mtimeMs).toBe(before);
      // The tampered tree is moved aside, never deleted as root (deleting a tree someone else can
      // write can be raced into deleting elsewhere), and nothing else is left.
      const entries = readdirSync(root).sort();
      expect(entries).toHaveLength(2);
      expect(entries[0]).toBe(basename(chosen));
      expect(entries[1]).toMatch(new RegExp(`^${basename(chosen).replace(/\./g, '\\.')}\\.untrusted-`));
    },
    60_000,
  );

  it('says when the postgres user cannot reach the cache folder, and leaves no copy there', () => {
    const root = cacheRoot(0o700);
    expect(() => runnableNativeDir({ nativeDir, cacheRoot: root })).toThrow(
      `The postgres user cannot reach ${root}, where the PostgreSQL binaries would be copied`,
    );
    expect(readdirSync(root)).toEqual([]);
  }, 60_000);

  it('runs the package in place when postgres can reach it (no copy)', () => {
    expect(runnableNativeDir()).toBe(packageNativeDir());
  });
});

describe('as a normal user', () => {
  it('runs the binaries in place, as that user', () => {
    // As root, a child process as `nobody` plays the normal user; otherwise this process is one.
    const script = `
      require('./scripts/ts-register.js');
      const { EmbeddedPostgres, withClient, packageNativeDir, runnableNativeDir } = require('./tools/embedded-postgres.ts');
      (async () => {
        const server = await EmbeddedPostgres.create();
        try {
          const n = await withClient(server.url(), async (c) => (await c.query('SELECT current_user AS u, 6 * 7 AS n')).rows[0]);
          process.stdout.write(JSON.stringify({ ...n, inPlace: runnableNativeDir() === packageNativeDir() }));
        } finally {
          await server.destroy();
        }
      })().catch((e) => { console.error(e); process.exit(1); });
    `;
    const nobody = isRoot ? Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim()) : undefined;
    const nogroup = isRoot ? Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim()) : undefined;
    const output = execFileSync(process.execPath, ['-e', script], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: '/tmp', HOME: '/tmp' },
      ...(isRoot ? { uid: nobody, gid: nogroup } : {}),
      timeout: 80_000,
    });
    expect(JSON.parse(output)).toEqual({ u: 'postgres', n: 42, inPlace: true });
  }, 90_000);
});

// Loopback and the socket are reachable by every local user: with a password, nobody gets in
// without it (as root too: password authentication applies to every TCP client).
describe('with a password', () => {
  const password = randomBytes(18).toString('base64url');
  const servers: EmbeddedPostgres[] = [];
  afterAll(async () => {
    for (const server of servers) await server.destroy();
  });

  const bare = (server: EmbeddedPostgres) => `postgres://postgres@127.0.0.1:${server.port}/postgres`;
  const wrong = (server: EmbeddedPostgres) => `postgres://postgres:not-it@127.0.0.1:${server.port}/postgres`;
  const socketMode = (server: EmbeddedPostgres) =>
    statSync(join(server.baseDir, `.s.PGSQL.${server.port}`)).mode & 0o777;

  async function expectPasswordOnly(server: EmbeddedPostgres): Promise<void> {
    expect(await answers(server)).toBe(42);
    await expect(withClient(bare(server), (c) => c.query('SELECT 1'))).rejects.toThrow(/password/);
    await expect(withClient(wrong(server), (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: '28P01' });
    expect(socketMode(server)).toBe(0o700);
    expect(statSync(server.baseDir).mode & 0o777).toBe(0o700);
    expect(server.trustsConnections()).toBe(false);
    // What the review ran: another local user, on loopback, as postgres, without the password.
    if (isRoot) {
      const script = `
        const { Client } = require('pg');
        const c = new Client({ host: '127.0.0.1', port: ${server.port}, user: 'postgres' });
        c.connect().then(() => { console.log('connected'); process.exit(0); }, (e) => { console.log('refused: ' + e.message); process.exit(0); });
      `;
      const output = execFileSync(process.execPath, ['-e', script], {
        cwd: join(__dirname, '..'),
        encoding: 'utf8',
        uid: Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim()),
        gid: Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim()),
        timeout: 20_000,
      });
      expect(output).toMatch(/^refused: .*password/);
    }
  }

  it('a new cluster takes scram-sha-256 only, and its socket is the server user’s alone', async () => {
    const server = await EmbeddedPostgres.create({ password });
    servers.push(server);
    expect(server.url()).toBe(`postgres://postgres:${password}@127.0.0.1:${server.port}/postgres`);
    await expectPasswordOnly(server);
    // The password reached initdb in a file that is gone.
    expect(readdirSync(server.baseDir).filter((name) => name.startsWith('.pwfile'))).toEqual([]);
  }, 60_000);

  it('a cluster made with trust is migrated in place, its data kept', async () => {
    const old = await EmbeddedPostgres.create();
    servers.push(old);
    await withClient(old.url(), async (c) => {
      await c.query('CREATE TABLE kept AS SELECT 42 AS n');
      // As the demo's clusters keep them: a reopened cluster is started with its port only.
      await c.query(`ALTER SYSTEM SET listen_addresses = '127.0.0.1'`);
      await c.query(`ALTER SYSTEM SET unix_socket_directories = '${old.baseDir}'`);
    });
    expect(old.trustsConnections()).toBe(true);
    expect(await withClient(bare(old), async (c) => (await c.query('SELECT 1 AS n')).rows[0].n)).toBe(1);

    const server = EmbeddedPostgres.attach(old.baseDir, old.port, undefined, password);
    await server.requirePassword();
    await expectPasswordOnly(server);
    expect(await withClient(server.url(), async (c) => (await c.query('SELECT n FROM kept')).rows[0].n)).toBe(42);
  }, 60_000);
});
