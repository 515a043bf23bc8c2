// The TypeORM storage end to end: real Nest apps over HTTP (Express and Fastify, forRoot and
// forRootAsync) on a real PostgreSQL, deliveries signed with the `standardwebhooks` package.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Controller, HttpCode, Injectable, Logger, Module, Post, UseGuards, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { Webhook } from 'standardwebhooks';
import type { DataSource } from 'typeorm';
import {
  SecretStore,
  standardWebhooks,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
} from '../src';
// Not (yet) in the root barrel: imported from their files.
import { AuditLog } from '../src/storage/audit-log.interface';
import { EventLogReader } from '../src/storage/event-log.interface';
import {
  HOOKWARDEN_MIGRATIONS,
  TypeOrmEventLog,
  TypeOrmSecretStore,
  createHookwardenMigrations,
  hookwardenEntityList,
} from '../src/storage/typeorm';
import { ADAPTERS, startApp, type AdapterName, type RunningApp } from './support/apps';
import { send } from './support/http';
import {
  createTestDatabase,
  openDataSource,
  startPrivatePostgres,
  type EmbeddedPostgres,
  type TestDatabase,
} from './support/postgres';

const KEY = randomBytes(32).toString('base64');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEXT_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

@Injectable()
class Calls {
  readonly ids: string[] = [];
}

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  constructor(private readonly calls: Calls) {}

  @Post('billing')
  @HttpCode(202)
  @WebhookEndpoint('billing')
  onBilling(@WebhookEvent() event: VerifiedWebhook) {
    this.calls.ids.push(event.id!);
    return { version: event.secretVersion };
  }

  @Post('rotating')
  @HttpCode(202)
  @WebhookEndpoint('rotating')
  onRotating(@WebhookEvent() event: VerifiedWebhook) {
    this.calls.ids.push(event.id!);
    return { version: event.secretVersion };
  }
}

@Module({ providers: [Calls], exports: [Calls] })
class CallsModule {}

function signed(body: string, secret = SECRET, id = `msg_${randomBytes(8).toString('hex')}`) {
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

const endpoints = () => ({
  billing: standardWebhooks({ secret: SECRET }),
  rotating: standardWebhooks({ secret: SECRET }),
});

const typeOrm = (url: string) => ({
  type: 'postgres' as const,
  url,
  autoLoadEntities: true,
  migrations: HOOKWARDEN_MIGRATIONS,
  migrationsRun: true,
  logging: false,
});

const registrations: Record<string, (url: string, key?: string) => Array<DynamicModule>> = {
  forRoot: (url, key = KEY) => [
    TypeOrmModule.forRoot(typeOrm(url)),
    WebhookModule.forRoot({ storage: { type: 'typeorm' }, encryptionKey: key, endpoints: endpoints() }),
  ],
  forRootAsync: (url, key = KEY) => [
    TypeOrmModule.forRootAsync({ useFactory: () => typeOrm(url) }),
    WebhookModule.forRootAsync({
      storage: { type: 'typeorm' },
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ WEBHOOK_ENCRYPTION_KEY: key })] })],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        encryptionKey: config.getOrThrow<string>('WEBHOOK_ENCRYPTION_KEY'),
        endpoints: endpoints(),
        eventLog: { maxDelayMs: 1, writeTimeoutMs: 1000 },
        secretCache: { ttlMs: 60_000 },
      }),
    }),
  ],
};

const start = (adapter: AdapterName, modules: DynamicModule[]) =>
  startApp(adapter, [...modules, CallsModule], [HooksController]);

async function eventually<T>(attempt: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(() => Logger.overrideLogger(false));
afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

describe.each(ADAPTERS)('TypeORM storage on %s', (adapter) => {
  describe.each(Object.keys(registrations))('registered with %s, two instances on one database', (registration) => {
    let db: TestDatabase;
    let a: RunningApp;
    let b: RunningApp;
    let dataSource: DataSource;

    beforeAll(async () => {
      db = await createTestDatabase(`e2e_${adapter}_${registration}`);
      a = await start(adapter, registrations[registration](db.url));
      b = await start(adapter, registrations[registration](db.url));
      dataSource = a.app.get(getDataSourceToken());
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
      await db.drop();
    });

    const accepted = (id: string) =>
      dataSource.query(`SELECT status FROM webhook_events WHERE message_id = $1 ORDER BY id`, [id]);

    it('stores every delivery durably before the 2xx, and a redelivery as a duplicate', async () => {
      const body = JSON.stringify({ type: 'invoice.paid', n: 1 });
      const { id, headers } = signed(body);
      const first = await send(a.baseUrl, '/hooks/billing', { headers, body });
      expect([first.status, first.json]).toEqual([202, { version: 1 }]);
      const again = await send(b.baseUrl, '/hooks/billing', { headers, body });
      expect([again.status, again.json]).toEqual([200, { received: true, duplicate: true }]);
      expect((await accepted(id)).map((r: { status: string }) => r.status)).toEqual(['accepted', 'duplicate']);
      const refused = await send(a.baseUrl, '/hooks/billing', { headers, body: body + ' ' });
      expect(refused.status).toBe(401);
      // The admin API's reader sees the same rows, with redacted headers.
      const page = await eventually(async () => {
        const p = await a.app.get<EventLogReader>(EventLogReader).list({ endpoint: 'billing', limit: 3 });
        return p.items.length === 3 ? p : undefined;
      }, 2000);
      expect(page.items.map((e) => e.status)).toEqual(['rejected', 'duplicate', 'accepted']);
      expect(page.items[0]).toMatchObject({ reason: 'no_matching_signature', bodySize: body.length + 1 });
      expect(page.items[2].headers['webhook-signature']).not.toContain(headers['webhook-signature']);
    });

    it('accepts one of 50 concurrent deliveries of one message id across both instances', async () => {
      const body = '{"race":true}';
      const { id, headers } = signed(body);
      const calls = [a.app.get(Calls), b.app.get(Calls)];
      const before = calls.reduce((n, c) => n + c.ids.filter((x) => x === id).length, 0);
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => send((i % 2 ? a : b).baseUrl, '/hooks/billing', { headers, body })),
      );
      expect(answers.filter((r) => r.status === 202)).toHaveLength(1);
      // The others: a duplicate once the acceptance was acknowledged, 503 delivery_in_progress
      // (retry later) while its handler had not answered yet; never a second acceptance.
      const others = answers.filter((r) => r.status !== 202);
      const kinds = others.map((r) =>
        r.status === 200 && r.json?.duplicate === true
          ? 'duplicate'
          : r.status === 503 && r.json?.code === 'delivery_in_progress' && r.headers.get('retry-after')
            ? 'in_progress'
            : `${r.status} ${r.text}`,
      );
      expect(kinds.filter((k) => k !== 'duplicate' && k !== 'in_progress')).toEqual([]);
      expect(calls.reduce((n, c) => n + c.ids.filter((x) => x === id).length, 0) - before).toBe(1);
      const statuses = (await accepted(id)).map((r: { status: string }) => r.status);
      expect(statuses.filter((s: string) => s === 'accepted')).toHaveLength(1);
      // The copies are duplicates, stored one by one under a per-second budget (the rest counted in
      // a summary row, which has no message id): at least one, at most 49.
      expect(statuses.filter((s: string) => s !== 'accepted').every((s: string) => s === 'duplicate')).toBe(true);
      expect(statuses.length).toBeGreaterThan(1);
      expect(statuses.length).toBeLessThanOrEqual(50);
    });

    it("sees the other instance's rotation within seconds; the old secret works for the grace period only", async () => {
      // Long enough for the other instance to see the rotation (at most PROPAGATION_MS, below)
      // with time left to check the grace there on a loaded machine.
      const GRACE_SECONDS = 4;
      const PROPAGATION_MS = 3000;
      const store = a.app.get<TypeOrmSecretStore>(SecretStore);
      const rotated = Date.now();
      const info = await store.addSecret('rotating', NEXT_SECRET, { gracePeriodSeconds: GRACE_SECONDS });
      const added = Date.now();
      // The grace's end as the store computed it (after its lock and read): the previous version's
      // expiry, the grace period after a moment within the call.
      const previous = (await store.listSecrets('rotating')).filter((v) => v.version !== info.version);
      expect(previous).toEqual([expect.objectContaining({ expiresAt: expect.any(Date) })]);
      const graceEnds = previous[0].expiresAt!.getTime();
      expect(graceEnds).toBeGreaterThanOrEqual(rotated + GRACE_SECONDS * 1000);
      expect(graceEnds).toBeLessThanOrEqual(added + GRACE_SECONDS * 1000);
      // During the grace period the previous secret still verifies: here at once (the rotating
      // instance reloads its cache before addSecret resolves)…
      const old = () => signed('{}', SECRET).headers;
      expect((await send(a.baseUrl, '/hooks/rotating', { headers: old(), body: '{}' })).status).toBe(202);
      // …and on the other instance once it sees the rotation (it then also takes the new secret).
      const viaB = await eventually(async () => {
        const { headers } = signed('{}', NEXT_SECRET);
        const r = await send(b.baseUrl, '/hooks/rotating', { headers, body: '{}' });
        return r.status === 202 ? r : undefined;
      }, PROPAGATION_MS);
      expect(viaB.json).toEqual({ version: info.version });
      expect(Date.now()).toBeLessThan(graceEnds); // else the check below would not be in the grace
      expect((await send(b.baseUrl, '/hooks/rotating', { headers: old(), body: '{}' })).status).toBe(202);
      // Just after the grace's end it no longer does, on either instance.
      await new Promise((r) => setTimeout(r, Math.max(0, graceEnds + 300 - Date.now())));
      for (const app of [a, b]) {
        expect((await send(app.baseUrl, '/hooks/rotating', { headers: old(), body: '{}' })).status).toBe(401);
      }
      // A revocation stops the version at once here, and within seconds on the other instance.
      await store.revokeSecret('rotating', info.version);
      const { headers } = signed('{}', NEXT_SECRET);
      expect((await send(a.baseUrl, '/hooks/rotating', { headers, body: '{}' })).status).toBe(401);
      await eventually(async () => {
        const fresh = signed('{}', NEXT_SECRET);
        const r = await send(b.baseUrl, '/hooks/rotating', { headers: fresh.headers, body: '{}' });
        return r.status === 401 ? r : undefined;
      }, PROPAGATION_MS);
    });

    it('exports the stores and an audit log backed by the database', async () => {
      expect(a.app.get(SecretStore)).toBeInstanceOf(TypeOrmSecretStore);
      expect(a.app.get(EventLogReader)).toBeInstanceOf(TypeOrmEventLog);
      const audit = a.app.get<AuditLog>(AuditLog);
      await audit.record({ actor: 'admin-token', action: 'secret.rotate', endpoint: 'billing', at: new Date() });
      expect(await b.app.get<AuditLog>(AuditLog).recent(1)).toEqual([
        expect.objectContaining({ actor: 'admin-token', action: 'secret.rotate', endpoint: 'billing' }),
      ]);
    });
  });
});

describe('TypeORM storage start-up', () => {
  let db: TestDatabase;
  let own: DataSource;
  const APP_DATA_SOURCE = 'APP_DATA_SOURCE';
  // The app's own DataSource, given by token: a start-up that fails leaves no pool behind.
  const provided = (dataSource: DataSource): DynamicModule => ({
    module: class AppDataSourceModule {},
    global: true,
    providers: [{ provide: APP_DATA_SOURCE, useValue: dataSource }],
    exports: [APP_DATA_SOURCE],
  });
  const withToken = (dataSource: DataSource, options: Record<string, unknown>) => [
    provided(dataSource),
    WebhookModule.forRoot({
      storage: { type: 'typeorm', dataSourceToken: APP_DATA_SOURCE },
      endpoints: endpoints(),
      ...options,
    }),
  ];

  beforeAll(async () => {
    db = await createTestDatabase('e2e_startup');
    own = await openDataSource(db.url);
  });
  afterAll(async () => {
    await own.destroy();
    await db.drop();
  });

  it('fails with a clear message when the master key is not the one the secrets were encrypted with', async () => {
    const first = await start('express', withToken(own, { encryptionKey: KEY }));
    await first.close();
    const other = randomBytes(32).toString('hex');
    await expect(start('express', withToken(own, { encryptionKey: other }))).rejects.toThrow(
      /encryption key "default" is not the key the stored webhook secrets were encrypted with/,
    );
    // Restarting with the right key adds no version: configured secrets are seeded once.
    const again = await start('fastify', registrations.forRootAsync(db.url));
    expect(await again.app.get<SecretStore>(SecretStore).listSecrets('billing')).toHaveLength(1);
    await again.close();
  });

  it('fails with the fix when the migrations have not run, and without an encryption key', async () => {
    const empty = await createTestDatabase('e2e_nomigrations');
    const bare = await openDataSource(empty.url, { migrate: false });
    try {
      await expect(start('express', withToken(bare, { encryptionKey: KEY }))).rejects.toThrow(
        /tables .* are missing .* Run its migrations/,
      );
      await expect(start('express', withToken(own, {}))).rejects.toThrow(/needs `encryptionKey`/);
      // A schema of its own, with the migrations of the data source's schema (HOOKWARDEN_MIGRATIONS,
      // run above): the fix names the migrations of that schema, not the ones already added.
      await expect(
        start('express', [
          provided(own),
          WebhookModule.forRoot({
            storage: { type: 'typeorm', dataSourceToken: APP_DATA_SOURCE, schema: 'hooks' },
            endpoints: endpoints(),
            encryptionKey: KEY,
          }),
        ]),
      ).rejects.toThrow(
        /missing in schema "hooks".*add createHookwardenMigrations\(\{ schema: "hooks" \}\).*WEBHOOK_SCHEMA=hooks npx hookwarden migrate/,
      );
    } finally {
      await bare.destroy();
      await empty.drop();
    }
  });

  it('works with a named data source, an explicit entity list and a schema of its own', async () => {
    const modules = [
      TypeOrmModule.forRoot({
        name: 'hooks',
        type: 'postgres',
        url: db.url,
        entities: hookwardenEntityList('webhooks'),
        migrations: createHookwardenMigrations({ schema: 'webhooks' }),
        migrationsRun: true,
        logging: false,
      }),
      WebhookModule.forRoot({
        storage: { type: 'typeorm', dataSourceName: 'hooks', schema: 'webhooks', registerEntities: false },
        encryptionKey: KEY,
        endpoints: endpoints(),
      }),
    ];
    const running = await start('fastify', modules);
    try {
      const { id, headers } = signed('{}');
      expect((await send(running.baseUrl, '/hooks/billing', { headers, body: '{}' })).status).toBe(202);
      const ds = running.app.get<DataSource>(getDataSourceToken('hooks'));
      expect(await ds.query(`SELECT status FROM webhooks.webhook_events WHERE message_id = $1`, [id])).toEqual([
        { status: 'accepted' },
      ]);
    } finally {
      await running.close();
    }
    // Shutting the app down closed Hookwarden's own connections (event-log pool, listener).
    await eventually(async () => {
      const [{ open }] = await own.query(
        `SELECT count(*)::int AS open FROM pg_stat_activity
          WHERE datname = current_database() AND application_name LIKE 'hookwarden-%'`,
      );
      return open === 0 ? true : undefined;
    }, 2000);
  });
});

describe.each(ADAPTERS)('with the database stopped mid-run on %s', (adapter) => {
  let server: EmbeddedPostgres;
  let running: RunningApp;

  beforeAll(async () => {
    server = await startPrivatePostgres();
    running = await start(adapter, [
      TypeOrmModule.forRoot(typeOrm(server.url())),
      WebhookModule.forRoot({
        storage: { type: 'typeorm' },
        encryptionKey: KEY,
        endpoints: endpoints(),
        eventLog: { writeTimeoutMs: 500, retryAfterSeconds: 3 },
      }),
    ]);
  });
  afterAll(async () => {
    await running?.close();
    await server?.destroy();
  });

  it('answers 503 + Retry-After while it is down, never a 2xx without a row, and recovers by itself', async () => {
    const acknowledged: string[] = [];
    const deliver = async () => {
      const { id, headers } = signed('{"outage":true}');
      const answer = await send(running.baseUrl, '/hooks/billing', { headers, body: '{"outage":true}' });
      if (answer.status === 202) acknowledged.push(id);
      return answer;
    };
    expect((await deliver()).status).toBe(202);
    await server.stop('immediate');
    const during = await Promise.all(Array.from({ length: 10 }, deliver));
    for (const answer of during) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('3');
      expect(answer.json.code).toBe('storage_unavailable');
    }
    await server.start();
    const restarted = Date.now();
    // Recovers by itself (the pool reconnects): within 15 s, even on a loaded machine.
    await eventually(async () => ((await deliver()).status === 202 ? true : undefined), 15_000);
    expect(Date.now() - restarted).toBeLessThan(15_000);
    const handled = running.app.get(Calls).ids;
    expect(handled).toEqual(acknowledged);
    const ds = running.app.get<DataSource>(getDataSourceToken());
    const rows: Array<{ message_id: string }> = await eventually(async () => {
      try {
        return await ds.query(`SELECT message_id FROM webhook_events WHERE status = 'accepted' ORDER BY id`);
      } catch {
        return undefined; // the app's own pool reconnects on its next query
      }
    }, 5000);
    expect(rows.map((r) => r.message_id)).toEqual(acknowledged);
  });
});

describe('without a database', () => {
  it('never loads typeorm, @nestjs/typeorm or pg (they are optional peers)', () => {
    const root = join(__dirname, '..');
    const script = `
      require('./scripts/ts-register.js');
      const { WebhookModule } = require('./src/index.ts');
      WebhookModule.forRoot({});
      const loaded = Object.keys(require.cache).filter((f) => /node_modules\\/(typeorm|@nestjs\\/typeorm|pg)\\//.test(f));
      process.stdout.write(JSON.stringify(loaded));
    `;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }));
    expect(loaded).toEqual([]);
  });
});
