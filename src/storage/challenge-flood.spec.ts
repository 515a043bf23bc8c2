// Unauthenticated writes have a budget: a flood of unsigned challenges (Trello HEAD, Dropbox GET, …)
// is stored like a flood of rejections, a few rows per endpoint and second and one summary row
// that counts the rest, and no row of an unauthenticated request holds more than a bounded amount
// of attacker-chosen bytes. On the in-memory log and on PostgreSQL. The audit table is pruned.
import { Logger } from '@nestjs/common';
import { eventLogDatabase, listAllEvents } from '../../test/support/event-log-database';
import type { EventLog, EventLogReader, WebhookEventRecord, WebhookEventStatus } from './event-log.interface';
import { InMemoryEventLog } from './in-memory/in-memory-event-log';
import { TypeOrmAuditLog } from './typeorm/typeorm-audit-log';

const FLOOD = 3000;
const BUDGET = 7;
/** Bytes of attacker-chosen text the rows of one second may keep over all endpoints. */
const FLOOD_BYTES = 32 * 1024;
const ENDPOINTS = 20;
/** The most bytes of attacker-chosen text an unauthenticated row may keep (path, headers, body). */
const ROW_BOUND = 16 * 1024;

const junk = (n: number, seed: number) => `${seed.toString(36)}-${'x'.repeat(n)}`.slice(0, n);

/** A challenge as an attacker sends it: 15 KB of junk in its headers and path, and a body. */
function hostile(endpoint: string, status: 'challenge' | 'rejected', i: number, at: number): WebhookEventRecord {
  const headers: Record<string, string> = {};
  for (let h = 0; h < 15; h++) headers[`x-junk-${h}-${junk(20, i)}`] = junk(1000, i + h);
  return {
    endpoint,
    provider: 'trello',
    status,
    reason: status === 'rejected' ? 'no_matching_signature' : undefined,
    receivedAt: new Date(at),
    replayWindowEndsAt: new Date(at),
    method: status === 'challenge' ? 'HEAD' : 'POST',
    path: `/hooks/${endpoint}/${junk(15_000, i)}`,
    headers,
    body: Buffer.from(junk(20_000, i)),
  };
}

/** Sends the flood within two seconds of a fake clock and checks what was kept. */
async function flood(
  log: EventLog & EventLogReader & { flushSummaries(): Promise<void> | void },
  clock: { now: number },
  endpoint: string,
  status: 'challenge' | 'rejected',
): Promise<void> {
  // From the start of a second: the flood fills exactly two one-second windows.
  const start = Math.ceil(clock.now / 1000) * 1000;
  const outcomes: Array<Promise<WebhookEventStatus>> = [];
  for (let i = 0; i < FLOOD; i++) {
    clock.now = start + Math.floor((i * 2000) / FLOOD); // two seconds
    outcomes.push(log.record(hostile(endpoint, status, i, clock.now)));
  }
  // Every request still gets its answer (a challenge is answered, a rejection refused).
  expect(new Set(await Promise.all(outcomes))).toEqual(new Set([status]));
  await log.flushSummaries();

  const rows = await listAllEvents(log, endpoint);
  const single = rows.filter((r) => r.occurrences === undefined);
  const summaries = rows.filter((r) => r.occurrences !== undefined);
  // BUDGET rows one by one in each of the two seconds, the rest counted in summary rows.
  expect(single.length).toBe(2 * BUDGET);
  expect(summaries.length).toBeGreaterThanOrEqual(1);
  expect(summaries.length).toBeLessThanOrEqual(2);
  expect(single.length + summaries.reduce((n, r) => n + r.occurrences!, 0)).toBe(FLOOD);
  for (const row of rows) expect(row.status).toBe(status);
  // Before the fix every row kept everything: the first ones tell.
  for (const row of rows.slice(0, 30)) {
    const full = (await log.get(row.id))!;
    const kept = full.path.length + JSON.stringify(full.headers).length + (full.body?.length ?? 0);
    expect(kept).toBeLessThanOrEqual(ROW_BOUND);
  }
  // The bounded row still says what arrived: the size and digest of the whole body.
  expect(single[0].bodySize).toBe(20_000);
}

/**
 * One request more than the budget in a second: its summary row counts 1, and must still say it is
 * a summary (a CI run took it for a row of its own, without the bounded row's marker).
 */
async function oneOverBudget(
  log: EventLog & EventLogReader & { flushSummaries(): Promise<void> | void },
  clock: { now: number },
  endpoint: string,
): Promise<void> {
  clock.now = Math.ceil(clock.now / 1000) * 1000 + 1000;
  await Promise.all(
    Array.from({ length: BUDGET + 1 }, (_, i) => log.record(hostile(endpoint, 'challenge', i, clock.now))),
  );
  await log.flushSummaries();
  const rows = await listAllEvents(log, endpoint);
  expect(rows.filter((r) => r.occurrences === undefined)).toHaveLength(BUDGET);
  expect(rows.filter((r) => r.occurrences !== undefined).map((r) => r.occurrences)).toEqual([1]);
}

/**
 * Rejections spread over many endpoints, each within its own budget: what all the rows of a second
 * keep of attacker-chosen bytes is bounded over all endpoints (a review filled 57 MB in 20 s with
 * five endpoints; the demo has 75), every request is still counted, and no endpoint is left with
 * summaries only by others using the budget up: one row each per minute beyond it.
 */
async function acrossEndpoints(
  log: EventLog & EventLogReader & { flushSummaries(): Promise<void> | void },
  clock: { now: number },
): Promise<void> {
  // Two seconds at the start of a minute of the fake clock.
  const first = Math.ceil((clock.now + 1000) / 60_000) * 60_000;
  const endpoints = Array.from({ length: ENDPOINTS }, (_, e) => `spread-${e}`);
  for (const second of [first, first + 1000]) {
    clock.now = second;
    await Promise.all(
      endpoints.flatMap((endpoint) =>
        Array.from({ length: BUDGET }, (_, i) => log.record(hostile(endpoint, 'rejected', i, second))),
      ),
    );
  }
  await log.flushSummaries();
  const kept = [0, 0];
  let counted = 0;
  for (const endpoint of endpoints) {
    const rows = await listAllEvents(log, endpoint);
    // The first second: a row of its own for every endpoint, however the budget was used.
    expect(rows.some((row) => row.occurrences === undefined && row.receivedAt.getTime() === first)).toBe(true);
    for (const row of rows) {
      if (row.occurrences !== undefined) {
        counted += row.occurrences;
        continue;
      }
      counted++;
      const full = (await log.get(row.id))!;
      kept[row.receivedAt.getTime() === first ? 0 : 1] +=
        full.path.length + JSON.stringify(full.headers).length + (full.body?.length ?? 0);
    }
  }
  expect(counted).toBe(2 * ENDPOINTS * BUDGET);
  // The first second: the budget, the row that may start it whatever its size, one row per endpoint.
  expect(kept[0]).toBeLessThanOrEqual(FLOOD_BYTES + ROW_BOUND + ENDPOINTS * ROW_BOUND);
  // The second: the budget only (each endpoint had its row of the minute).
  expect(kept[1]).toBeLessThanOrEqual(FLOOD_BYTES + ROW_BOUND);
  expect(kept[1]).toBeGreaterThan(0);
}

describe('unauthenticated writes under a budget', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  describe('in memory', () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const log = new InMemoryEventLog(
      // The rows per endpoint are what these tests count: bytes without a bound of their own.
      { recentEvents: 5000, rejectedPerSecond: BUDGET, challengesPerSecond: BUDGET, floodBytesPerSecond: 1e9 },
      () => clock.now,
    );

    it('3,000 hostile challenges leave a few bounded rows and a count', async () => {
      await flood(log, clock, 'trello', 'challenge');
    });

    it('so do 3,000 hostile rejections', async () => {
      clock.now += 10_000;
      await flood(log, clock, 'dropbox', 'rejected');
    });

    it('a summary row of one request says it is one', async () => {
      await oneOverBudget(log, clock, 'single-over');
    });

    it('rejections spread over many endpoints keep a bounded number of bytes a second', async () => {
      const spread = new InMemoryEventLog(
        { recentEvents: 5000, rejectedPerSecond: BUDGET, floodBytesPerSecond: FLOOD_BYTES },
        () => clock.now,
      );
      await acrossEndpoints(spread, clock);
    });
  });

  describe('on PostgreSQL', () => {
    const clock = { now: Date.now() };
    const pg = eventLogDatabase('flood', {
      rejectedPerSecond: BUDGET,
      challengesPerSecond: BUDGET,
      floodBytesPerSecond: 1e9, // the rows per endpoint are what these tests count
      maxDelayMs: 1,
      // The fake clock jumps two seconds during the flood: no deadline may pass meanwhile.
      writeTimeoutMs: 60_000,
      now: () => clock.now,
    });
    const spread = eventLogDatabase('flood_spread', {
      rejectedPerSecond: BUDGET,
      floodBytesPerSecond: FLOOD_BYTES,
      maxDelayMs: 1,
      writeTimeoutMs: 60_000,
      now: () => clock.now,
    });

    it('3,000 hostile challenges leave a few bounded rows and a count', async () => {
      await flood(pg.log, clock, 'trello', 'challenge');
      const [{ bytes }] = await pg.dataSource.query(
        `SELECT sum(pg_column_size(e.*))::int AS bytes FROM webhook_events e WHERE endpoint = 'trello'`,
      );
      expect(bytes).toBeLessThan(20 * ROW_BOUND);
    });

    it('so do 3,000 hostile rejections', async () => {
      clock.now += 10_000;
      await flood(pg.log, clock, 'dropbox', 'rejected');
    });

    it('a summary row of one request says it is one', async () => {
      await oneOverBudget(pg.log, clock, 'single-over');
    });

    it('rejections spread over many endpoints keep a bounded number of bytes a second', async () => {
      await acrossEndpoints(spread.log, clock);
    });

    it('prunes audit entries past the retention, in batches', async () => {
      const now = Date.now();
      const audit = new TypeOrmAuditLog(pg.dataSource, { retentionDays: 30, now: () => now });
      await audit.init();
      for (let i = 0; i < 30; i++) {
        await audit.record({ actor: 'admin-token', action: 'events.list', at: new Date(now - (i + 25) * 86_400_000) });
      }
      const pruned = await audit.prune();
      expect(pruned).toBe(24); // days 31 to 54
      const left = await audit.recent(100);
      expect(left).toHaveLength(6); // days 25 to 30
      for (const entry of left) expect(now - entry.at.getTime()).toBeLessThanOrEqual(30 * 86_400_000);
      await audit.close();
    });
  });
});
