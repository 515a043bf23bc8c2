// While an accepted delivery's answer has not gone out (its handler runs), a retry of it must not be
// answered 2xx: if the handler then fails, its acceptance is withdrawn, and a retry already told
// "200 duplicate" would make the provider drop an event that was never handled. The retry is
// answered 503 `delivery_in_progress` with Retry-After; once the handler failed, the next retry
// runs it; once it succeeded, retries are duplicates. Both event logs, both adapters.
import { randomBytes } from 'node:crypto';
import { Controller, Injectable, Post, UseGuards, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Webhook } from 'standardwebhooks';
import {
  EventLog,
  standardWebhooks,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
} from '../src';
import { HOOKWARDEN_MIGRATIONS } from '../src/storage/typeorm';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';
import { createTestDatabase, type TestDatabase } from './support/postgres';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = randomBytes(32).toString('base64');

jest.setTimeout(30_000);

/** Lets the test decide when, and how, the handler of each message id finishes. */
@Injectable()
class Gate {
  private readonly waiting = new Map<string, (outcome: 'fail' | 'succeed') => void>();
  readonly started: string[] = [];
  readonly handled: string[] = [];

  enter(id: string): Promise<'fail' | 'succeed'> {
    this.started.push(id);
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }

  open(id: string, outcome: 'fail' | 'succeed'): void {
    this.waiting.get(id)?.(outcome);
    this.waiting.delete(id);
  }

  async whenStarted(id: string, times = 1): Promise<void> {
    for (let i = 0; i < 500 && this.started.filter((s) => s === id).length < times; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(this.started.filter((s) => s === id)).toHaveLength(times);
  }
}

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  constructor(private readonly gate: Gate) {}

  @Post('billing')
  @WebhookEndpoint('billing')
  async receive(@WebhookEvent() event: VerifiedWebhook) {
    const outcome = await this.gate.enter(event.id!);
    if (outcome === 'fail') throw new Error('the handler failed, slowly');
    this.gate.handled.push(event.id!);
    return { ok: true };
  }
}

function signed(id: string, body: string) {
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(SECRET).sign(id, at, body),
  };
}

const storages: Record<string, (db: () => TestDatabase) => DynamicModule[]> = {
  memory: () => [WebhookModule.forRoot({ endpoints: { billing: standardWebhooks({ secret: SECRET }) } })],
  typeorm: (db) => [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: db().url,
      autoLoadEntities: true,
      migrations: HOOKWARDEN_MIGRATIONS,
      migrationsRun: true,
      logging: false,
    }),
    WebhookModule.forRoot({
      storage: { type: 'typeorm' },
      encryptionKey: KEY,
      endpoints: { billing: standardWebhooks({ secret: SECRET }) },
    }),
  ],
};

describe.each(Object.keys(storages))('a retry while the handler runs, with the %s event log', (storage) => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase('delivery_in_progress');
  });
  afterAll(async () => {
    await db?.drop();
  });

  describe.each(ADAPTERS)('on %s', (adapter) => {
    let running: RunningApp;
    let gate: Gate;

    beforeAll(async () => {
      running = await startApp(
        adapter,
        storages[storage](() => db),
        [HooksController],
        { providers: [Gate] },
      );
      gate = running.app.get(Gate);
    });
    afterAll(() => running.close());

    const deliver = (id: string, body: string) =>
      send(running.baseUrl, '/hooks/billing', { headers: signed(id, body), body });

    it('is not answered 2xx while the handler runs; after the handler failed, the next retry runs it', async () => {
      const id = `msg_${adapter}_${randomBytes(6).toString('hex')}`;
      const body = '{"type":"invoice.paid"}';
      const first = deliver(id, body);
      await gate.whenStarted(id);

      // The provider retries (its timeout, or a second copy) while the first handler still runs.
      const concurrent = await deliver(id, body);
      expect(concurrent.status).toBe(503);
      expect(concurrent.json).toEqual({ statusCode: 503, code: 'delivery_in_progress', message: expect.any(String) });
      expect(Number(concurrent.headers.get('retry-after'))).toBeGreaterThan(0);

      gate.open(id, 'fail');
      expect((await first).status).toBe(500);
      expect(gate.handled).not.toContain(id);

      // The event was never handled nor acknowledged: the next retry runs the handler.
      const retry = deliver(id, body);
      await gate.whenStarted(id, 2);
      gate.open(id, 'succeed');
      expect((await retry).status).toBe(201);
      expect(gate.handled.filter((h) => h === id)).toHaveLength(1);

      // Acknowledged now: a later copy is a duplicate, and the handler does not run again.
      const later = await deliver(id, body);
      expect([later.status, later.json]).toEqual([200, { received: true, duplicate: true }]);
      expect(gate.started.filter((s) => s === id)).toHaveLength(2);
    });

    it('answers a copy that arrives after the 2xx as a duplicate', async () => {
      const id = `msg_${adapter}_${randomBytes(6).toString('hex')}`;
      const body = '{"type":"invoice.created"}';
      const first = deliver(id, body);
      await gate.whenStarted(id);
      gate.open(id, 'succeed');
      expect((await first).status).toBe(201);
      // Acknowledged before the 2xx left (a process killed right after it leaves no copy in limbo).
      const log = running.app.get<EventLog>(EventLog);
      expect(await log.resolveDuplicate!('billing', id)).toBe('acknowledged');
      const copy = await deliver(id, body);
      expect([copy.status, copy.json]).toEqual([200, { received: true, duplicate: true }]);
      expect(gate.started.filter((s) => s === id)).toHaveLength(1);
    });
  });
});
