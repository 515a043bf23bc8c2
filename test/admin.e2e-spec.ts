// The admin REST API end to end: every route over HTTP on Express and Fastify, with the in-memory
// stores and with the TypeORM storage on a real PostgreSQL, registered with forRoot and
// forRootAsync. Deliveries are signed by the `standardwebhooks` package, so a rotation is checked
// the way a provider would exercise it.
import { randomBytes } from 'node:crypto';
import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Logger,
  Post,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  type LoggerService,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Webhook } from 'standardwebhooks';
import {
  AuditLog,
  standardWebhooks,
  WebhookChallenge,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  WebhookVerificationError,
  type AuditEntry,
  type ChallengeStrategy,
  type VerifiedWebhook,
  type WebhookEndpointDefinition,
} from '../src';
import { generateStandardSecret } from '../src/core';
import { HOOKWARDEN_MIGRATIONS } from '../src/storage/typeorm';
import { ADAPTERS, startApp, type AdapterName, type RunningApp } from './support/apps';
import { send, type HttpAnswer } from './support/http';
import { createTestDatabase, type TestDatabase } from './support/postgres';

const TOKEN = `adm_${randomBytes(18).toString('base64url')}`;
const KEY = randomBytes(32).toString('base64');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const VERIFY_TOKEN = 'initial-verify-token';
const PREFIX = '/webhooks/admin';

/** Everything the app logs, to check that no secret or token ever reaches a log line. */
const logLines: string[] = [];
const capture: LoggerService = {
  log: (...args: unknown[]) => void logLines.push(args.map(String).join(' ')),
  error: (...args: unknown[]) => void logLines.push(args.map(String).join(' ')),
  warn: (...args: unknown[]) => void logLines.push(args.map(String).join(' ')),
  debug: (...args: unknown[]) => void logLines.push(args.map(String).join(' ')),
  verbose: (...args: unknown[]) => void logLines.push(args.map(String).join(' ')),
};
/** Every secret a test used or was given: none may appear in a log line or an audit entry. */
const secretsSeen = new Set<string>([TOKEN, KEY, SECRET, VERIFY_TOKEN]);

/** Meta-like: GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… echoes the challenge. */
const verifyTokenEcho: ChallengeStrategy = {
  kind: 'token-echo',
  signed: false,
  secretNames: ['verify-token'],
  detect: (request) => request.method === 'GET' && request.query['hub.mode'] === 'subscribe',
  respond: (request, context) => {
    const given = request.query['hub.verify_token'];
    const known = context.namedSecrets['verify-token'] ?? [];
    if (typeof given !== 'string' || !known.some((s) => String(s.value) === given)) {
      throw new WebhookVerificationError('challenge_verification_failed', 'The verify token does not match.');
    }
    return { status: 200, body: String(request.query['hub.challenge']) };
  },
};

const endpoints = (): Record<string, WebhookEndpointDefinition> => ({
  billing: standardWebhooks({ secret: SECRET }), // generates whsec_ secrets
  plain: { ...standardWebhooks({ secret: SECRET }), generateSecret: undefined }, // the generic fallback
  limits: standardWebhooks({ secret: SECRET }),
  events: standardWebhooks({ secret: SECRET }),
  meta: {
    ...standardWebhooks({ secret: SECRET }),
    provider: 'meta-like',
    challenge: verifyTokenEcho,
    namedSecrets: { 'verify-token': VERIFY_TOKEN, 'app-note': undefined },
  },
});

// One route per endpoint: @WebhookEndpoint is static metadata.
function hookRoute(name: string) {
  @Controller(`hooks/${name}`)
  @UseGuards(WebhookGuard)
  class Route {
    @Post()
    @HttpCode(200)
    @WebhookEndpoint(name)
    receive(@WebhookEvent() event: VerifiedWebhook) {
      return { version: event.secretVersion };
    }
  }
  return Route;
}

@Controller('hooks/meta')
@UseGuards(WebhookGuard)
class MetaController {
  @Get()
  @WebhookEndpoint('meta')
  @WebhookChallenge()
  verify() {
    return {};
  }
}

const controllers = [...['billing', 'plain', 'limits', 'events'].map(hookRoute), MetaController];

const typeOrm = (url: string) => ({
  type: 'postgres' as const,
  url,
  autoLoadEntities: true,
  migrations: HOOKWARDEN_MIGRATIONS,
  migrationsRun: true,
  logging: false,
});

type Storage = 'memory' | 'typeorm';
type Registration = 'forRoot' | 'forRootAsync';

function modules(storage: Storage, registration: Registration, url?: string): DynamicModule[] {
  const storageExtras = storage === 'typeorm' ? { storage: { type: 'typeorm' as const } } : {};
  const database = storage === 'typeorm' ? [TypeOrmModule.forRoot(typeOrm(url!))] : [];
  if (registration === 'forRoot') {
    return [
      ...database,
      WebhookModule.forRoot({
        ...storageExtras,
        admin: { token: TOKEN },
        encryptionKey: KEY,
        endpoints: endpoints(),
        eventLog: { maxDelayMs: 1 },
      }),
    ];
  }
  return [
    ...database,
    WebhookModule.forRootAsync({
      ...storageExtras,
      admin: true,
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ WEBHOOK_ADMIN_TOKEN: TOKEN })] })],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        admin: { token: config.getOrThrow<string>('WEBHOOK_ADMIN_TOKEN') },
        encryptionKey: KEY,
        endpoints: endpoints(),
        eventLog: { maxDelayMs: 1 },
      }),
    }),
  ];
}

function signed(body: string, secret: string, id = `msg_${randomBytes(8).toString('hex')}`) {
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

const deliver = (app: RunningApp, endpoint: string, secret: string, body = '{"type":"test"}', id?: string) =>
  send(app.baseUrl, `/hooks/${endpoint}`, { body, headers: signed(body, secret, id) });

function admin(
  app: RunningApp,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
): Promise<HttpAnswer> {
  return send(app.baseUrl, PREFIX + path, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** 400 validation_failed naming `field`, with its message. */
function expectInvalid(answer: HttpAnswer, field: string, message?: RegExp): void {
  expect(answer.status).toBe(400);
  expect(answer.json).toMatchObject({ statusCode: 400, code: 'validation_failed' });
  const entry = (answer.json.errors as Array<{ field: string; messages: string[] }>).find((e) => e.field === field);
  expect(entry).toBeDefined();
  expect(entry!.messages.length).toBeGreaterThan(0);
  if (message) expect(entry!.messages.join(' ')).toMatch(message);
  expect(answer.json.message).toEqual(expect.any(String));
}

async function eventually<T>(attempt: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(() => Logger.overrideLogger(capture));
afterAll(() => {
  Logger.overrideLogger(['log', 'error', 'warn']);
  const leaked = [...secretsSeen].filter((secret) => logLines.some((line) => line.includes(secret)));
  expect(leaked).toEqual([]);
});

const combos: Array<[Storage, Registration, AdapterName]> = [];
for (const storage of ['memory', 'typeorm'] as const) {
  for (const registration of ['forRoot', 'forRootAsync'] as const) {
    for (const adapter of ADAPTERS) combos.push([storage, registration, adapter]);
  }
}

describe.each(combos)('admin API with %s storage, %s, on %s', (storage, registration, adapter) => {
  let db: TestDatabase | undefined;
  let app: RunningApp;

  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase(`admin_${adapter}`);
    app = await startApp(adapter, modules(storage, registration, db?.url), controllers);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const audit = () => app.app.get<AuditLog>(AuditLog).recent(1000);

  describe('authentication', () => {
    // Three entries each: jest passes a `done` callback in place of missing row entries.
    const routes: Array<[string, string, unknown]> = [
      ['GET', '/endpoints', undefined],
      ['POST', '/endpoints/billing/secrets', {}],
      ['GET', '/endpoints/billing/secrets', undefined],
      ['DELETE', '/endpoints/billing/secrets/1', undefined],
      ['GET', '/events', undefined],
      ['GET', '/events/1', undefined],
    ];

    it.each(routes)('%s %s without a token is 401 missing_admin_token', async (method, path, body) => {
      const answer = await admin(app, method, path, body, {});
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({
        statusCode: 401,
        code: 'missing_admin_token',
        message: expect.any(String),
      });
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer /);
    });

    it.each(routes)('%s %s with a wrong token is 401 invalid_admin_token', async (method, path, body) => {
      const answer = await admin(app, method, path, body, { authorization: `Bearer ${TOKEN}x` });
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ statusCode: 401, code: 'invalid_admin_token' });
      expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it.each([`Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`, 'Bearer', 'Bearer a b', TOKEN])(
      'a malformed Authorization header (%#) is 401 malformed_admin_token',
      async (authorization) => {
        const answer = await admin(app, 'GET', '/endpoints', undefined, { authorization });
        expect(answer.status).toBe(401);
        expect(answer.json).toMatchObject({ statusCode: 401, code: 'malformed_admin_token' });
        expect(answer.text).not.toContain(TOKEN);
      },
    );

    it('accepts the scheme in any case', async () => {
      const answer = await admin(app, 'GET', '/endpoints', undefined, { authorization: `bearer ${TOKEN}` });
      expect(answer.status).toBe(200);
    });

    it('refusals change nothing and are not audited as actions', async () => {
      const before = (await audit()).length;
      await admin(app, 'POST', '/endpoints/limits/secrets', {}, { authorization: 'Bearer nope-nope-nope-nope' });
      expect((await audit()).length).toBe(before);
      const list = await admin(app, 'GET', '/endpoints/limits/secrets');
      expect(list.json).toHaveLength(1);
    });
  });

  describe('GET /endpoints', () => {
    it('lists each endpoint with provider, schemes, challenge kind, live versions and named secrets', async () => {
      const answer = await admin(app, 'GET', '/endpoints');
      expect(answer.status).toBe(200);
      const byName = Object.fromEntries((answer.json as Array<{ name: string }>).map((e) => [e.name, e]));
      expect(Object.keys(byName).sort()).toEqual(['billing', 'events', 'limits', 'meta', 'plain']);
      expect(byName.billing).toEqual({
        name: 'billing',
        provider: 'standard-webhooks',
        schemes: ['standard-webhooks'],
        challenge: null,
        liveSecretVersions: [1],
        namedSecrets: [],
      });
      expect(byName.meta).toMatchObject({
        provider: 'meta-like',
        challenge: 'token-echo',
        namedSecrets: [
          { name: 'verify-token', liveSecretVersions: [1] },
          { name: 'app-note', liveSecretVersions: [] },
        ],
      });
      expect(answer.text).not.toContain(SECRET);
      expect(answer.text).not.toContain(VERIFY_TOKEN);
    });
  });

  describe('secret rotation', () => {
    it('a generated secret is returned once, verifies at once; the old one until revoked', async () => {
      const rotated = await admin(app, 'POST', '/endpoints/billing/secrets', {});
      expect(rotated.status).toBe(201);
      // It carries a secret: no cache may keep it (nor any other answer of the admin API).
      expect(rotated.headers.get('cache-control')).toBe('no-store');
      expect((await admin(app, 'GET', '/endpoints')).headers.get('cache-control')).toBe('no-store');
      expect(rotated.json).toEqual({
        version: 2,
        secret: expect.stringMatching(/^whsec_/),
        createdAt: expect.any(String),
      });
      const generated = rotated.json.secret as string;
      secretsSeen.add(generated);

      expect((await deliver(app, 'billing', generated)).json).toEqual({ version: 2 });
      expect((await deliver(app, 'billing', SECRET)).json).toEqual({ version: 1 });

      const listed = await admin(app, 'GET', '/endpoints/billing/secrets');
      expect(listed.status).toBe(200);
      const withoutUse = listed.json.map(({ lastUsedAt: _, ...rest }: Record<string, unknown>) => rest);
      expect(withoutUse).toEqual([
        { version: 2, status: 'active', hint: generated.slice(-4), createdAt: expect.any(String) },
        {
          version: 1,
          status: 'expiring',
          hint: SECRET.slice(-4),
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
        },
      ]);
      // The grace is the default 24 h.
      const expiresAt = Date.parse(listed.json[1].expiresAt);
      expect(expiresAt - Date.now()).toBeGreaterThan(86_400_000 - 60_000);
      expect(listed.text).not.toContain(generated);
      expect((await admin(app, 'GET', '/endpoints')).text).not.toContain(generated);

      expect((await admin(app, 'DELETE', '/endpoints/billing/secrets/1')).status).toBe(204);
      const old = await deliver(app, 'billing', SECRET);
      expect(old.status).toBe(401);
      expect(old.json.code).toBe('no_matching_signature');
      expect((await deliver(app, 'billing', generated)).status).toBe(200);
      const after = await admin(app, 'GET', '/endpoints/billing/secrets');
      expect(after.json[1]).toMatchObject({ version: 1, status: 'revoked', revokedAt: expect.any(String) });
      // Revoking twice is idempotent.
      expect((await admin(app, 'DELETE', '/endpoints/billing/secrets/1')).status).toBe(204);
    });

    it('a supplied secret is not echoed; a grace of 0 ends the previous one at once', async () => {
      const supplied = generateStandardSecret();
      secretsSeen.add(supplied);
      const before = await admin(app, 'GET', '/endpoints/plain/secrets');
      const rotated = await admin(app, 'POST', '/endpoints/plain/secrets', { secret: supplied, gracePeriodSeconds: 0 });
      expect(rotated.status).toBe(201);
      expect(rotated.json).toEqual({ version: before.json.length + 1, createdAt: expect.any(String) });
      expect(rotated.text).not.toContain(supplied);
      expect((await deliver(app, 'plain', supplied)).status).toBe(200);
      expect((await deliver(app, 'plain', SECRET)).status).toBe(401);
      const listed = await admin(app, 'GET', '/endpoints/plain/secrets');
      expect(listed.json.map((v: { status: string }) => v.status)).toEqual(['active', 'expired']);
    });

    it('without generateSecret in the definition, generates 32 random bytes in hex', async () => {
      const rotated = await admin(app, 'POST', '/endpoints/plain/secrets', { gracePeriodSeconds: 60 });
      expect(rotated.status).toBe(201);
      expect(rotated.json.secret).toMatch(/^[0-9a-f]{64}$/);
      secretsSeen.add(rotated.json.secret);
      expect((await deliver(app, 'plain', rotated.json.secret)).status).toBe(200);
    });

    it('refuses a secret the endpoint scheme cannot use: 400 invalid_secret', async () => {
      const answer = await admin(app, 'POST', '/endpoints/plain/secrets', { secret: 'whsec_short' });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ statusCode: 400, code: 'invalid_secret' });
      expect(answer.text).not.toContain('whsec_short');
    });

    it('409 too_many_versions once ten older versions are live; revoking one makes room', async () => {
      const versions: number[] = [];
      let refused: HttpAnswer | undefined;
      for (let i = 0; i < 15 && !refused; i++) {
        const answer = await admin(app, 'POST', '/endpoints/limits/secrets', {});
        if (answer.status === 201) {
          versions.push(answer.json.version);
          secretsSeen.add(answer.json.secret);
        } else refused = answer;
      }
      expect(versions).toHaveLength(10);
      expect(refused!.status).toBe(409);
      expect(refused!.json).toMatchObject({ statusCode: 409, code: 'too_many_versions', message: expect.any(String) });
      expect((await admin(app, 'DELETE', '/endpoints/limits/secrets/1')).status).toBe(204);
      expect((await admin(app, 'POST', '/endpoints/limits/secrets', {})).status).toBe(201);
    });

    it('404 for an unknown endpoint, version or secret name', async () => {
      for (const [method, path, body] of [
        ['POST', '/endpoints/nope/secrets', {}],
        ['GET', '/endpoints/nope/secrets', undefined],
        ['DELETE', '/endpoints/nope/secrets/1', undefined],
      ] as const) {
        const answer = await admin(app, method, path, body);
        expect(answer.status).toBe(404);
        expect(answer.json).toMatchObject({ statusCode: 404, code: 'unknown_endpoint' });
      }
      for (const version of ['99', '0', 'abc', '1.5', '99999999999']) {
        const answer = await admin(app, 'DELETE', `/endpoints/events/secrets/${version}`);
        expect(answer.status).toBe(404);
        expect(answer.json).toMatchObject({ statusCode: 404, code: 'unknown_version' });
      }
      const named = await admin(app, 'POST', '/endpoints/billing/secrets?name=verify-token', {});
      expect(named.status).toBe(404);
      expect(named.json).toMatchObject({ code: 'unknown_secret_name' });
    });
  });

  describe('named secrets', () => {
    const challenge = (token: string) =>
      send(
        app.baseUrl,
        `/hooks/meta?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=c42`,
        {
          method: 'GET',
        },
      );

    it('rotates, lists and revokes a challenge secret by name, apart from the signing secret', async () => {
      expect((await challenge(VERIFY_TOKEN)).text).toBe('c42');

      const next = `next-${randomBytes(8).toString('hex')}`;
      secretsSeen.add(next);
      const rotated = await admin(app, 'POST', '/endpoints/meta/secrets?name=verify-token', {
        secret: next,
        gracePeriodSeconds: 0,
      });
      expect(rotated.status).toBe(201);
      expect(rotated.json).toEqual({ version: 2, createdAt: expect.any(String) });
      expect((await challenge(next)).text).toBe('c42');
      const old = await challenge(VERIFY_TOKEN);
      expect(old.status).toBe(401);
      expect(old.json.code).toBe('challenge_verification_failed');

      const generated = await admin(app, 'POST', '/endpoints/meta/secrets?name=verify-token', {});
      expect(generated.json.secret).toMatch(/^[0-9a-f]{64}$/);
      secretsSeen.add(generated.json.secret);
      expect((await challenge(generated.json.secret)).text).toBe('c42');

      const listed = await admin(app, 'GET', '/endpoints/meta/secrets?name=verify-token');
      expect(listed.json.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
        [3, 'active'],
        [2, 'expiring'],
        [1, 'expired'],
      ]);
      expect((await admin(app, 'DELETE', '/endpoints/meta/secrets/2?name=verify-token')).status).toBe(204);
      expect((await challenge(next)).status).toBe(401);

      // The signing secret is a separate series.
      const signing = await admin(app, 'GET', '/endpoints/meta/secrets');
      expect(signing.json).toHaveLength(1);
      const endpointsView = await admin(app, 'GET', '/endpoints');
      const meta = endpointsView.json.find((e: { name: string }) => e.name === 'meta');
      expect(meta.liveSecretVersions).toEqual([1]);
      expect(meta.namedSecrets[0]).toEqual({ name: 'verify-token', liveSecretVersions: [3] });

      // A name declared only in namedSecrets (no value yet) can be set.
      const note = await admin(app, 'POST', '/endpoints/meta/secrets?name=app-note', { secret: 'a-note-value-123' });
      expect(note.status).toBe(201);
      secretsSeen.add('a-note-value-123');

      const entries = (await audit()).filter((e) => e.details?.secretName === 'verify-token');
      expect(entries.map((e) => e.action)).toEqual(
        expect.arrayContaining(['secret.rotate', 'secret.list', 'secret.revoke']),
      );
    });

    it('refuses an undeclared or malformed name', async () => {
      const unknown = await admin(app, 'GET', '/endpoints/meta/secrets?name=page-token');
      expect(unknown.status).toBe(404);
      expect(unknown.json).toMatchObject({
        code: 'unknown_secret_name',
        message: expect.stringContaining('verify-token'),
      });
      expectInvalid(await admin(app, 'GET', '/endpoints/meta/secrets?name=Not_A_Name'), 'name');
    });
  });

  describe('validation', () => {
    it.each([
      [{ gracePeriodSeconds: -1 }, 'gracePeriodSeconds', /gracePeriodSeconds must not be less than 0/],
      [{ gracePeriodSeconds: 604_801 }, 'gracePeriodSeconds', /must not be greater than 604800/],
      [{ gracePeriodSeconds: 1.5 }, 'gracePeriodSeconds', /integer/],
      [{ gracePeriodSeconds: '60' }, 'gracePeriodSeconds', /integer/],
      [{ secret: '' }, 'secret', /longer than or equal to 1/],
      [{ secret: 42 }, 'secret', /must be a string/],
      [{ secret: 'x'.repeat(4097) }, 'secret', /shorter than or equal to 4096/],
      [{ foo: 1 }, 'body', /^1 unknown property in the body; accepted: gracePeriodSeconds, secret$/],
    ])('rotation body %j is 400 on %s', async (body, field, message) => {
      expectInvalid(await admin(app, 'POST', '/endpoints/limits/secrets', body), field, message);
    });

    it('a body that is not JSON is 400 with a code', async () => {
      const answer = await admin(app, 'POST', '/endpoints/limits/secrets', '{"secret":');
      expect(answer.status).toBe(400);
      expect(answer.json.code).toEqual(expect.any(String));
    });

    it('a JSON array or string body is 400 with a code', async () => {
      for (const body of ['[1]', '"text"']) {
        const answer = await admin(app, 'POST', '/endpoints/limits/secrets', body);
        expect(answer.status).toBe(400);
        expect(answer.json.code).toEqual(expect.any(String));
      }
    });

    it.each([
      ['limit=0', 'limit', /not be less than 1/],
      ['limit=501', 'limit', /not be greater than 500/],
      ['limit=ten', 'limit', /integer/],
      ['since=yesterday', 'since', /ISO 8601/],
      ['until=2024-13-01T00:00:00Z', 'until', /ISO 8601/],
      ['since=2025-01-02T00:00:00Z&until=2025-01-01T00:00:00Z', 'until', /later than since/],
      ['status=lost', 'status', /status must be one of/],
      ['reason=Not%20A%20Code', 'reason', /reason code/],
      ['endpoint=..%2Fetc', 'endpoint', /endpoint name/],
      [`cursor=${'a'.repeat(513)}`, 'cursor', /shorter than or equal to 512/],
      ['page=2', 'query', /^1 unknown property in the query; accepted: .*\blimit\b/],
      ['limit=1&limit=2', 'limit', /./],
    ])('GET /events?%s is 400 on %s', async (query, field, message) => {
      expectInvalid(await admin(app, 'GET', `/events?${query}`), field, message);
    });

    it('a cursor this API did not return is 400 invalid_cursor', async () => {
      for (const cursor of ['garbage', Buffer.from('v1.abc').toString('base64url'), 'bTEuMQ']) {
        const answer = await admin(app, 'GET', `/events?cursor=${cursor}`);
        if (answer.status === 200) continue; // a well-formed cursor of this store is fine
        expect(answer.status).toBe(400);
        expect(answer.json).toMatchObject({ statusCode: 400, code: 'invalid_cursor' });
      }
      const bad = await admin(app, 'GET', '/events?cursor=garbage');
      expect(bad.json).toMatchObject({ statusCode: 400, code: 'invalid_cursor' });
    });
  });

  describe('events', () => {
    let accepted: string[];

    beforeAll(async () => {
      accepted = [];
      for (let i = 0; i < 5; i++) {
        const id = `evt_${i}_${randomBytes(4).toString('hex')}`;
        expect((await deliver(app, 'events', SECRET, `{"n":${i}}`, id)).status).toBe(200);
        accepted.push(id);
      }
      for (let i = 0; i < 2; i++) {
        expect((await deliver(app, 'events', generateStandardSecret(), '{"forged":true}')).status).toBe(401);
      }
      // Rejections are recorded without holding up the answer: wait until both are stored.
      await eventually(async () => {
        const page = await admin(app, 'GET', '/events?endpoint=events&status=rejected');
        return page.json.items.length === 2 ? true : undefined;
      });
    });

    it('lists newest first with the summary fields', async () => {
      const answer = await admin(app, 'GET', '/events?endpoint=events&status=accepted');
      expect(answer.status).toBe(200);
      expect(answer.json.items.map((e: { messageId: string }) => e.messageId)).toEqual([...accepted].reverse());
      expect(answer.json.nextCursor).toBeUndefined();
      expect(answer.json.items[0]).toMatchObject({
        id: expect.any(String),
        endpoint: 'events',
        provider: 'standard-webhooks',
        messageId: accepted[4],
        status: 'accepted',
        receivedAt: expect.any(String),
        secretVersion: 1,
        method: 'POST',
        path: '/hooks/events',
        bodySize: 7,
        bodySha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    });

    it('filters by status, reason, since and until', async () => {
      const rejected = await admin(app, 'GET', '/events?endpoint=events&status=rejected&reason=no_matching_signature');
      expect(rejected.json.items).toHaveLength(2);
      expect(rejected.json.items[0]).toMatchObject({ status: 'rejected', reason: 'no_matching_signature' });
      const other = await admin(app, 'GET', '/events?endpoint=events&reason=timestamp_too_old');
      expect(other.json.items).toEqual([]);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect((await admin(app, 'GET', `/events?endpoint=events&since=${future}`)).json.items).toEqual([]);
      const past = '2000-01-01T00:00:00Z';
      expect((await admin(app, 'GET', `/events?endpoint=events&until=${past}`)).json.items).toEqual([]);
      const window = await admin(app, 'GET', `/events?endpoint=events&since=${past}&until=${future}`);
      expect(window.json.items).toHaveLength(7);
      const unknown = await admin(app, 'GET', '/events?endpoint=nowhere');
      expect(unknown.json).toEqual({ items: [] });
    });

    it('pages with a keyset cursor, without gaps or repeats', async () => {
      const all = (await admin(app, 'GET', '/events?endpoint=events')).json.items.map((e: { id: string }) => e.id);
      expect(all).toHaveLength(7);
      const paged: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const answer = await admin(
          app,
          'GET',
          `/events?endpoint=events&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(answer.status).toBe(200);
        paged.push(...answer.json.items.map((e: { id: string }) => e.id));
        cursor = answer.json.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(paged).toEqual(all);
    });

    it('GET /events/:id shows one event with redacted headers and its body', async () => {
      const [latest] = (await admin(app, 'GET', '/events?endpoint=events&status=accepted&limit=1')).json.items;
      const answer = await admin(app, 'GET', `/events/${latest.id}`);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ ...latest, bodyTruncated: false });
      expect(Buffer.from(answer.json.bodyBase64, 'base64').toString()).toBe('{"n":4}');
      expect(answer.json.headers['webhook-signature']).toBe('[redacted]');
      expect(answer.json.headers['webhook-id']).toBe(accepted[4]);
      expect(answer.json.headers['content-type']).toBe('application/json');
    });

    it('404 unknown_event for an id that is not there or not an id', async () => {
      for (const id of ['987654321', 'abc', '-1', 'x'.repeat(99)]) {
        const answer = await admin(app, 'GET', `/events/${id}`);
        expect(answer.status).toBe(404);
        expect(answer.json).toMatchObject({ statusCode: 404, code: 'unknown_event' });
      }
      // Longer path parameters are refused by Fastify itself (414) before routing.
      const long = await admin(app, 'GET', `/events/${'x'.repeat(300)}`);
      expect([404, 414]).toContain(long.status);
    });
  });

  // The app of the README's tutorial before its inbox step: no @OnWebhook handler, so the inbox
  // never starts. Its routes still answer (with TypeORM storage they answered 500: "not running").
  describe('jobs, without any @OnWebhook handler', () => {
    it('lists none, and finds no job by id', async () => {
      const listing = await admin(app, 'GET', '/jobs');
      expect([listing.status, listing.json]).toEqual([200, { items: [] }]);
      const one = await admin(app, 'GET', '/jobs/1');
      expect([one.status, one.json.code]).toEqual([404, 'unknown_job']);
    });
  });

  describe('audit', () => {
    it('records every action with its actor, never a secret', async () => {
      await admin(app, 'GET', '/endpoints');
      await admin(app, 'GET', '/events?limit=1');
      const entries: readonly AuditEntry[] = await audit();
      const actions = new Set(entries.map((e) => e.action));
      for (const action of [
        'endpoints.list',
        'secret.rotate',
        'secret.list',
        'secret.revoke',
        'events.list',
        'events.get',
      ]) {
        expect(actions).toContain(action);
      }
      expect(entries.every((e) => e.actor === 'admin-token')).toBe(true);
      const rotation = entries.find((e) => e.action === 'secret.rotate' && e.endpoint === 'billing');
      expect(rotation).toMatchObject({ secretVersion: 2, details: { generated: true, gracePeriodSeconds: 86_400 } });
      const revocation = entries.find((e) => e.action === 'secret.revoke' && e.endpoint === 'billing');
      expect(revocation).toMatchObject({ secretVersion: 1 });
      const text = JSON.stringify(entries);
      const leaked = [...secretsSeen].filter((secret) => text.includes(secret));
      expect(leaked).toEqual([]);
    });
  });
});

/** The app's own guard: `x-user` names the principal; anything else is refused. */
@Injectable()
class HeaderUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest();
    const user = request.headers['x-user'];
    if (user !== 'alice') return false;
    request.user = { id: 'alice' };
    return true;
  }
}

describe.each(ADAPTERS)('admin API behind an app-supplied guard on %s', (adapter) => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp(
      adapter,
      [WebhookModule.forRoot({ admin: { guard: HeaderUserGuard, prefix: '/ops/hooks/' }, endpoints: endpoints() })],
      [],
    );
  });
  afterAll(() => app?.close());

  const call = (headers: Record<string, string>, path = '/ops/hooks/endpoints') =>
    send(app.baseUrl, path, { method: 'GET', headers });

  it('admits what the guard admits, under the configured prefix, and audits its principal', async () => {
    const answer = await call({ 'x-user': 'alice' });
    expect(answer.status).toBe(200);
    expect(answer.json).toHaveLength(5);
    const [entry] = await app.app.get<AuditLog>(AuditLog).recent(1);
    expect(entry).toMatchObject({ actor: 'user:alice', action: 'endpoints.list' });
  });

  it('a refusal of the guard is 403 with a code; the bearer token is not a way in', async () => {
    const refused = await call({ 'x-user': 'mallory', authorization: `Bearer ${TOKEN}` });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ statusCode: 403, code: 'forbidden', message: expect.any(String) });
  });

  it('the default prefix is not mounted', async () => {
    const answer = await call({ 'x-user': 'alice' }, '/webhooks/admin/endpoints');
    expect(answer.status).toBe(404);
  });
});
