// The demo application run as a user runs it: `npm start` in a child process on a free port, then
// only HTTP. Deliveries are signed by the providers' own SDKs (`standardwebhooks`), never by
// Hookwarden's signer, so the demo is checked against what the providers send.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { DEMO_ENDPOINTS } from '../src/demo/demo-endpoints';
import { findProvider, signWebhook } from '../src/testing';
import { send, type HttpAnswer } from './support/http';
import { createTestDatabase, EmbeddedPostgres, withClient, type TestDatabase } from './support/postgres';

jest.setTimeout(120_000);

const REPO = resolve(__dirname, '..');

interface RunningDemo {
  readonly baseUrl: string;
  readonly port: number;
  output(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/** `npm start` with `env` on top of ours, minus the variables in `unset`; resolves once /health is 200. */
async function startDemo(env: Record<string, string>, unset: string[] = []): Promise<RunningDemo> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port), NO_COLOR: '1' };
  for (const name of unset) delete childEnv[name];
  // Its own process group, so that a stop reaches npm, its shell and node alike.
  const child = spawn('npm', ['start'], {
    cwd: REPO,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const demo: RunningDemo = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    output: () => output,
    stop: () => stopGroup(child, exited),
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The demo exited (${child.exitCode}):\n${output}`);
    const health = await send(demo.baseUrl, '/health', { method: 'GET' }).catch(() => undefined);
    // The banner follows the health check's readiness by a few milliseconds.
    if (health?.status === 200 && output.includes('webhook-signature:')) return demo;
    if (Date.now() > deadline) {
      await demo.stop();
      throw new Error(`The demo was not ready within 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * SIGTERM to the whole group (npm, its shell, node), then waits until every one of them is gone:
 * npm exits at once, node only after closing the app and stopping its embedded server.
 */
async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const group = -child.pid!;
  if (!signalGroup(group, 'SIGTERM')) return;
  const deadline = Date.now() + 20_000;
  while (signalGroup(group, 0)) {
    if (Date.now() > deadline) {
      signalGroup(group, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await exited;
}

/** Whether the group still had a process to signal. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(group, signal);
    return true;
  } catch {
    return false;
  }
}

/** The ready-to-paste curl of the banner, as method, headers and body. */
function printedCurl(output: string): { url: string; headers: Record<string, string>; body: string } {
  const start = output.indexOf('curl -i -X POST ');
  const end = output.indexOf('\n', output.indexOf("--data-raw '", start));
  expect(start).toBeGreaterThanOrEqual(0);
  const command = output.slice(start, end).replace(/\\\n/g, ' ');
  const url = /curl -i -X POST (\S+)/.exec(command)![1];
  const headers: Record<string, string> = {};
  for (const [, name, value] of command.matchAll(/-H '([^:']+): ([^']*)'/g)) headers[name] = value;
  const body = /--data-raw '([^']*)'/.exec(command)![1];
  return { url, headers, body };
}

function signedBy(secret: string, body: string) {
  const id = `msg_${randomBytes(8).toString('hex')}`;
  const at = new Date();
  return {
    id,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
  };
}

const admin = (demo: RunningDemo, token: string, method: string, path: string, body?: unknown): Promise<HttpAnswer> =>
  send(demo.baseUrl, `/webhooks/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('the demo on DATABASE_URL', () => {
  const token = `demo-token-${randomBytes(12).toString('hex')}`;
  const key = randomBytes(32).toString('base64');
  let db: TestDatabase;
  let dataDir: string;
  let demo: RunningDemo;

  beforeAll(async () => {
    db = await createTestDatabase('demo');
    dataDir = mkdtempSync(join(tmpdir(), 'hookwarden-demo-'));
    demo = await startDemo({
      DATABASE_URL: db.url,
      HOOKWARDEN_DEMO_DATA_DIR: dataDir,
      WEBHOOK_ADMIN_TOKEN: token,
      WEBHOOK_ENCRYPTION_KEY: key,
      META_VERIFY_TOKEN: 'meta-verify-from-env',
    });
  });

  afterAll(async () => {
    await demo?.stop();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /metrics, the webhooks health and the console (issue 18)', async () => {
    const health = await send(demo.baseUrl, '/health', { method: 'GET' });
    expect(health.json).toMatchObject({ info: { webhooks: { status: 'up', eventLog: { writable: true } } } });
    const metrics = await send(demo.baseUrl, '/metrics', { method: 'GET' });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('# TYPE hookwarden_deliveries_total counter');
    const login = await send(demo.baseUrl, '/webhooks/admin/console/login', { method: 'GET' });
    expect(login.status).toBe(200);
    expect(login.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('answers /health with the database up', async () => {
    const health = await send(demo.baseUrl, '/health', { method: 'GET' });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('prints the URLs and never the credentials the environment gave', () => {
    const output = demo.output();
    expect(output).toContain(`http://localhost:${demo.port}/health`);
    expect(output).toContain(`http://localhost:${demo.port}/webhooks/admin`);
    expect(output).toContain(`http://localhost:${demo.port}/webhooks/standard`);
    expect(output).toContain(`http://localhost:${demo.port}/webhooks/custom`);
    expect(output).toContain('STANDARD_WEBHOOK_SECRET');
    expect(output).not.toContain(token);
    expect(output).not.toContain(key);
    expect(output).not.toContain('WARNING: generated');
    expect(existsSync(join(dataDir, 'demo-credentials.json'))).toBe(false);
  });

  it('the printed curl delivers once, then is a duplicate', async () => {
    const curl = printedCurl(demo.output());
    expect(curl.url).toBe(`http://localhost:${demo.port}/webhooks/standard`);
    const path = new URL(curl.url).pathname;
    const first = await send(demo.baseUrl, path, { headers: curl.headers, body: curl.body });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ received: true });
    const again = await send(demo.baseUrl, path, { headers: curl.headers, body: curl.body });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true });
    const events = await admin(demo, token, 'GET', `/events?endpoint=standard&status=accepted`);
    expect(events.json.items.map((e: { messageId: string }) => e.messageId)).toContain(curl.headers['webhook-id']);
  });

  it('rotates a secret through the admin API; a delivery signed by standardwebhooks lands in /events', async () => {
    const rotated = await admin(demo, token, 'POST', '/endpoints/standard/secrets', { gracePeriodSeconds: 60 });
    expect(rotated.status).toBe(201);
    expect(rotated.json.secret).toMatch(/^whsec_/);
    const body = JSON.stringify({ type: 'invoice.paid', amount: 4200 });
    const delivery = signedBy(rotated.json.secret, body);
    const answer = await send(demo.baseUrl, '/webhooks/standard', { headers: delivery.headers, body });
    expect(answer.status).toBe(200);
    const events = await admin(demo, token, 'GET', '/events?endpoint=standard&limit=10');
    const event = events.json.items.find((e: { messageId: string }) => e.messageId === delivery.id);
    expect(event).toMatchObject({ status: 'accepted', secretVersion: rotated.json.version });
    const detail = await admin(demo, token, 'GET', `/events/${event.id}`);
    expect(Buffer.from(detail.json.bodyBase64, 'base64').toString()).toBe(body);
    expect(detail.json.headers['webhook-signature']).toBe('[redacted]');
  });

  it('lists every demo endpoint through the admin API', async () => {
    const endpoints = await admin(demo, token, 'GET', '/endpoints');
    expect(endpoints.status).toBe(200);
    const names = endpoints.json.map((e: { name: string }) => e.name);
    expect(names).toEqual(expect.arrayContaining(['standard', 'stripe', 'github', 'slack', 'meta', 'custom']));
    const meta = endpoints.json.find((e: { name: string }) => e.name === 'meta');
    expect(meta).toMatchObject({ provider: 'meta', challenge: 'token-echo' });
    expect(meta.namedSecrets).toEqual([{ name: 'verify-token', liveSecretVersions: [1] }]);
  });

  it('takes a Stripe signing secret through the admin API and accepts what the stripe SDK signs', async () => {
    const secret = `whsec_${randomBytes(24).toString('hex')}`;
    const set = await admin(demo, token, 'POST', '/endpoints/stripe/secrets', { secret });
    expect(set.status).toBe(201);
    expect(set.text).not.toContain(secret);
    const eventId = `evt_${randomBytes(12).toString('hex')}`;
    const payload = JSON.stringify({ id: eventId, object: 'event', type: 'payment_intent.succeeded' });
    const header = new Stripe('sk_test_demo').webhooks.generateTestHeaderString({ payload, secret });
    const answer = await send(demo.baseUrl, '/webhooks/stripe', {
      headers: { 'content-type': 'application/json', 'stripe-signature': header },
      body: payload,
    });
    expect(answer.status).toBe(200);
    const events = await admin(demo, token, 'GET', '/events?endpoint=stripe');
    expect(events.json.items[0]).toMatchObject({ provider: 'stripe', messageId: eventId, status: 'accepted' });
  });

  it('creates a tenant endpoint with the printed curl and serves it at /webhooks/tenants/:endpoint', async () => {
    const printed = /-d '(\{"name":"acme","provider":"stripe"\})' (\S+)\/webhooks\/admin\/endpoints/.exec(
      demo.output(),
    );
    expect(printed).not.toBeNull();
    const created = await admin(demo, token, 'POST', '/endpoints', JSON.parse(printed![1]));
    expect(created.status).toBe(201);
    const secret = created.json.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const eventId = `evt_${randomBytes(12).toString('hex')}`;
    const payload = JSON.stringify({ id: eventId, object: 'event', type: 'invoice.paid' });
    const header = new Stripe('sk_test_demo').webhooks.generateTestHeaderString({ payload, secret });
    const deliver = () =>
      send(demo.baseUrl, '/webhooks/tenants/acme', {
        headers: { 'content-type': 'application/json', 'stripe-signature': header },
        body: payload,
      });
    expect((await deliver()).status).toBe(200);
    const unknown = await send(demo.baseUrl, '/webhooks/tenants/nobody', { body: payload, headers: {} });
    expect([unknown.status, unknown.json?.code]).toEqual([404, 'unknown_endpoint']);
    expect((await admin(demo, token, 'DELETE', '/endpoints/acme')).status).toBe(204);
    expect((await deliver()).status).toBe(404);
  });

  it("answers Meta's subscription check with the verify token from META_VERIFY_TOKEN", async () => {
    const check = (verifyToken: string) =>
      send(demo.baseUrl, `/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${verifyToken}`, {
        method: 'GET',
      });
    const answer = await check('meta-verify-from-env');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('1158201444');
    expect((await check('wrong')).status).toBe(401);
  });

  it('verifies the custom endpoint HMAC described as data', async () => {
    const rotated = await admin(demo, token, 'POST', '/endpoints/custom/secrets', {});
    expect(rotated.json.secret).toMatch(/^[0-9a-f]{64}$/);
    const body = '{"kind":"custom.event"}';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', rotated.json.secret).update(`${timestamp}.${body}`).digest('hex');
    const id = `cus_${randomBytes(6).toString('hex')}`;
    const headers = {
      'content-type': 'application/json',
      'x-custom-id': id,
      'x-custom-timestamp': timestamp,
      'x-custom-signature': `sha256=${signature}`,
    };
    expect((await send(demo.baseUrl, '/webhooks/custom', { headers, body })).status).toBe(200);
    const tampered = await send(demo.baseUrl, '/webhooks/custom', { headers, body: body.replace('custom', 'forged') });
    expect(tampered.status).toBe(401);
    const events = await admin(demo, token, 'GET', '/events?endpoint=custom&status=accepted');
    // x-custom-id is not signed (the template is {timestamp}.{body}), so the event is deduplicated on
    // what is signed: sha256 of the signed timestamp and the body (issue 13 item 2).
    const key = 'sha256:' + createHash('sha256').update(`${timestamp}\n${body}`).digest('hex');
    expect(events.json.items[0]).toMatchObject({ provider: 'custom', messageId: key });
    // The provider's own id is still kept, in the stored headers.
    const detail = await admin(demo, token, 'GET', `/events/${events.json.items[0].id}`);
    expect(detail.json.headers['x-custom-id']).toBe(id);
  });

  it("answers Trello's HEAD check", async () => {
    const answer = await send(demo.baseUrl, '/webhooks/trello', { method: 'HEAD' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses a forged delivery with a code', async () => {
    const body = '{"type":"forged"}';
    const forged = signedBy(`whsec_${randomBytes(32).toString('base64')}`, body);
    const answer = await send(demo.baseUrl, '/webhooks/standard', { headers: forged.headers, body });
    expect(answer.status).toBe(401);
    expect(answer.json.code).toBe('no_matching_signature');
  });

  it('answers the custom endpoint declarative challenge once its verify token is set', async () => {
    const challenge = (verifyToken: string) =>
      send(demo.baseUrl, `/webhooks/custom?challenge=abc123&verify_token=${verifyToken}`, { method: 'GET' });
    expect((await challenge('nothing-set-yet')).status).toBe(401);
    const set = await admin(demo, token, 'POST', '/endpoints/custom/secrets?name=verify-token', {
      secret: 'my-verify-token',
    });
    expect(set.status).toBe(201);
    const answer = await challenge('my-verify-token');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('abc123');
    // Parameters named like Object.prototype's members are the sender's too; the rule still sees its challenge.
    for (const extra of ['constructor=x', '__proto__=x', 'toString=x', 'constructor=x&__proto__=y&toString=z']) {
      const withExtra = await send(
        demo.baseUrl,
        `/webhooks/custom?challenge=abc123&verify_token=my-verify-token&${extra}`,
        { method: 'GET' },
      );
      expect([extra, withExtra.status, withExtra.text]).toEqual([extra, 200, 'abc123']);
    }
  });

  it('answers an unknown route 404 not_found, echoing none of it', async () => {
    for (const [method, path] of [
      ['GET', '/nowhere-zq7'],
      ['GET', '/webhooks/standard'],
      ['POST', '/webhooks/zq7-unknown'],
    ]) {
      const answer = await send(demo.baseUrl, path, { method });
      expect([path, answer.status, answer.json]).toEqual([
        path,
        404,
        { statusCode: 404, code: 'not_found', message: expect.any(String) },
      ]);
      expect(answer.text).not.toContain('zq7');
    }
  });

  it('mounts the seed examples as data: the body-hash challenge and the token-echo handshake', async () => {
    const { json } = await admin(demo, token, 'POST', '/endpoints/seed-challenge/secrets', {});
    const challengeToken = randomBytes(16).toString('hex');
    const hash = createHmac('sha256', json.secret).update(challengeToken).digest('hex');
    const delivered = await send(demo.baseUrl, '/webhooks/seed-challenge', {
      headers: { 'content-type': 'application/json', 'x-challenge-token': challengeToken },
      body: JSON.stringify({ type: 'seed.event', challenge_hash: hash }),
    });
    expect([delivered.status, delivered.json]).toEqual([200, { received: true }]);
    await admin(demo, token, 'POST', '/endpoints/seed-handshake/secrets?name=verification-token', {
      secret: 'agreed-token-123',
    });
    const echoed = await send(demo.baseUrl, '/webhooks/seed-handshake', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ verification_token: 'agreed-token-123' }),
    });
    expect([echoed.status, echoed.text]).toEqual([200, 'agreed-token-123']);
  });

  // Every catalogue preset is mounted (issue 16 item 6): its key set through the admin API, one
  // delivery signed by nestjs-hookwarden/testing reaches the handler.
  it.each(DEMO_ENDPOINTS.filter((endpoint) => endpoint.provider).map((e) => [e.name, e.provider!] as const))(
    'mounts %s: a delivery signed with signWebhook() is received',
    async (name, id) => {
      const provider = findProvider(id)!;
      const key = provider.testKey();
      const set = await admin(demo, token, 'POST', `/endpoints/${name}/secrets`, { secret: key.secret });
      expect([name, set.status]).toEqual([name, 201]);
      const delivery = signWebhook(provider, {
        secret: key.signingKey,
        url: `http://localhost:${demo.port}/webhooks/${name}`,
      });
      const target = new URL(delivery.url!);
      const answer = await send(demo.baseUrl, target.pathname + target.search, {
        headers: { ...delivery.headers },
        body: delivery.body,
      });
      expect([name, answer.status, answer.json]).toEqual([name, 200, { received: true }]);
    },
  );
});

/** A base64 master key as the demo stores it, and in the other spellings a log could carry. */
/** The running cluster under `baseDir` takes `password` and refuses a client without it. */
async function expectPasswordOnly(baseDir: string, password: string): Promise<void> {
  const port = Number(readFileSync(join(baseDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[3]);
  const url = (credentials: string) => `postgres://${credentials}@127.0.0.1:${port}/postgres`;
  await expect(withClient(url('postgres'), (c) => c.query('SELECT 1'))).rejects.toThrow(/password/);
  await expect(withClient(url('postgres:wrong'), (c) => c.query('SELECT 1'))).rejects.toMatchObject({
    code: '28P01',
  });
  const n = await withClient(url(`postgres:${encodeURIComponent(password)}`), async (c) => {
    return (await c.query('SELECT 42 AS n')).rows[0].n;
  });
  expect(n).toBe(42);
  expect(statSync(join(baseDir, `.s.PGSQL.${port}`)).mode & 0o777).toBe(0o700);
}

function masterKeyForms(base64: string): string[] {
  const bytes = Buffer.from(base64, 'base64');
  return [base64, bytes.toString('base64url'), bytes.toString('hex'), base64.slice(0, 16)];
}

describe('the demo on its embedded PostgreSQL', () => {
  let dataDir: string;
  let demo: RunningDemo | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hookwarden-demo-embedded-'));
  });

  afterAll(async () => {
    await demo?.stop();
    // Should the demo not have stopped its server, stop it here rather than leave it running.
    const pidFile = join(dataDir, 'postgres', 'data', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
      await EmbeddedPostgres.attach(join(dataDir, 'postgres'), port).stop('immediate');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts without DATABASE_URL, generates and keeps its credentials, and stops its server', async () => {
    const started = Date.now();
    demo = await startDemo({ HOOKWARDEN_DEMO_DATA_DIR: dataDir }, [
      'DATABASE_URL',
      'WEBHOOK_ADMIN_TOKEN',
      'WEBHOOK_ENCRYPTION_KEY',
    ]);
    const startupMs = Date.now() - started;
    const kept = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'));
    expect(kept.WEBHOOK_ADMIN_TOKEN.length).toBeGreaterThanOrEqual(16);
    expect(Buffer.from(kept.WEBHOOK_ENCRYPTION_KEY, 'base64')).toHaveLength(32);
    const output = demo.output();
    expect(output).toContain('WARNING: generated by the demo');
    expect(output).toContain(`WEBHOOK_ADMIN_TOKEN=${kept.WEBHOOK_ADMIN_TOKEN}`);
    expect(output).toContain(join(dataDir, 'postgres'));
    // The master key is never printed, in no form: the output says where it is saved, once.
    for (const form of masterKeyForms(kept.WEBHOOK_ENCRYPTION_KEY)) expect(output).not.toContain(form);
    expect(output).toContain(
      `WEBHOOK_ENCRYPTION_KEY: a new master key, saved in ${join(dataDir, 'demo-credentials.json')}`,
    );

    // Its PostgreSQL takes only the generated password, kept in the 0600 file and never printed.
    expect(statSync(join(dataDir, 'demo-credentials.json')).mode & 0o777).toBe(0o600);
    expect(kept.EMBEDDED_POSTGRES_PASSWORD.length).toBeGreaterThanOrEqual(16);
    expect(output).not.toContain(kept.EMBEDDED_POSTGRES_PASSWORD);
    await expectPasswordOnly(join(dataDir, 'postgres'), kept.EMBEDDED_POSTGRES_PASSWORD);

    const rotated = await admin(demo, kept.WEBHOOK_ADMIN_TOKEN, 'POST', '/endpoints/standard/secrets', {});
    expect(rotated.status).toBe(201);
    const body = '{"type":"embedded"}';
    const delivery = signedBy(rotated.json.secret, body);
    expect((await send(demo.baseUrl, '/webhooks/standard', { headers: delivery.headers, body })).status).toBe(200);

    await demo.stop();
    demo = undefined;
    expect(existsSync(join(dataDir, 'postgres', 'data', 'postmaster.pid'))).toBe(false);

    // A restart reopens the same cluster with the same credentials: the rotated secret is still there.
    demo = await startDemo({ HOOKWARDEN_DEMO_DATA_DIR: dataDir }, [
      'DATABASE_URL',
      'WEBHOOK_ADMIN_TOKEN',
      'WEBHOOK_ENCRYPTION_KEY',
    ]);
    const again = demo.output();
    for (const form of masterKeyForms(kept.WEBHOOK_ENCRYPTION_KEY)) expect(again).not.toContain(form);
    expect(again).not.toContain('a new master key');
    // The admin token was printed on the start that made it; now only where it is kept.
    expect(again).not.toContain(kept.WEBHOOK_ADMIN_TOKEN);
    expect(again).toContain(`WEBHOOK_ADMIN_TOKEN: kept in ${join(dataDir, 'demo-credentials.json')} (not shown again)`);
    expect(again).toContain('Authorization: Bearer $WEBHOOK_ADMIN_TOKEN');
    expect(again).not.toContain(kept.EMBEDDED_POSTGRES_PASSWORD);
    await expectPasswordOnly(join(dataDir, 'postgres'), kept.EMBEDDED_POSTGRES_PASSWORD);
    const secrets = await admin(demo, kept.WEBHOOK_ADMIN_TOKEN, 'GET', '/endpoints/standard/secrets');
    expect(secrets.json[0]).toMatchObject({ version: rotated.json.version, status: 'active' });
    const events = await admin(demo, kept.WEBHOOK_ADMIN_TOKEN, 'GET', '/events?endpoint=standard');
    expect(events.json.items.map((e: { messageId: string }) => e.messageId)).toContain(delivery.id);
    await demo.stop();
    demo = undefined;
    // Reported, not asserted: the first start includes initdb and compiling the sources.
    console.info(`demo start on a fresh embedded PostgreSQL: ${startupMs} ms`);
  });
});

// A data directory from before the password: its cluster trusts loopback and the socket. The demo
// migrates it in place (password set, pg_hba.conf rewritten, restart), keeping its data.
describe('the demo on an embedded PostgreSQL made without a password', () => {
  let dataDir: string;
  let demo: RunningDemo | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'hookwarden-demo-trust-'));
    chmodSync(dataDir, 0o711); // as demoDataDir() makes it: the server's user passes through
  });

  afterAll(async () => {
    await demo?.stop();
    const pidFile = join(dataDir, 'postgres', 'data', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
      await EmbeddedPostgres.attach(join(dataDir, 'postgres'), port).stop('immediate');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sets the password and keeps the data', async () => {
    // What the demo made before: initdb with trust, the listening settings kept in the cluster.
    const baseDir = join(dataDir, 'postgres');
    const old = await EmbeddedPostgres.create({ baseDir, durable: true, maxConnections: 100 });
    await withClient(old.url(), async (c) => {
      await c.query(`ALTER SYSTEM SET listen_addresses = '127.0.0.1'`);
      await c.query(`ALTER SYSTEM SET unix_socket_directories = '${baseDir}'`);
      await c.query('CREATE TABLE from_before AS SELECT 7 AS n');
    });
    await old.stop();

    demo = await startDemo({ HOOKWARDEN_DEMO_DATA_DIR: dataDir }, [
      'DATABASE_URL',
      'WEBHOOK_ADMIN_TOKEN',
      'WEBHOOK_ENCRYPTION_KEY',
    ]);
    const kept = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8'));
    expect(demo.output()).not.toContain(kept.EMBEDDED_POSTGRES_PASSWORD);
    expect((await admin(demo, kept.WEBHOOK_ADMIN_TOKEN, 'GET', '/endpoints')).status).toBe(200);
    await expectPasswordOnly(baseDir, kept.EMBEDDED_POSTGRES_PASSWORD);
    const port = Number(readFileSync(join(baseDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[3]);
    const url = `postgres://postgres:${encodeURIComponent(kept.EMBEDDED_POSTGRES_PASSWORD)}@127.0.0.1:${port}/postgres`;
    expect(await withClient(url, async (c) => (await c.query('SELECT n FROM from_before')).rows[0].n)).toBe(7);
    await demo.stop();
    demo = undefined;
    expect(existsSync(join(baseDir, 'data', 'postmaster.pid'))).toBe(false);
  });
});
