// While an accepted delivery's answer has not gone out (its handler runs), a retry of it must not be
// answered 2xx: if the handler then fails, its acceptance is withdrawn, and a retry already told
// "200 duplicate" would make the provider drop an event that was never handled. The retry is
// answered 503 `delivery_in_progress` with Retry-After; once the handler failed, the next retry
// runs it; once it succeeded, retries are duplicates. Both event logs, both adapters.
import { randomBytes } from 'node:crypto';
import { Controller, Injectable, Post, UseGuards } from '@nestjs/common';
import {
  EventLog,
  standardWebhooks,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
} from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send, type HttpAnswer } from './support/http';
import { createTestDatabase, withClient, type TestDatabase } from './support/postgres';
import { startSilentProxy, type SilentProxy } from './support/silent-proxy';
import { eventLogStorages, migratedDataSource, standardWebhooksHeaders } from './support/storages';
import { until } from './support/until';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = randomBytes(32).toString('base64');

jest.setTimeout(30_000);

/** Lets the test decide when, and how, the handler of each message id finishes. */
@Injectable()
class Gate {
  /** Per id, the handlers waiting, first come first released. */
  private readonly waiting = new Map<string, Array<(outcome: 'fail' | 'succeed') => void>>();
  readonly started: string[] = [];
  readonly handled: string[] = [];

  enter(id: string): Promise<'fail' | 'succeed'> {
    this.started.push(id);
    return new Promise((resolve) => this.waiting.set(id, [...(this.waiting.get(id) ?? []), resolve]));
  }

  open(id: string, outcome: 'fail' | 'succeed'): void {
    this.waiting.get(id)?.shift()?.(outcome);
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

const signed = (id: string, body: string) => standardWebhooksHeaders(SECRET, id, body);

const storages = eventLogStorages(() => ({ billing: standardWebhooks({ secret: SECRET }) }), KEY);

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

// A database that goes silent (a network partition: sockets open, nothing answers) while the
// handler runs must not hold back its 2xx: the acknowledgement has the writes' deadline, the 2xx
// goes out, and the delivery stays in progress until its lease runs out, when a copy is handled
// again (at least once, never lost).
describe.each(ADAPTERS)('an acknowledgement the database does not answer, on %s', (adapter) => {
  let db: TestDatabase;
  let proxy: SilentProxy;
  let running: RunningApp;
  let gate: Gate;

  /**
   * Ends the lease of the delivery `id` now, as its running out would (straight on the database,
   * not through the proxy). The lease is long, so that it never runs out by itself while a test
   * still counts on it, however slow the machine.
   */
  const endLease = async (id: string) => {
    const { rowCount } = await withClient(db.url, (client) =>
      client.query(
        `UPDATE webhook_events SET handling_until = now() - interval '1 second'
          WHERE message_id = $1 AND status = 'accepted' AND handling_until IS NOT NULL`,
        [id],
      ),
    );
    expect(rowCount).toBe(1);
  };

  /**
   * What became of a copy of `id`: its answer's status and body, or 'claimed' once the handler of
   * `id` started for the `times`-th time (the copy took the delivery over and waits at the gate,
   * unanswered). Told apart by what happened, not by how long an answer takes.
   */
  const outcomeOf = async (copy: Promise<HttpAnswer>, id: string, times: number) => {
    const settled: { answer?: HttpAnswer; error?: unknown } = {};
    copy.then(
      (answer) => (settled.answer = answer),
      (error: unknown) => (settled.error = error ?? new Error('the request failed')),
    );
    const started = () => gate.started.filter((s) => s === id).length >= times;
    await until(() => started() || settled.answer || settled.error, 10_000);
    if (settled.error) throw settled.error;
    return started() ? 'claimed' : [settled.answer!.status, settled.answer!.json];
  };

  beforeAll(async () => {
    db = await createTestDatabase('ack_deadline');
    proxy = await startSilentProxy(db.url);
    running = await startApp(
      adapter,
      [
        migratedDataSource(proxy.url),
        WebhookModule.forRoot({
          storage: { type: 'typeorm' },
          encryptionKey: KEY,
          eventLog: { writeTimeoutMs: 300, handlingLeaseSeconds: 30 },
          endpoints: { billing: standardWebhooks({ secret: SECRET }) },
        }),
      ],
      [HooksController],
      { providers: [Gate] },
    );
    gate = running.app.get(Gate);
  });
  afterAll(async () => {
    // Connections that lost bytes while the network was silent cannot recover: break them first.
    proxy?.breakConnections();
    await running?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('answers 2xx within the deadline, and a copy after the lease is handled again', async () => {
    const id = `msg_${adapter}_${randomBytes(6).toString('hex')}`;
    const body = '{"type":"invoice.paid"}';
    const deliver = () => send(running.baseUrl, '/hooks/billing', { headers: signed(id, body), body });
    const first = deliver();
    await gate.whenStarted(id);
    proxy.silent = true;
    const started = Date.now();
    gate.open(id, 'succeed');
    expect((await first).status).toBe(201);
    // It waited for the acknowledgement's deadline (300 ms), not for the database.
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(5000); // without the deadline, never: the proxy stays silent

    // The network comes back. A copy that meets the hung connection before the pool has broken it
    // up (another 300 ms) is a 503 storage_unavailable, and the provider would send it again.
    proxy.silent = false;
    let outcome: Awaited<ReturnType<typeof outcomeOf>> | undefined;
    await until(async () => {
      outcome = await outcomeOf(deliver(), id, 2);
      return !(Array.isArray(outcome) && (outcome[1] as { code?: string }).code === 'storage_unavailable');
    }, 10_000);
    // Never acknowledged: in progress while its lease lasts...
    expect(outcome).toEqual([503, { statusCode: 503, code: 'delivery_in_progress', message: expect.any(String) }]);
    // ...then, once the lease ran out, a copy takes it over and runs (its handler waits at the gate).
    await endLease(id);
    const claimed = deliver();
    expect(await outcomeOf(claimed, id, 2)).toBe('claimed');
    gate.open(id, 'succeed');
    expect((await claimed).status).toBe(201);
    const later = await deliver();
    expect([later.status, later.json]).toEqual([200, { received: true, duplicate: true }]);
    expect(gate.started.filter((s) => s === id)).toHaveLength(2);
  });

  it("does not let a handler whose lease was taken over undo the copy's claim when it fails", async () => {
    const id = `msg_${adapter}_${randomBytes(6).toString('hex')}`;
    const body = '{"type":"invoice.voided"}';
    const deliver = () => send(running.baseUrl, '/hooks/billing', { headers: signed(id, body), body });
    const first = deliver(); // hangs past its lease
    await gate.whenStarted(id);
    await endLease(id);
    const second = deliver(); // takes the lease over
    expect(await outcomeOf(second, id, 2)).toBe('claimed');
    gate.open(id, 'fail'); // both wait at the gate: this fails the first
    expect((await first).status).toBe(500);
    // The second still runs: a copy is in progress, not accepted and handled a third time.
    expect(await outcomeOf(deliver(), id, 3)).toEqual([
      503,
      { statusCode: 503, code: 'delivery_in_progress', message: expect.any(String) },
    ]);
    gate.open(id, 'succeed');
    expect((await second).status).toBe(201);
    const later = await deliver();
    expect([later.status, later.json]).toEqual([200, { received: true, duplicate: true }]);
    expect(gate.started.filter((s) => s === id)).toHaveLength(2);
  });
});
