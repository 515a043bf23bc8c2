// Consumer tests: the package as a user gets it (`npm pack` of a fresh build), installed with npm
// into small apps kept in test/consumers — a Nest 12 ESM app as `npx @nestjs/cli@12 new` makes it,
// and a Nest 10 CommonJS app — whose code is the README's tutorial (README blocks marked
// `<!-- consumer: <path> -->`). Each app is type-checked with its own TypeScript, started as a child
// process on Express and on Fastify against the real PostgreSQL, and sent signed deliveries signed
// here with node:crypto. Everything happens in a temp directory; the repository is not touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { readmeConsumerBlocks } from './readme-blocks';

jest.setTimeout(10 * 60_000);

const ROOT = join(__dirname, '..', '..');
const APPS = [{ name: 'nest12-esm' }, { name: 'nest10-cjs' }] as const;
/** The README blocks every app needs; deleting a marker must fail the test, not skip a file. */
const TUTORIAL_FILES = [
  'src/main.ts',
  'src/main-fastify.ts',
  'src/app.module.ts',
  'src/hooks/hooks.module.ts',
  'src/hooks/hooks.controller.ts',
];
const ENTRY = { express: 'dist/main.js', fastify: 'dist/main-fastify.js' } as const;

let work: string;
let tarball: string | undefined;
let packError: Error | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'hookwarden-consumers-'));
  chmodSync(work, 0o755);
  try {
    tarball = await packLibrary(work);
  } catch (error) {
    packError = error as Error;
  }
});

afterAll(() => {
  if (work && !process.env.HOOKWARDEN_KEEP_CONSUMERS) rmSync(work, { recursive: true, force: true });
});

it('packs the library (npm run build, npm pack)', () => {
  if (packError) throw packError;
  expect(existsSync(tarball!)).toBe(true);
});

it('finds every tutorial file in the README', () => {
  const blocks = readmeConsumerBlocks(join(ROOT, 'README.md'));
  expect([...blocks.keys()].sort()).toEqual(expect.arrayContaining(TUTORIAL_FILES));
});

describe.each(APPS)('$name', ({ name }) => {
  const appDir = () => join(work, name);
  let installed = false;
  let built = false;

  it('installs the packed package and its peers with npm install (no --legacy-peer-deps)', async () => {
    if (!tarball) throw new Error('the library was not packed');
    cpSync(join(__dirname, name), appDir(), { recursive: true });
    const result = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], appDir(), 300_000);
    expect(result).toMatchObject({ code: 0 });
    installed = true;
  });

  it("type-checks and builds the README's tutorial with the app's own tsconfig", async () => {
    if (!installed) throw new Error('not installed');
    for (const [path, code] of readmeConsumerBlocks(join(ROOT, 'README.md'))) {
      const file = join(appDir(), path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, code);
    }
    const tsc = join(appDir(), 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], appDir(), 180_000);
    expect(result).toMatchObject({ code: 0 });
    for (const entry of Object.values(ENTRY)) expect(existsSync(join(appDir(), entry))).toBe(true);
    built = true;
  });

  describe.each(['express', 'fastify'] as const)('on %s', (adapter) => {
    let db: TestDatabase;
    let app: StartedApp | undefined;
    const env = {
      WEBHOOK_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_ADMIN_TOKEN: randomBytes(24).toString('hex'),
      STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      SLACK_SIGNING_SECRET: randomBytes(16).toString('hex'),
    };

    beforeAll(async () => {
      db = await createTestDatabase(`consumer_${name}_${adapter}`);
    });

    afterAll(async () => {
      await app?.stop();
      await db?.drop();
    });

    it('starts against PostgreSQL (migrations run on start)', async () => {
      if (!built) throw new Error('not built');
      app = await startApp(appDir(), ENTRY[adapter], { ...env, DATABASE_URL: db.url });
    });

    it('accepts a signed Stripe delivery in the feature module, once', async () => {
      if (!app) throw new Error('not started');
      const eventId = `evt_${randomBytes(8).toString('hex')}`;
      const body = stripeEvent(eventId);
      const first = await post(app, '/webhooks/stripe', body, stripeHeaders(env.STRIPE_WEBHOOK_SECRET, body));
      expect(first.status).toBeGreaterThanOrEqual(200);
      expect(first.status).toBeLessThan(300);
      expect(JSON.parse(first.text)).toEqual({ received: true });
      // The handler ran with the parsed, typed payload (it logs type and id).
      await waitFor(() => app!.output().includes(`Stripe checkout.session.completed ${eventId}`), 5_000);

      const again = await post(app, '/webhooks/stripe', body, stripeHeaders(env.STRIPE_WEBHOOK_SECRET, body));
      expect(again.status).toBe(200);
      expect(JSON.parse(again.text)).toEqual({ received: true, duplicate: true });
    });

    it('refuses a wrong signature with 401 and a code, without running the handler', async () => {
      if (!app) throw new Error('not started');
      const eventId = `evt_${randomBytes(8).toString('hex')}`;
      const body = stripeEvent(eventId);
      const forged = await post(
        app,
        '/webhooks/stripe',
        body,
        stripeHeaders(`whsec_${randomBytes(32).toString('base64')}`, body),
      );
      expect(forged.status).toBe(401);
      expect(JSON.parse(forged.text)).toMatchObject({ statusCode: 401, code: 'no_matching_signature' });
      const unsigned = await post(app, '/webhooks/stripe', body, { 'content-type': 'application/json' });
      expect(unsigned.status).toBe(400);
      expect(JSON.parse(unsigned.text)).toMatchObject({ code: 'missing_header' });
      expect(app.output()).not.toContain(`Stripe checkout.session.completed ${eventId}`);
    });

    it("delivers the tutorial's `npx hookwarden send stripe` with the installed CLI", async () => {
      if (!app) throw new Error('not started');
      const eventId = `evt_${randomBytes(8).toString('hex')}`;
      const cli = join(appDir(), 'node_modules', '.bin', 'hookwarden');
      const sent = await run(
        cli,
        [
          'send',
          'stripe',
          '--url',
          `${app.baseUrl}/webhooks/stripe`,
          '--secret',
          env.STRIPE_WEBHOOK_SECRET,
          '--data',
          stripeEvent(eventId),
        ],
        appDir(),
        60_000,
      );
      expect(sent).toMatchObject({ code: 0 });
      await waitFor(() => app!.output().includes(`Stripe checkout.session.completed ${eventId}`), 5_000);
    });

    it("answers Slack's signed url_verification with the challenge", async () => {
      if (!app) throw new Error('not started');
      const challenge = randomBytes(24).toString('hex');
      const body = JSON.stringify({ token: 'x', challenge, type: 'url_verification' });
      const answer = await post(app, '/webhooks/slack', body, slackHeaders(env.SLACK_SIGNING_SECRET, body));
      expect(answer.status).toBe(200);
      expect(answer.text).toBe(challenge);
    });

    it('rotates the Stripe secret through the admin API; the new one verifies at once', async () => {
      if (!app) throw new Error('not started');
      const next = `whsec_${randomBytes(32).toString('base64')}`;
      const rotated = await post(
        app,
        '/webhooks/admin/endpoints/stripe/secrets',
        JSON.stringify({ secret: next, gracePeriodSeconds: 3600 }),
        {
          'content-type': 'application/json',
          authorization: `Bearer ${env.WEBHOOK_ADMIN_TOKEN}`,
        },
      );
      expect(rotated.status).toBe(201);
      const body = stripeEvent(`evt_${randomBytes(8).toString('hex')}`);
      const delivery = await post(app, '/webhooks/stripe', body, stripeHeaders(next, body));
      expect(delivery.status).toBeGreaterThanOrEqual(200);
      expect(delivery.status).toBeLessThan(300);
      const anonymous = await post(app, '/webhooks/admin/endpoints/stripe/secrets', '{}', {
        'content-type': 'application/json',
      });
      expect(anonymous.status).toBe(401);
      expect(JSON.parse(anonymous.text)).toMatchObject({ code: 'missing_admin_token' });
    });
  });
});

/** Builds the package in a copy of the repository and packs it: the tarball a user installs. */
async function packLibrary(into: string): Promise<string> {
  const pkg = join(into, 'package');
  const skip = new Set(['node_modules', '.git', 'dist', 'test', 'bench', 'coverage', '.data']);
  cpSync(ROOT, pkg, { recursive: true, filter: (src) => !skip.has(relative(ROOT, src).split('/')[0]) });
  symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir'); // the build's tools, not packed
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  // npm pack runs `prepack` itself; otherwise build first.
  if (!manifest.scripts?.prepack) expect(await run('npm', ['run', 'build'], pkg, 300_000)).toMatchObject({ code: 0 });
  const packed = await run('npm', ['pack', '--json', '--pack-destination', into], pkg, 300_000);
  expect(packed).toMatchObject({ code: 0 });
  const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string }>;
  const target = join(into, 'nestjs-hookwarden.tgz'); // the apps' package.json name this file
  renameSync(join(into, filename), target);
  return target;
}

interface RunResult {
  code: number | null;
  stdout: string;
  output: string;
}

/** Runs a command; the result carries its output so a failed expectation shows it. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, output: output.slice(-8000) });
    });
  });
}

/** Without npm's own variables: `npm test` sets npm_config_local_prefix and friends to this repo. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'INIT_CWD' && !key.startsWith('JEST_')) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

interface StartedApp {
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

async function startApp(cwd: string, entry: string, env: Record<string, string>): Promise<StartedApp> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [entry], {
    cwd,
    env: cleanEnv({ ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`the app exited during start-up:\n${output.slice(-6000)}`);
    // Any HTTP answer means it listens (GET on a POST route is a 404).
    const up = await fetch(`${baseUrl}/webhooks/stripe`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the app did not listen within 90 s:\n${output.slice(-6000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { baseUrl, output: () => output, stop };
}

async function post(app: StartedApp, path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${app.baseUrl}${path}`, { method: 'POST', body, headers });
  return { status: response.status, text: await response.text() };
}

function stripeEvent(id: string): string {
  return JSON.stringify({
    id,
    object: 'event',
    type: 'checkout.session.completed',
    data: { object: { id: 'cs_test_1', object: 'checkout.session' } },
  });
}

/** Stripe's scheme, written independently: `t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>`, keyed with the whole whsec_. */
function stripeHeaders(secret: string, body: string): Record<string, string> {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` };
}

/** Slack's scheme: `v0=<hex HMAC-SHA256(secret, "v0:ts:body")>` with the timestamp in its own header. */
function slackHeaders(secret: string, body: string): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
  return {
    'content-type': 'application/json',
    'x-slack-request-timestamp': ts,
    'x-slack-signature': `v0=${signature}`,
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
