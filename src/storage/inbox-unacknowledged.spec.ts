import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { acceptedDelivery, uniqueName as uniq } from '../../test/support/deliveries';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../test/support/postgres';
import type { WebhookInbox } from './inbox.interface';
import { InMemoryEventLog } from './in-memory/in-memory-event-log';
import { TypeOrmEventLog } from './typeorm/typeorm-event-log';
import { TypeOrmInbox } from './typeorm/typeorm-inbox';

// An accepted delivery's jobs wait for its acknowledgement (the 2xx), so that a route handler that
// fails withdraws them. But an acknowledgement can fail after the answer went out (the database
// blinked): the provider never sends the delivery again, and jobs that waited for an ack forever
// would be lost after a 2xx. Once the acceptance's lease has run out, its jobs run. On PostgreSQL
// and in memory.
/** An accepted delivery with one job of `H.run`, waiting for its acknowledgement under `leaseToken`. */
const event = (endpoint: string, messageId: string, leaseToken: string) =>
  acceptedDelivery(endpoint, messageId, leaseToken, { work: [{ handler: 'H.run' }] });

// A lease of a minute, which runs out only when a test ends it (endLease): never by sleeping past it.
const LEASE_SECONDS = 60;

describe.each(['memory', 'typeorm'] as const)('inbox jobs of an acceptance never acknowledged (%s)', (kind) => {
  let db: TestDatabase | undefined;
  let dataSource: DataSource | undefined;
  let log: InMemoryEventLog | TypeOrmEventLog;
  let inbox: WebhookInbox;
  /** The in-memory log's clock (its inbox's too). */
  let clock = Date.now();

  beforeAll(async () => {
    Logger.overrideLogger(false);
    if (kind === 'memory') return;
    db = await createTestDatabase('inbox_unacked');
    dataSource = await openDataSource(db.url);
    const typeorm = new TypeOrmEventLog(dataSource, { handlingLeaseSeconds: LEASE_SECONDS, maxDelayMs: 0 });
    await typeorm.init();
    log = typeorm;
    const pg = new TypeOrmInbox(dataSource, typeorm);
    await pg.start();
    inbox = pg;
  });
  // In memory, a log of each test's own: ending a lease moves its whole clock on, which must not run
  // out the job leases of an earlier test.
  beforeEach(() => {
    if (kind !== 'memory') return;
    clock = Date.now();
    const memory = new InMemoryEventLog({ handlingLeaseSeconds: LEASE_SECONDS }, () => clock);
    log = memory;
    inbox = memory.inbox;
  });
  afterAll(async () => {
    await (inbox as Partial<TypeOrmInbox>)?.close?.();
    if (log instanceof TypeOrmEventLog) await log.close();
    await dataSource?.destroy();
    await db?.drop();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']);
  });

  const claim = () => inbox.claim(10, 60_000, ['H.run']);

  /** Runs the id's in-progress lease out now, unacknowledged, as if the process handling it had died. */
  async function endLease(endpoint: string, messageId: string): Promise<void> {
    if (kind === 'memory') {
      clock += LEASE_SECONDS * 1000 + 1000;
      return;
    }
    await dataSource!.query(
      `UPDATE webhook_events SET handling_until = now() - interval '1 second'
        WHERE endpoint = $1 AND message_id = $2 AND status = 'accepted'`,
      [endpoint, messageId],
    );
  }

  it('run once the lease has run out, though no acknowledgement came', async () => {
    const endpoint = uniq('ep');
    await log.record(event(endpoint, 'm1', 'A'));
    expect(await claim()).toEqual([]);
    await endLease(endpoint, 'm1');
    const jobs = await claim();
    expect(jobs.map((j) => [j.endpoint, j.event.messageId])).toEqual([[endpoint, 'm1']]);
    expect(await inbox.complete(jobs[0]!)).toBe(true);
  });

  it('wait again while a copy that took the lease over is handled, and run on its acknowledgement', async () => {
    const endpoint = uniq('ep');
    await log.record(event(endpoint, 'm2', 'A'));
    await endLease(endpoint, 'm2');
    expect(await log.resolveDuplicate(endpoint, 'm2', 'B')).toBe('claimed');
    expect(await claim()).toEqual([]);
    await log.acknowledge(endpoint, 'm2', 'B');
    expect((await claim()).map((j) => j.event.messageId)).toEqual(['m2']);
  });

  it('are not withdrawn once one has started: a failing copy that took over leaves the acceptance, so no second job runs beside it', async () => {
    const endpoint = uniq('ep');
    await log.record(event(endpoint, 'm3', 'A'));
    await endLease(endpoint, 'm3');
    const [running] = await claim();
    expect(running?.event.messageId).toBe('m3');
    expect(await log.resolveDuplicate(endpoint, 'm3', 'B')).toBe('claimed');
    await log.release(endpoint, 'm3', 'handler_failed', 'B');
    // The provider's next copy is not a new acceptance with new jobs while the first job runs.
    expect(await log.record(event(endpoint, 'm3', 'C'))).toBe('duplicate');
    expect(await claim()).toEqual([]);
    expect(await inbox.complete(running!)).toBe(true);
  });
});
