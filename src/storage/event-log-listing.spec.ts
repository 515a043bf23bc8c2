// The admin listing must be complete and newest first, whatever the number of rows, the page size
// and the filters: a property test over both event logs (a real PostgreSQL and the in-memory one).
// Rows are written in sequential chunks, so "newest first" is checked against the order of the
// writes (an older chunk never before a newer one), not against the ids the store returns.
import { Logger } from '@nestjs/common';
import fc from 'fast-check';
import { eventLogDatabase } from '../../test/support/event-log-database';
import {
  InvalidCursorError,
  type EventLog,
  type EventLogReader,
  type WebhookEventQuery,
  type WebhookEventRecord,
  type WebhookEventStatus,
} from './event-log.interface';
import { InMemoryEventLog } from './in-memory/in-memory-event-log';

const ENDPOINTS = ['alpha', 'beta', 'gamma'] as const;
const STATUSES = ['accepted', 'rejected', 'challenge'] as const;
const BASE = Date.UTC(2026, 0, 1);
const CHUNK = 100;

interface Planned {
  readonly key: string;
  readonly chunk: number;
  readonly endpoint: string;
  readonly status: (typeof STATUSES)[number];
  readonly reason?: string;
  readonly receivedAt: number;
}

interface Filter {
  endpoint?: string;
  status?: WebhookEventStatus;
  reason?: string;
  sinceMinute?: number;
  untilMinute?: number;
}

const rowArb = fc.record({
  endpoint: fc.constantFrom(...ENDPOINTS),
  status: fc.constantFrom(...STATUSES),
  // Receive times collide on purpose (several rows per minute): the order is the log's, not the clock's.
  minute: fc.integer({ min: 0, max: 59 }),
  reasonPick: fc.integer({ min: 0, max: 1 }),
});

const filterArb: fc.Arbitrary<Filter> = fc.record(
  {
    endpoint: fc.constantFrom(...ENDPOINTS),
    status: fc.constantFrom<WebhookEventStatus>(...STATUSES),
    reason: fc.constantFrom('bad_signature', 'stale'),
    sinceMinute: fc.integer({ min: 0, max: 59 }),
    untilMinute: fc.integer({ min: 1, max: 60 }),
  },
  { requiredKeys: [] },
);

/** The rows of a data set, with the chunk each is written in. */
type RowSpec = { endpoint: string; status: (typeof STATUSES)[number]; minute: number; reasonPick: number };
type DataSet = { rows: RowSpec[]; walks: Array<{ filter: Filter; limit: number }> };

function plan(specs: RowSpec[], run: number): Planned[] {
  return specs.map((s, i) => ({
    key: `r${run}-${i}`,
    chunk: Math.floor(i / CHUNK),
    endpoint: s.endpoint,
    status: s.status,
    reason: s.status === 'rejected' ? (s.reasonPick ? 'bad_signature' : 'stale') : undefined,
    receivedAt: BASE + s.minute * 60_000,
  }));
}

function record(row: Planned): WebhookEventRecord {
  return {
    endpoint: row.endpoint,
    provider: 'test',
    messageId: row.status === 'accepted' ? row.key : undefined,
    status: row.status,
    reason: row.reason,
    receivedAt: new Date(row.receivedAt),
    replayWindowEndsAt: new Date(row.receivedAt),
    method: 'POST',
    path: `/hooks/${row.key}`,
    headers: {},
    body: Buffer.alloc(0),
  };
}

function query(filter: Filter): Omit<WebhookEventQuery, 'limit'> {
  return {
    endpoint: filter.endpoint,
    status: filter.status,
    reason: filter.reason,
    since: filter.sinceMinute === undefined ? undefined : new Date(BASE + filter.sinceMinute * 60_000),
    until: filter.untilMinute === undefined ? undefined : new Date(BASE + filter.untilMinute * 60_000),
  };
}

/** The rows a filter must return, computed from the plan alone. */
function expected(rows: Planned[], filter: Filter): Set<string> {
  const q = query(filter);
  return new Set(
    rows
      .filter(
        (r) =>
          (q.endpoint === undefined || r.endpoint === q.endpoint) &&
          (q.status === undefined || r.status === q.status) &&
          (q.reason === undefined || r.reason === q.reason) &&
          (q.since === undefined || r.receivedAt >= q.since.getTime()) &&
          (q.until === undefined || r.receivedAt < q.until.getTime()),
      )
      .map((r) => r.key),
  );
}

/** Walks every page; checks each row once, the whole expected set, and newest first. */
async function walk(reader: EventLogReader, rows: Planned[], filter: Filter, limit: number): Promise<void> {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const seen: string[] = [];
  const ids: bigint[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await reader.list({ ...query(filter), limit, cursor });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    if (page.nextCursor !== undefined) expect(page.items.length).toBe(limit);
    for (const item of page.items) {
      seen.push(item.path.slice('/hooks/'.length));
      ids.push(BigInt(item.id));
    }
    cursor = page.nextCursor;
    // Far more pages than rows would be a loop: fail rather than hang.
    expect(++pages).toBeLessThanOrEqual(rows.length + 2);
  } while (cursor !== undefined);

  expect(new Set(seen).size).toBe(seen.length); // no row twice
  expect(new Set(seen)).toEqual(expected(rows, filter)); // none missing, none extra
  for (let i = 1; i < seen.length; i++) {
    expect(ids[i] < ids[i - 1]).toBe(true);
    expect(byKey.get(seen[i])!.chunk).toBeLessThanOrEqual(byKey.get(seen[i - 1])!.chunk);
  }
}

async function write(log: EventLog, rows: Planned[]): Promise<void> {
  // Chunk by chunk: every row of a chunk is committed before the next chunk starts.
  for (let i = 0; i < rows.length; i += CHUNK) {
    await Promise.all(rows.slice(i, i + CHUNK).map((r) => log.record(record(r))));
  }
}

const dataSets: fc.Arbitrary<DataSet> = fc.record({
  // Sizes spread over the whole range (fc.array alone keeps arrays short).
  rows: fc.integer({ min: 0, max: 1500 }).chain((n) => fc.array(rowArb, { minLength: n, maxLength: n })),
  walks: fc.array(
    fc.record({ filter: filterArb, limit: fc.oneof(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 8, max: 500 })) }),
    {
      minLength: 1,
      maxLength: 4,
    },
  ),
});

// Large data sets first: a run must cross the 9 → 10, 99 → 100 and 999 → 1000 id boundaries.
const examples: Array<[DataSet]> = [
  [
    {
      rows: Array.from({ length: 1500 }, (_, i) => ({
        endpoint: ENDPOINTS[i % 3],
        status: STATUSES[i % 3],
        minute: i % 60,
        reasonPick: i % 2,
      })),
      walks: [
        { filter: {}, limit: 50 },
        { filter: {}, limit: 7 },
        { filter: { endpoint: 'beta' }, limit: 33 },
        { filter: { status: 'rejected', reason: 'stale', sinceMinute: 10, untilMinute: 50 }, limit: 9 },
      ],
    },
  ],
];

/** A cursor is a string the store returned: the same cursor wrapped in an array or object is refused. */
async function refusesUntypedCursors(log: EventLog & EventLogReader): Promise<void> {
  for (let i = 0; i < 3; i++)
    await log.record(record(plan([{ endpoint: 'alpha', status: 'challenge', minute: i, reasonPick: 0 }], 900 + i)[0]));
  const { nextCursor } = await log.list({ limit: 1 });
  expect(typeof nextCursor).toBe('string');
  for (const cursor of [[nextCursor], { 0: nextCursor }, 1, null, `${nextCursor} `]) {
    await expect(log.list({ limit: 1, cursor: cursor as string })).rejects.toBeInstanceOf(InvalidCursorError);
  }
}

describe('event listing: every page, each row once, newest first', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('in memory', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(dataSets, async ({ rows: specs, walks }) => {
        const rows = plan(specs, ++run);
        const log = new InMemoryEventLog({
          recentEvents: 2000,
          recentBodyCapBytes: 0,
          // No sampling here: every rejection and challenge is an entry of its own.
          rejectedPerSecond: 1_000_000,
          challengesPerSecond: 1_000_000,
          floodBytesPerSecond: 1e12,
        });
        await write(log, rows);
        for (const { filter, limit } of walks) await walk(log, rows, filter, limit);
      }),
      { numRuns: 25, examples },
    );
  });

  it('in memory: refuses a cursor that is not a string', async () => {
    await refusesUntypedCursors(new InMemoryEventLog());
  });

  describe('on PostgreSQL', () => {
    // No sampling here: every rejection and challenge is a row of its own.
    const pg = eventLogDatabase('listing', {
      rejectedPerSecond: 1_000_000,
      challengesPerSecond: 1_000_000,
      floodBytesPerSecond: 1e12,
      retentionDays: 0,
      maxDelayMs: 1,
    });

    it('with the ids growing from 1 past 1,000', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(dataSets, async ({ rows: specs, walks }) => {
          const rows = plan(specs, ++run);
          // A fresh sequence for every data set: its ids cross every digit boundary up to its size.
          await pg.dataSource.query('TRUNCATE webhook_events RESTART IDENTITY CASCADE');
          await write(pg.log, rows);
          for (const { filter, limit } of walks) await walk(pg.log, rows, filter, limit);
        }),
        { numRuns: 8, examples },
      );
    }, 120_000);

    it('refuses a cursor that is not a string', async () => {
      await pg.dataSource.query('TRUNCATE webhook_events RESTART IDENTITY CASCADE');
      await refusesUntypedCursors(pg.log);
    });
  });
});
