import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../test/support/postgres';
import { acceptedDelivery as event, uniqueName as uniq } from '../../test/support/deliveries';
import { startSilentProxy } from '../../test/support/silent-proxy';
import { until } from '../../test/support/until';
import { EventLogUnavailableError, type EventLog } from './event-log.interface';
import { InMemoryEventLog } from './in-memory/in-memory-event-log';
import { TypeOrmEventLog } from './typeorm/typeorm-event-log';

// An accepted delivery is "in progress" until acknowledged (its 2xx). Copies of it are answered
// 2xx only once it is; a release never withdraws an acknowledged acceptance; a lease that runs out
// (the process died) is taken over by exactly one copy. On PostgreSQL and in memory.
type Log = Required<Pick<EventLog, 'record' | 'release' | 'acknowledge' | 'resolveDuplicate'>>;

const LEASE_SECONDS = 60;

describe.each(['memory', 'typeorm'] as const)('the in-progress lease of an accepted delivery (%s)', (kind) => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const open: TypeOrmEventLog[] = [];
  // The in-memory log's clock: a lease is ended by moving it past the lease, never by sleeping.
  let clock = Date.now();

  beforeAll(async () => {
    Logger.overrideLogger(false);
    if (kind === 'typeorm') {
      db = await createTestDatabase('delivery_lease');
      dataSource = await openDataSource(db.url);
    }
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((log) => log.close()));
    await dataSource?.destroy();
    await db?.drop();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']);
  });

  // Leases of a minute: one runs out only when a test ends it (endLease), however loaded the machine.
  async function newLog(): Promise<Log> {
    if (kind === 'memory') {
      clock = Date.now();
      return new InMemoryEventLog({ handlingLeaseSeconds: LEASE_SECONDS }, () => clock) as Log;
    }
    const log = new TypeOrmEventLog(dataSource, { handlingLeaseSeconds: LEASE_SECONDS, pruneIntervalMs: 3_600_000 });
    await log.init();
    open.push(log);
    return log as Log;
  }

  /** Runs the id's in-progress lease out now, as if its holder had died (in memory: the whole log's clock moves on). */
  async function endLease(endpoint: string, messageId: string): Promise<void> {
    if (kind === 'memory') {
      clock += LEASE_SECONDS * 1000 + 1000;
      return;
    }
    await dataSource.query(
      `UPDATE webhook_events SET handling_until = now() - interval '1 second'
        WHERE endpoint = $1 AND message_id = $2 AND status = 'accepted'`,
      [endpoint, messageId],
    );
  }

  it('keeps a copy in progress until the acceptance is acknowledged, then answers it as acknowledged', async () => {
    const log = await newLog();
    const endpoint = uniq('ep');
    expect(await log.record(event(endpoint, 'm1'))).toBe('accepted');
    expect(await log.record(event(endpoint, 'm1'))).toBe('duplicate');
    expect(await log.resolveDuplicate(endpoint, 'm1')).toBe('in_progress');
    await log.acknowledge(endpoint, 'm1');
    expect(await log.resolveDuplicate(endpoint, 'm1')).toBe('acknowledged');
  });

  it('never withdraws an acknowledged acceptance (a copy may have been answered 2xx)', async () => {
    const log = await newLog();
    const endpoint = uniq('ep');
    await log.record(event(endpoint, 'm2'));
    await log.acknowledge(endpoint, 'm2');
    await log.release(endpoint, 'm2', 'handler_failed');
    expect(await log.record(event(endpoint, 'm2'))).toBe('duplicate');
    expect(await log.resolveDuplicate(endpoint, 'm2')).toBe('acknowledged');
  });

  it('withdraws an acceptance in progress, so the next copy is accepted', async () => {
    const log = await newLog();
    const endpoint = uniq('ep');
    await log.record(event(endpoint, 'm3'));
    await log.release(endpoint, 'm3', 'handler_failed');
    expect(await log.record(event(endpoint, 'm3'))).toBe('accepted');
  });

  it('lets exactly one of many concurrent copies take over a lease that ran out', async () => {
    const log = await newLog();
    const endpoint = uniq('ep');
    await log.record(event(endpoint, 'm4'));
    expect(await log.resolveDuplicate(endpoint, 'm4')).toBe('in_progress');
    await endLease(endpoint, 'm4');
    const states = await Promise.all(Array.from({ length: 20 }, () => log.resolveDuplicate(endpoint, 'm4')));
    expect(states.filter((s) => s === 'claimed')).toHaveLength(1);
    expect(states.filter((s) => s !== 'claimed').every((s) => s === 'in_progress')).toBe(true);
  });

  // The lease names its holder: a holder whose lease ran out and was taken over settles nothing.
  it("does not let a stale holder's release undo the claim of the copy that took over", async () => {
    const log = await newLog();
    const endpoint = uniq('ep');
    expect(await log.record(event(endpoint, 'm7', 'A'))).toBe('accepted');
    await endLease(endpoint, 'm7');
    expect(await log.record(event(endpoint, 'm7', 'B'))).toBe('duplicate');
    expect(await log.resolveDuplicate(endpoint, 'm7', 'B')).toBe('claimed');
    await log.release(endpoint, 'm7', 'handler_failed', 'A'); // A's handler fails, late
    // B still holds the lease: a further copy is in progress, not accepted and run beside B.
    expect(await log.record(event(endpoint, 'm7', 'C'))).toBe('duplicate');
    expect(await log.resolveDuplicate(endpoint, 'm7', 'C')).toBe('in_progress');
    // The holder itself can release it; the next copy is then accepted.
    await log.release(endpoint, 'm7', 'handler_failed', 'B');
    expect(await log.record(event(endpoint, 'm7', 'D'))).toBe('accepted');
  });

  it("does not let a stale holder's acknowledgement settle a later claim while it runs", async () => {
    const log = await newLog();
    const endpoint = uniq('ep');
    await log.record(event(endpoint, 'm8', 'A'));
    await endLease(endpoint, 'm8');
    expect(await log.resolveDuplicate(endpoint, 'm8', 'B')).toBe('claimed');
    await endLease(endpoint, 'm8');
    expect(await log.resolveDuplicate(endpoint, 'm8', 'C')).toBe('claimed');
    await log.acknowledge(endpoint, 'm8', 'B'); // B succeeds after its lease went to C
    // C still runs: a copy must not be told 2xx yet (C may fail and release).
    expect(await log.resolveDuplicate(endpoint, 'm8', 'D')).toBe('in_progress');
    await log.acknowledge(endpoint, 'm8', 'A');
    expect(await log.resolveDuplicate(endpoint, 'm8', 'D')).toBe('in_progress');
    await log.acknowledge(endpoint, 'm8', 'C');
    expect(await log.resolveDuplicate(endpoint, 'm8', 'D')).toBe('acknowledged');
    await log.release(endpoint, 'm8', 'handler_failed', 'C');
    expect(await log.record(event(endpoint, 'm8', 'E'))).toBe('duplicate');
  });

  if (kind === 'typeorm') {
    it('gives acknowledge, release and resolveDuplicate a deadline when the database goes silent', async () => {
      // A TCP proxy in front of PostgreSQL that keeps its sockets open but stops forwarding: a
      // network partition, which no server-side statement timeout can end.
      const proxy = await startSilentProxy(db.url);
      const proxied = await openDataSource(proxy.url);
      const log = new TypeOrmEventLog(proxied, { writeTimeoutMs: 300, pruneIntervalMs: 3_600_000 });
      try {
        await log.init();
        const endpoint = uniq('ep');
        expect(await log.record(event(endpoint, 'm9', 'A'))).toBe('accepted');
        proxy.silent = true;
        const timed = async (operation: Promise<unknown>) => {
          const started = Date.now();
          const error = await operation.then(
            () => undefined,
            (e: unknown) => e,
          );
          return { error, ms: Date.now() - started };
        };
        for (const { error, ms } of await Promise.all([
          timed(log.acknowledge(endpoint, 'm9', 'A')),
          timed(log.resolveDuplicate(endpoint, 'm9', 'B')),
          timed(log.release(endpoint, 'm9', 'handler_failed', 'A')),
        ])) {
          expect(error).toBeInstanceOf(EventLogUnavailableError);
          expect((error as EventLogUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
          // Without a deadline these would never settle; the bound leaves a loaded machine room.
          expect(ms).toBeLessThan(3000);
        }
        // The hung connections are broken up; once the network is back, the log works again (by
        // itself, within seconds: an acknowledgement sent on a connection not yet replaced fails).
        proxy.silent = false;
        await until(
          () =>
            log.acknowledge(endpoint, 'm9', 'A').then(
              () => true,
              () => false,
            ),
          10_000,
        );
        expect(await log.resolveDuplicate(endpoint, 'm9', 'B')).toBe('acknowledged');
      } finally {
        proxy.silent = false;
        await log.close();
        proxy.breakConnections();
        await proxied.destroy().catch(() => undefined);
        await proxy.close();
      }
    });

    it('shows the lease to another instance on the same database', async () => {
      const [a, b] = [await newLog(), await newLog()];
      const endpoint = uniq('ep');
      expect(await a.record(event(endpoint, 'm5'))).toBe('accepted');
      expect(await b.record(event(endpoint, 'm5'))).toBe('duplicate');
      expect(await b.resolveDuplicate(endpoint, 'm5')).toBe('in_progress');
      await a.acknowledge(endpoint, 'm5');
      expect(await b.resolveDuplicate(endpoint, 'm5')).toBe('acknowledged');
    });

    it('counts rows written before the lease column existed as acknowledged', async () => {
      const log = await newLog();
      const endpoint = uniq('ep');
      await log.record(event(endpoint, 'm6'));
      await dataSource.query(`UPDATE webhook_events SET handling_until = NULL WHERE endpoint = $1`, [endpoint]);
      expect(await log.resolveDuplicate(endpoint, 'm6')).toBe('acknowledged');
    });
  }
});
