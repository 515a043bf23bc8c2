// What a hostile review found in the storage and admin layers, end to end over real HTTP on Express
// and Fastify, with the in-memory stores and with the TypeORM storage on a real PostgreSQL (two
// instances on one database):
// - concurrent Asana handshakes: the first one wins, atomically; the others are refused;
// - hostile admin input: every malformed query or body field is a 4xx with a code, never a 500
//   nor a silent default;
// - unauthenticated challenges: a flood of them is written under a budget, each row bounded;
// - replays of a captured signed delivery: duplicates under a budget, never with their body, and
//   no stored row keeps a forged `x-hookwarden-*` header.
// Signatures are computed here with node:crypto, never by the code under test.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Controller, Get, Head, HttpCode, Logger, Post, UseGuards, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  asana,
  dropbox,
  standardWebhooks,
  trello,
  WebhookChallenge,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
} from '../src';
import { HOOKWARDEN_MIGRATIONS } from '../src/storage/typeorm';
import { ADAPTERS, startApp, type AdapterName, type RunningApp } from './support/apps';
import { send, type HttpAnswer } from './support/http';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { until } from './support/until';

const TOKEN = `adm_${randomBytes(18).toString('base64url')}`;
const KEY = randomBytes(32).toString('base64');
const STANDARD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const APP_SECRET = 'app-secret-for-body-hmacs';
const TRELLO_CALLBACK = 'https://api.example.com/hooks/trello';
/** The budget of stored challenge rows per endpoint and second in these apps. */
const CHALLENGES_PER_SECOND = 5;
/** The budget of stored duplicate rows per endpoint and second in these apps. */
const DUPLICATES_PER_SECOND = 3;

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  @Post('asana')
  @HttpCode(200)
  @WebhookEndpoint('asana')
  @WebhookChallenge()
  asana(@WebhookEvent() event: VerifiedWebhook) {
    return { version: event.secretVersion };
  }

  @Head('trello')
  @WebhookEndpoint('trello')
  @WebhookChallenge()
  trelloCheck() {
    return undefined;
  }

  @Get('dropbox')
  @WebhookEndpoint('dropbox')
  @WebhookChallenge()
  dropboxCheck() {
    return undefined;
  }

  @Post('billing')
  @HttpCode(200)
  @WebhookEndpoint('billing')
  billing(@WebhookEvent() event: VerifiedWebhook) {
    return { version: event.secretVersion };
  }
}

type Storage = 'memory' | 'typeorm';

function modules(storage: Storage, url?: string): DynamicModule[] {
  const options = {
    admin: { token: TOKEN },
    encryptionKey: KEY,
    endpoints: {
      asana: asana(),
      trello: trello({ secret: APP_SECRET, callbackUrl: TRELLO_CALLBACK }),
      dropbox: dropbox({ appSecret: APP_SECRET }),
      billing: standardWebhooks({ secret: STANDARD_SECRET }),
    },
    eventLog: { maxDelayMs: 1, challengesPerSecond: CHALLENGES_PER_SECOND, duplicatesPerSecond: DUPLICATES_PER_SECOND },
    inMemoryEventLog: { challengesPerSecond: CHALLENGES_PER_SECOND, duplicatesPerSecond: DUPLICATES_PER_SECOND },
  } as Parameters<typeof WebhookModule.forRoot>[0];
  if (storage === 'memory') return [WebhookModule.forRoot({ ...options, admin: { token: TOKEN } })];
  return [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url,
      autoLoadEntities: true,
      migrations: HOOKWARDEN_MIGRATIONS,
      migrationsRun: true,
      logging: false,
    }),
    WebhookModule.forRoot({ ...options, storage: { type: 'typeorm' } } as Parameters<typeof WebhookModule.forRoot>[0]),
  ];
}

function admin(app: RunningApp, method: string, path: string, body?: string): Promise<HttpAnswer> {
  return send(app.baseUrl, `/webhooks/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body,
  });
}

const hexHmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

beforeAll(() => Logger.overrideLogger(false));
afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

const combos: Array<[Storage, AdapterName]> = [];
for (const storage of ['memory', 'typeorm'] as const) for (const adapter of ADAPTERS) combos.push([storage, adapter]);

describe.each(combos)('with %s storage on %s', (storage, adapter) => {
  let db: TestDatabase | undefined;
  /** Two instances on one database with TypeORM; one with the in-memory stores. */
  let apps: RunningApp[];

  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase(`stsec_${adapter}`);
    apps = [await startApp(adapter, modules(storage, db?.url), [HooksController])];
    if (storage === 'typeorm') apps.push(await startApp(adapter, modules(storage, db!.url), [HooksController]));
  }, 60_000);

  afterAll(async () => {
    for (const app of apps ?? []) await app.close();
    await db?.drop();
  });

  it('of 20 concurrent Asana handshakes exactly one is answered 200, and its secret is the one stored', async () => {
    const secrets = Array.from({ length: 20 }, () => randomBytes(32).toString('hex'));
    const answers = await Promise.all(
      secrets.map((secret, i) =>
        send(apps[i % apps.length].baseUrl, '/hooks/asana', {
          headers: { 'x-hook-secret': secret, 'content-type': 'application/json' },
          body: '{}',
        }),
      ),
    );
    const won = answers.flatMap((answer, i) => (answer.status === 200 ? [i] : []));
    expect(won).toHaveLength(1);
    const winner = secrets[won[0]];
    expect(answers[won[0]].headers.get('x-hook-secret')).toBe(winner);
    for (const answer of answers.filter((_, i) => i !== won[0])) {
      expect(answer.status).toBe(409);
      expect(answer.json).toMatchObject({ statusCode: 409, code: 'handshake_refused' });
      expect(answer.headers.get('x-hook-secret')).toBeNull();
    }

    // One version is stored, and it is the winner's: deliveries signed with it pass on every
    // instance; those signed with any loser's secret do not.
    const listed = await admin(apps[0], 'GET', '/endpoints/asana/secrets');
    expect(listed.json).toEqual([expect.objectContaining({ version: 1, status: 'active', hint: winner.slice(-4) })]);
    const body = '{"events":[]}';
    for (const app of apps) {
      const delivery = await send(app.baseUrl, '/hooks/asana', {
        headers: { 'content-type': 'application/json', 'x-hook-signature': hexHmac(winner, body) },
        body,
      });
      expect(delivery.status).toBe(200);
      for (const loser of secrets.filter((s) => s !== winner).slice(0, 3)) {
        const forged = await send(app.baseUrl, '/hooks/asana', {
          headers: { 'content-type': 'application/json', 'x-hook-signature': hexHmac(loser, body) },
          body,
        });
        expect(forged.status).toBe(401);
      }
    }
  });
});

describe.each(combos)('a flood of unsigned challenges with %s storage on %s', (storage, adapter) => {
  let db: TestDatabase | undefined;
  let apps: RunningApp[];

  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase(`stflood_${adapter}`);
    apps = [await startApp(adapter, modules(storage, db?.url), [HooksController])];
    if (storage === 'typeorm') apps.push(await startApp(adapter, modules(storage, db!.url), [HooksController]));
  }, 60_000);

  afterAll(async () => {
    for (const app of apps ?? []) await app.close();
    await db?.drop();
  });

  async function listAll(endpoint: string): Promise<Array<Record<string, any>>> {
    const items: Array<Record<string, any>> = [];
    let cursor = '';
    for (;;) {
      const page = await admin(apps[0], 'GET', `/events?endpoint=${endpoint}&limit=500${cursor}`);
      expect(page.status).toBe(200);
      items.push(...page.json.items);
      if (!page.json.nextCursor) return items;
      cursor = `&cursor=${page.json.nextCursor}`;
    }
  }

  it.each([
    ['trello', 'HEAD', (i: number) => `/hooks/trello?junk=${i}-${'j'.repeat(2000)}`],
    ['dropbox', 'GET', (i: number) => `/hooks/dropbox?challenge=c${i}&junk=${'j'.repeat(2000)}`],
  ] as const)(
    '%s: 600 answered, a few bounded rows per second, the rest counted',
    async (endpoint, method, path) => {
      const total = 600;
      const junkHeaders: Record<string, string> = {};
      for (let h = 0; h < 12; h++) junkHeaders[`x-junk-${h}`] = `${h}`.repeat(1000);
      const started = Date.now();
      for (let i = 0; i < total; i += 50) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, (_, k) =>
            send(apps[(i + k) % apps.length].baseUrl, path(i + k), { method, headers: junkHeaders }),
          ),
        );
        // Every challenge is still answered: the budget limits what is written, not what is served.
        for (const answer of answers) expect(answer.status).toBe(200);
      }
      const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
      // The summaries are written by a one-second timer, then a batched insert: wait until every
      // request is accounted for (the exact total is asserted below: an overcount fails too).
      const challengeRows = async () => (await listAll(endpoint)).filter((r) => r.status === 'challenge');
      const counted = (rows: Array<Record<string, any>>) =>
        rows.reduce((n, r) => n + (r.occurrences === undefined ? 1 : r.occurrences), 0);
      let rows: Array<Record<string, any>> = [];
      await until(async () => counted((rows = await challengeRows())) >= total, 10_000);
      const single = rows.filter((r) => r.occurrences === undefined);
      expect(single.length).toBeLessThanOrEqual(apps.length * CHALLENGES_PER_SECOND * seconds);
      expect(single.length + rows.reduce((n, r) => n + (r.occurrences ?? 0), 0)).toBe(total);
      for (const row of single.slice(0, 10)) {
        const detail = await admin(apps[0], 'GET', `/events/${row.id}`);
        expect(detail.status).toBe(200);
        expect(detail.json.path.length).toBeLessThanOrEqual(512);
        expect(JSON.stringify(detail.json.headers).length).toBeLessThanOrEqual(6 * 1024);
        expect(detail.json.headers['x-hookwarden-truncated']).toEqual(expect.any(String));
      }
    },
    60_000,
  );
});

describe.each(combos)('replays of a signed delivery with %s storage on %s', (storage, adapter) => {
  let db: TestDatabase | undefined;
  let apps: RunningApp[];

  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase(`streplay_${adapter}`);
    apps = [await startApp(adapter, modules(storage, db?.url), [HooksController])];
    if (storage === 'typeorm') apps.push(await startApp(adapter, modules(storage, db!.url), [HooksController]));
  }, 60_000);

  afterAll(async () => {
    for (const app of apps ?? []) await app.close();
    await db?.drop();
  });

  it('150 copies of a 60 KB delivery: one full row, a few body-less duplicate rows, the rest counted', async () => {
    // Signed here as Standard Webhooks specifies: HMAC-SHA256 of "id.timestamp.body", base64.
    const body = JSON.stringify({ type: 'invoice.paid', pad: 'p'.repeat(60_000) });
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const key = Buffer.from(STANDARD_SECRET.slice('whsec_'.length), 'base64');
    const signature = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
    const headers = {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': signature,
    };
    const first = await send(apps[0].baseUrl, '/hooks/billing', { headers, body });
    expect(first.status).toBe(200);
    const copies = 150;
    const forged = {
      ...headers,
      'x-hookwarden-summary': '9999 rejected requests',
      'x-hookwarden-truncated': 'cut: nothing',
    };
    const started = Date.now();
    for (let i = 0; i < copies; i += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          send(apps[(i + k) % apps.length].baseUrl, '/hooks/billing', { headers: forged, body }),
        ),
      );
      // Each copy of an acknowledged delivery is still answered 2xx (the provider stops retrying).
      for (const answer of answers) expect(answer.status).toBe(200);
    }
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    // The summaries are written by a one-second timer, then a batched insert: wait until every copy
    // is accounted for (the exact total is asserted below: an overcount fails too).
    let page!: HttpAnswer;
    await until(async () => {
      page = await admin(apps[0], 'GET', '/events?endpoint=billing&limit=500');
      expect(page.status).toBe(200);
      const duplicateRows: Array<Record<string, any>> = page.json.items.filter(
        (r: Record<string, any>) => r.status === 'duplicate',
      );
      const counted = duplicateRows.reduce((n, r) => n + (r.messageId !== undefined ? 1 : (r.occurrences ?? 1)), 0);
      return counted >= copies;
    }, 10_000);
    expect(page.status).toBe(200);
    // These apps received nothing else (a summary row has no message id: it counts many requests).
    const rows: Array<Record<string, any>> = page.json.items;
    const sha = createHash('sha256').update(body).digest('hex');
    expect(rows.filter((r) => r.status === 'accepted')).toEqual([
      expect.objectContaining({ bodySize: body.length, bodySha256: sha }),
    ]);
    const duplicates = rows.filter((r) => r.status === 'duplicate');
    // A copy's own row has its message id; a summary row has none (and shows `occurrences` only
    // when it counts more than one request).
    const single = duplicates.filter((r) => r.messageId !== undefined);
    const summaries = duplicates.filter((r) => r.messageId === undefined);
    for (const row of single) expect([row.messageId, row.occurrences]).toEqual([id, undefined]);
    expect(single.length).toBeGreaterThan(0);
    expect(single.length).toBeLessThanOrEqual(apps.length * DUPLICATES_PER_SECOND * seconds);
    expect(single.length + summaries.reduce((n, r) => n + (r.occurrences ?? 1), 0)).toBe(copies);
    for (const row of single) {
      const detail = await admin(apps[0], 'GET', `/events/${row.id}`);
      expect(detail.json).toMatchObject({
        bodySize: body.length,
        bodySha256: sha,
        bodyBase64: '',
        bodyTruncated: true,
      });
      expect(detail.json.headers['x-hookwarden-summary']).toBeUndefined();
      expect(detail.json.headers['x-hookwarden-truncated']).not.toBe('cut: nothing');
    }
  }, 60_000);
});

/** A request to the admin API that must be refused: method, path, and a raw body (with its type). */
interface HostileCase {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  /** The expected status; the code is checked to be a non-empty string. */
  readonly status: number;
  readonly code?: string;
}

const rotate = (name: string, body: string, contentType = 'application/json'): HostileCase => ({
  name: `rotating with ${name}`,
  method: 'POST',
  path: '/endpoints/billing/secrets',
  body,
  contentType,
  status: 400,
});
const listing = (name: string, query: string, code = 'validation_failed'): HostileCase => ({
  name: `listing events with ${name}`,
  method: 'GET',
  path: `/events?${query}`,
  status: 400,
  code,
});

const HOSTILE_ADMIN_INPUT: HostileCase[] = [
  // Only an absent secret means "generate one" (and show it once): null is not absent.
  { ...rotate('a null secret', '{"secret":null}'), code: 'validation_failed' },
  { ...rotate('a null grace period', '{"gracePeriodSeconds":null}'), code: 'validation_failed' },
  rotate('a null secret and a grace period', '{"secret":null,"gracePeriodSeconds":60}'),
  rotate('a numeric secret', '{"secret":12345678901234567890}'),
  rotate('a boolean secret', '{"secret":true}'),
  rotate('a secret in an array', '{"secret":["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]}'),
  rotate('a secret in an object', '{"secret":{"value":"x"}}'),
  rotate('an empty secret', '{"secret":""}'),
  rotate('a secret of 5,000 characters', JSON.stringify({ secret: 'a'.repeat(5000) })),
  rotate('a grace period as text', '{"gracePeriodSeconds":"60"}'),
  rotate('a fractional grace period', '{"gracePeriodSeconds":1.5}'),
  rotate('a negative grace period', '{"gracePeriodSeconds":-1}'),
  rotate('a grace period past 7 days', '{"gracePeriodSeconds":604801}'),
  rotate('a grace period of 1e400', '{"gracePeriodSeconds":1e400}'),
  rotate('a grace period of 1e20', '{"gracePeriodSeconds":1e20}'),
  rotate('a boolean grace period', '{"gracePeriodSeconds":true}'),
  rotate('a grace period in an array', '{"gracePeriodSeconds":[60]}'),
  rotate('an unknown field', '{"secrets":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}'),
  rotate('a __proto__ field', '{"__proto__":{"secret":"x"}}'),
  rotate('a constructor field', '{"constructor":{"prototype":{}}}'),
  rotate('a null body', 'null'),
  rotate('an array body', '[{"secret":"x"}]'),
  rotate('a string body', '"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"'),
  rotate('a number body', '42'),
  rotate('truncated JSON', '{"secret":'),
  // Nested 5,000 levels deep (10 KB): class-transformer recursed until the stack overflowed (a 500).
  {
    ...rotate('an unknown field nested 5,000 levels', `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    code: 'validation_failed',
  },
  {
    ...rotate('a secret nested 5,000 levels', `{"secret":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    code: 'validation_failed',
  },
  {
    ...rotate(
      'a grace period in objects nested 5,000 levels',
      `{"gracePeriodSeconds":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
    ),
    code: 'validation_failed',
  },
  {
    ...rotate('an unknown field beside a valid one', '{"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","x":1}'),
    code: 'validation_failed',
  },
  // Another type than JSON is not a silent "generate": the client meant to send something.
  rotate('a text/plain body', '{"secret":null}', 'text/plain'),
  rotate('a form body', 'secret=', 'application/x-www-form-urlencoded'),
  rotate('an octet-stream body', 'x', 'application/octet-stream'),
  {
    name: 'rotating with a secret name twice',
    method: 'POST',
    path: '/endpoints/billing/secrets?name=a&name=b',
    body: '{}',
    contentType: 'application/json',
    status: 400,
  },
  {
    name: 'rotating with an unknown query parameter',
    method: 'POST',
    path: '/endpoints/billing/secrets?grace=0',
    body: '{}',
    contentType: 'application/json',
    status: 400,
  },
  {
    name: 'rotating with an empty secret name',
    method: 'POST',
    path: '/endpoints/billing/secrets?name=',
    body: '{}',
    contentType: 'application/json',
    status: 400,
  },
  // Dates: strictly an RFC 3339 date-time (ISO 8601 profile) with an offset, and a real instant.
  listing('an ISO week date', 'since=2026-W01-1'),
  listing('a basic-format date-time', 'since=20260101T000000Z'),
  listing('an ordinal date', 'since=2026-001'),
  listing('a date without a time', 'since=2026-01-01'),
  listing('a date-time without an offset', 'since=2026-01-01T00:00:00'),
  listing('February 30th', 'since=2026-02-30T00:00:00Z'),
  listing('February 29th of a common year', 'until=2026-02-29T00:00:00Z'),
  listing('hour 24', 'since=2026-01-01T24:00:00Z'),
  listing('second 60', 'since=2026-01-01T00:00:60Z'),
  listing('an offset of +25:00', `since=${encodeURIComponent('2026-01-01T00:00:00+25:00')}`),
  listing('an expanded year', `since=${encodeURIComponent('+275760-09-13T00:00:00Z')}`),
  listing('year 0000', 'since=0000-01-01T00:00:00Z'),
  listing('a negative year', 'since=-000001-01-01T00:00:00Z'),
  listing('a 20-digit fraction', 'since=2026-01-01T00:00:00.12345678901234567890Z'),
  listing('an until ISO week date', 'until=2026-W01-1'),
  listing('since twice', 'since=2026-01-01T00:00:00Z&since=2026-01-02T00:00:00Z'),
  listing('an empty since', 'since='),
  listing('limit in hex', 'limit=0x10'),
  listing('limit with exponent', 'limit=1e2'),
  listing('limit with a sign', 'limit=%2B5'),
  listing('limit with spaces', 'limit=%205'),
  listing('an empty limit', 'limit='),
  listing('status twice', 'status=accepted&status=rejected'),
  listing('cursor twice', 'cursor=a&cursor=b'),
  listing('a cursor of another version', 'cursor=djIuMQ', 'invalid_cursor'),
  listing('a bracketed key', 'since[gt]=2026-01-01T00:00:00Z'),
  listing('a key nested in brackets', 'since[a][b][c][d][e][f]=2026-01-01T00:00:00Z'),
  listing('an unknown key', 'sinse=2026-01-01T00:00:00Z'),
  // Path parameters: never parsed leniently, never a 500.
  ...['0', '-1', '1e3', '0x1', '99999999999', '1.0'].map((version): HostileCase => ({
    name: `revoking version ${version}`,
    method: 'DELETE',
    path: `/endpoints/billing/secrets/${version}`,
    status: 404,
    code: 'unknown_version',
  })),
  // A NUL in any admin input is refused by the admin pipe before any store is asked.
  {
    name: 'revoking version %00',
    method: 'DELETE',
    path: '/endpoints/billing/secrets/%00',
    status: 400,
    code: 'validation_failed',
  },
  { name: 'reading event %00', method: 'GET', path: '/events/%00', status: 400, code: 'validation_failed' },
  ...['99999999999999999999', '9223372036854775808', '-1', '1e3', 'abc', 'a'.repeat(100)].map((id): HostileCase => ({
    name: `reading event ${id.slice(0, 24)}`,
    method: 'GET',
    path: `/events/${id}`,
    status: 404,
    code: 'unknown_event',
  })),
];

describe.each(combos)('hostile admin input with %s storage on %s', (storage, adapter) => {
  let db: TestDatabase | undefined;
  let app: RunningApp;

  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase(`stadm_${adapter}`);
    app = await startApp(adapter, modules(storage, db?.url), [HooksController]);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it.each(HOSTILE_ADMIN_INPUT.map((c) => [c.name, c] as const))('%s: 4xx with a code', async (_, c) => {
    const answer = await send(app.baseUrl, `/webhooks/admin${c.path}`, {
      method: c.method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(c.contentType ? { 'content-type': c.contentType } : {}) },
      body: c.body,
    });
    expect({ status: answer.status, json: answer.json }).toEqual({
      status: c.status,
      json: expect.objectContaining({ statusCode: c.status, code: c.code ?? expect.stringMatching(/^[a-z_]+$/) }),
    });
    expect(typeof answer.json.message).toBe('string');
  });

  // The names are the client's bytes: an answer that repeats them can be made to say anything.
  it('names no unknown property in the answer, only counts them', async () => {
    const names = ['PWN', 'Ignore_all_previous_instructions', '<img src=x onerror=alert(1)>', 'x'.repeat(40)];
    const body = JSON.stringify(Object.fromEntries(names.map((name) => [name, true])));
    const answers = [
      await admin(app, 'POST', '/endpoints/billing/secrets', body),
      await admin(app, 'POST', '/endpoints/billing/secrets', '{"__proto__":{"PWN":1},"PWN":1}'),
      await admin(app, 'GET', `/events?${names.map((name) => `${encodeURIComponent(name)}=1`).join('&')}`),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      // A `__proto__` key is parsed as JSON.parse does on both platforms: it reaches validation.
      expect(answer.json.code).toBe('validation_failed');
      for (const name of names) expect(answer.text).not.toContain(name);
      expect(answer.text).not.toContain('PWN');
      expect(answer.text).not.toContain('onerror');
    }
    expect(answers[2].json.code).toBe('validation_failed');
    expect(answers[0].json.errors).toEqual([
      { field: 'body', messages: ['4 unknown properties in the body; accepted: gracePeriodSeconds, secret'] },
    ]);
  });

  it('none of them changed the secrets', async () => {
    const listed = await admin(app, 'GET', '/endpoints/billing/secrets');
    expect(listed.json).toEqual([expect.objectContaining({ version: 1, status: 'active' })]);
  });

  it('an absent secret is generated and shown once; valid date-times with offsets are accepted', async () => {
    const rotated = await admin(app, 'POST', '/endpoints/billing/secrets', '{}');
    expect(rotated.status).toBe(201);
    expect(rotated.json.secret).toMatch(/^whsec_/);
    for (const since of ['2026-01-01T00:00:00Z', '2026-01-01T01:30:00.5+01:30', '2024-02-29T23:59:59.999-00:00']) {
      const answer = await admin(app, 'GET', `/events?since=${encodeURIComponent(since)}&limit=5`);
      expect(answer.status).toBe(200);
    }
  });
});
