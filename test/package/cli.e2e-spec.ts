import { spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, databaseUrl, withClient, type TestDatabase } from '../support/postgres';

// The shipped `hookwarden` command, spawned as a user runs it (node bin/hookwarden.js …): exit
// codes, what goes to stdout and to stderr, and the storage commands on a real PostgreSQL.
const ROOT = join(__dirname, '../..');
// Each run starts a Node.js process that compiles the CLI with SWC (~0.5 s on a busy machine).
jest.setTimeout(60_000);
const BIN = join(ROOT, 'bin/hookwarden.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bin with only the environment given (plus PATH), so no DATABASE_URL leaks in. */
function hookwarden(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('hookwarden CLI: help, version and usage mistakes', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the usage on stdout and exits 0', async (flag) => {
    const run = await hookwarden([flag]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    for (const command of ['send', 'challenge', 'migrate', 'revert', 'reencrypt', '--version']) {
      expect(run.stdout).toContain(command);
    }
  });

  it.each([['--version'], ['-v']])('%s prints the package version and exits 0', async (flag) => {
    const run = await hookwarden([flag]);
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('a typo is an unknown command on stderr, exit 2, nothing on stdout', async () => {
    const run = await hookwarden(['sned', 'stripe', '--url', 'http://127.0.0.1:9']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('unknown command: sned');
    expect(run.stderr).toContain('hookwarden --help');
  });

  it('no command prints the usage on stderr and exits 2', async () => {
    const run = await hookwarden([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: hookwarden');
  });

  it.each([
    [['send', 'stripe', '--url', 'http://127.0.0.1:9', '--secret', 'x', '--bogus'], "Unknown option '--bogus'"],
    [['send', 'stripe', '--secret', 'x'], 'send needs --url'],
    [['send', 'stripe', '--url', 'http://127.0.0.1:9'], 'send needs --secret'],
    [['send', 'nosuch', '--url', 'http://127.0.0.1:9', '--secret', 'x'], 'unknown provider for send: nosuch'],
    [['send', '--url', 'http://127.0.0.1:9'], 'send needs a provider'],
    [['challenge', 'nosuch', '--url', 'http://127.0.0.1:9'], 'no challenge for nosuch'],
    [['migrate', 'now'], 'migrate takes no arguments'],
  ])('%j is a usage mistake: exit 2 with the problem on stderr', async (args, message) => {
    const run = await hookwarden(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });
});

describe('hookwarden send', () => {
  let server: Server;
  let url: string;
  const received: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(received.length === 3 ? 400 : 200, { 'content-type': 'text/plain' }).end('got it');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** Stripe's scheme, written here from its documentation: HMAC-SHA256 of `${t}.${body}`, hex. */
  function stripeSignatureValid(header: string, body: Buffer, secret: string): boolean {
    const fields = new Map(header.split(',').map((part) => part.split('=') as [string, string]));
    const expected = createHmac('sha256', secret)
      .update(`${fields.get('t')}.`)
      .update(body)
      .digest();
    const given = Buffer.from(fields.get('v1') ?? '', 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  it('without --data sends a signed test event with a fresh evt_ id each time; 2xx exits 0, else 1', async () => {
    const secret = 'whsec_' + 'CliTestSecret0123456789abcdefXYZ'; // Stripe's format: 32 letters and digits
    const first = await hookwarden(['send', 'stripe', '--url', url, '--secret', secret]);
    const second = await hookwarden(['send', 'stripe', '--url', url, '--secret', secret]);
    expect(first).toEqual({ code: 0, stdout: '200 OK\ngot it\n', stderr: '' });
    expect(second.code).toBe(0);
    const ids = received.slice(0, 2).map(({ headers, body }) => {
      expect(headers['content-type']).toBe('application/json');
      expect(stripeSignatureValid(String(headers['stripe-signature']), body, secret)).toBe(true);
      return (JSON.parse(body.toString()) as { id: string }).id;
    });
    expect(ids[0]).toMatch(/^evt_[0-9a-f]{24}$/);
    expect(ids[1]).toMatch(/^evt_[0-9a-f]{24}$/);
    expect(ids[0]).not.toBe(ids[1]);

    const refused = await hookwarden(['send', 'stripe', '--url', url, '--secret', secret]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('400 Bad Request\ngot it\n');
  });

  it('with --data sends the bytes exactly as given', async () => {
    const data = '{"id":"evt_mine", "note":"Zoë"}';
    const run = await hookwarden(['send', 'stripe', '--url', url, '--secret', 'k', '--data', data]);
    expect(run.code).toBe(0);
    const last = received[received.length - 1];
    expect(last.body.toString('utf8')).toBe(data);
    expect(stripeSignatureValid(String(last.headers['stripe-signature']), last.body, 'k')).toBe(true);
  });

  it('a refused connection is a failure (exit 1), not a usage mistake, and says why (the cause, not "fetch failed")', async () => {
    // A port nothing listens on (one fetch allows: 9 is on its blocked list, "bad port").
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await hookwarden(['send', 'stripe', '--url', `http://127.0.0.1:${port}/x`, '--secret', 'k']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^hookwarden: /);
    expect(run.stderr).toContain('ECONNREFUSED');
    expect(run.stderr).toContain(`127.0.0.1:${port}`);
  });

  it('takes the secret from HOOKWARDEN_SECRET (kept out of the process list); --secret wins over it', async () => {
    const fromEnv = await hookwarden(['send', 'stripe', '--url', url, '--data', '{}'], {
      HOOKWARDEN_SECRET: 'env-key',
    });
    expect(fromEnv.code).toBe(0);
    let last = received[received.length - 1];
    expect(stripeSignatureValid(String(last.headers['stripe-signature']), last.body, 'env-key')).toBe(true);
    const both = await hookwarden(['send', 'stripe', '--url', url, '--data', '{}', '--secret', 'flag-key'], {
      HOOKWARDEN_SECRET: 'env-key',
    });
    expect(both.code).toBe(0);
    last = received[received.length - 1];
    expect(stripeSignatureValid(String(last.headers['stripe-signature']), last.body, 'flag-key')).toBe(true);
  });

  it.each([
    ['stripe', 'whsec_…'], // the README's placeholder
    ['stripe', 'whsec_tooShort1'],
    ['standard', 'whsec_not base64!'],
    ['standard', 'c2hvcnQ='], // bare base64 of 5 bytes: below the 24 the spec asks for
  ])(
    'send %s with a malformed secret is a usage mistake (exit 2), sends nothing, never quotes it',
    async (provider, secret) => {
      const before = received.length;
      const run = await hookwarden(['send', provider, '--url', url, '--secret', secret]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/secret/i);
      expect(run.stderr).not.toContain(secret);
      expect(received.length).toBe(before);
    },
  );

  it.each([
    ['a malformed URL', 'http://user:TOPSECRET@[::1'],
    ['a URL with credentials', 'http://user:TOPSECRET@127.0.0.1:9/x'],
  ])('%s is a usage mistake (exit 2) that never echoes the credentials', async (_, target) => {
    for (const command of ['send', 'challenge']) {
      const run = await hookwarden([command, 'stripe', '--url', target, '--secret', 'k']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--url');
      expect(run.stderr).not.toContain('TOPSECRET');
    }
  });
});

describe('hookwarden migrate | revert | reencrypt on PostgreSQL', () => {
  let db: TestDatabase;
  const tables = () =>
    withClient(db.url, async (client) => {
      const { rows } = await client.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_name LIKE 'webhook\\_%' ORDER BY 1",
      );
      return rows.map((row) => row.name);
    });

  beforeAll(async () => {
    db = await createTestDatabase('cli');
  });
  afterAll(() => db.drop());

  it('migrate runs the pending migrations once; revert undoes the last one, one at a time', async () => {
    const env = { DATABASE_URL: db.url };
    const migrated = await hookwarden(['migrate'], env);
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/^Ran Hookwarden\w+(, Hookwarden\w+)*\.\n$/);
    const names = migrated.stdout.slice('Ran '.length, -'.\n'.length).split(', ');
    expect(await tables()).toEqual(
      expect.arrayContaining(['webhook_audit', 'webhook_encryption_keys', 'webhook_events', 'webhook_secrets']),
    );

    expect(await hookwarden(['migrate'], env)).toEqual({ code: 0, stdout: 'Nothing to migrate.\n', stderr: '' });

    for (const name of [...names].reverse()) {
      expect(await hookwarden(['revert'], env)).toEqual({ code: 0, stdout: `Reverted ${name}.\n`, stderr: '' });
    }
    expect(await tables()).toEqual([]);
    expect(await hookwarden(['revert'], env)).toEqual({ code: 0, stdout: 'Nothing to revert.\n', stderr: '' });
  });

  it('reencrypt runs under the current key and never prints a key', async () => {
    const env = { DATABASE_URL: db.url };
    expect((await hookwarden(['migrate'], env)).code).toBe(0);
    const key = Buffer.alloc(32, 7).toString('base64');
    const keyring = JSON.stringify({ current: 'k2', keys: { k1: Buffer.alloc(32, 1).toString('base64'), k2: key } });
    const run = await hookwarden(['reencrypt'], { ...env, WEBHOOK_ENCRYPTION_KEYRING: keyring });
    expect(run).toEqual({ code: 0, stdout: 'Re-encrypted 0 secret version(s) under the current key.\n', stderr: '' });

    const shortKey = 'c2hvcnQta2V5LXRoYXQtbXVzdC1ub3QtbGVhaw==';
    const bad = await hookwarden(['reencrypt'], { ...env, WEBHOOK_ENCRYPTION_KEY: shortKey });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('must be exactly 32 bytes');
    expect(bad.stdout + bad.stderr).not.toContain(shortKey);

    const none = await hookwarden(['reencrypt'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('WEBHOOK_ENCRYPTION_KEYRING');
  });

  it('without DATABASE_URL: exit 2 saying so; an unreachable database: exit 1', async () => {
    const missing = await hookwarden(['migrate']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('DATABASE_URL is not set');

    const unreachable = new URL(databaseUrl());
    unreachable.port = '9';
    const down = await hookwarden(['migrate'], { DATABASE_URL: unreachable.toString() });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^hookwarden: .*ECONNREFUSED/);
  });
});
