// Tables made by TypeORM's `synchronize` instead of Hookwarden's migrations lack the secrets' NOTIFY
// trigger and function and the BRIN index. A data source that synchronizes gets them at start-up;
// one that does not stops with the command that adds them; the migrations then succeed on those
// tables. Real PostgreSQL, real apps on Express and Fastify.
import { randomBytes } from 'node:crypto';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Controller, Post, UseGuards } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { standardWebhooks, WebhookEndpoint, WebhookGuard, WebhookModule } from '../src';
import { createHookwardenMigrations, hookwardenEntityList } from '../src/storage/typeorm';
import { missingSchemaObjects } from '../src/storage/typeorm/hookwarden.migrations';
import { ADAPTERS, startApp } from './support/apps';
import { send } from './support/http';
import { createTestDatabase, type TestDatabase } from './support/postgres';

const KEY = randomBytes(32).toString('base64');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  @Post('billing')
  @WebhookEndpoint('billing')
  receive() {
    return { ok: true };
  }
}

function webhookModule() {
  return WebhookModule.forRoot({
    storage: { type: 'typeorm' },
    encryptionKey: KEY,
    endpoints: { billing: standardWebhooks({ secret: SECRET }) },
  });
}

function database(url: string, synchronize: boolean) {
  return TypeOrmModule.forRoot({ type: 'postgres', url, autoLoadEntities: true, synchronize, logging: false });
}

/** The database's own view: what is missing, from the catalog. */
async function missingIn(url: string): Promise<string[]> {
  const dataSource = await new DataSource({ type: 'postgres', url, logging: false }).initialize();
  try {
    return await missingSchemaObjects((text, params) => dataSource.query(text, params), 'public');
  } finally {
    await dataSource.destroy();
  }
}

describe.each(ADAPTERS)('tables made by synchronize on %s', (adapter) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(`sync_${adapter}`);
  });
  afterEach(() => db.drop());

  it('with synchronize: true, start-up adds the trigger, the function and the BRIN index, and deliveries work', async () => {
    const running = await startApp(adapter, [database(db.url, true), webhookModule()], [HooksController]);
    try {
      expect(await missingIn(db.url)).toEqual([]);
      const id = 'msg_sync_1';
      const at = new Date();
      const headers = {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(SECRET).sign(id, at, '{}'),
      };
      expect((await send(running.baseUrl, '/hooks/billing', { headers, body: '{}' })).status).toBe(201);
    } finally {
      await running.close();
    }
  }, 30_000);

  it('without synchronize, start-up stops naming `npx hookwarden migrate`; after the migrations it starts', async () => {
    // Tables as synchronize makes them, by an earlier run of the app.
    const earlier = await new DataSource({
      type: 'postgres',
      url: db.url,
      entities: hookwardenEntityList(),
      synchronize: true,
      logging: false,
    }).initialize();
    await earlier.destroy();
    expect(await missingIn(db.url)).toHaveLength(4);

    await expect(startApp(adapter, [database(db.url, false), webhookModule()], [HooksController])).rejects.toThrow(
      /lack the BRIN index[\s\S]*npx hookwarden migrate/,
    );

    // The migrations succeed on these tables (they failed with "relation already exists").
    const migrating = await new DataSource({
      type: 'postgres',
      url: db.url,
      migrations: createHookwardenMigrations(),
      logging: false,
    }).initialize();
    try {
      const ran = await migrating.runMigrations({ transaction: 'each' });
      expect(ran).toHaveLength(createHookwardenMigrations().length);
    } finally {
      await migrating.destroy();
    }
    expect(await missingIn(db.url)).toEqual([]);
    const running = await startApp(adapter, [database(db.url, false), webhookModule()], [HooksController]);
    await running.close();
  }, 30_000);
});
