// Replays of a signed delivery cost nothing to send (a captured request, sent again): each one is a
// `duplicate`, and before the fix each was stored as a full row with its whole body and no budget.
// Now a duplicate never keeps its body (its size and SHA-256 say it was the same bytes), duplicates
// are stored under a per-endpoint budget like rejections (the rest counted in a summary row), and
// in memory no flood of duplicates, rejections or challenges can push an accepted event out of the
// ring. Stored rows never keep incoming headers named like Hookwarden's own markers
// (`x-hookwarden-*`), so a summary or truncation note in a row is always Hookwarden's.
// On the in-memory log and on PostgreSQL; digests computed here with node:crypto.
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { eventLogDatabase, listAllEvents } from '../../test/support/event-log-database';
import type {
  EventLog,
  EventLogReader,
  StoredWebhookEvent,
  WebhookEventRecord,
  WebhookEventStatus,
} from './event-log.interface';
import { InMemoryEventLog } from './in-memory/in-memory-event-log';

const REPLAYS = 1000;
const BUDGET = 7;
const BODY = Buffer.from(JSON.stringify({ type: 'invoice.paid', pad: 'p'.repeat(60_000) }));
const BODY_SHA256 = createHash('sha256').update(BODY).digest('hex');

type Log = EventLog & EventLogReader & { flushSummaries(): Promise<void> | void };

function delivery(endpoint: string, at: number, headers: Record<string, string> = {}): WebhookEventRecord {
  return {
    endpoint,
    provider: 'standard-webhooks',
    messageId: 'msg_replayed',
    status: 'accepted',
    secretVersion: 1,
    receivedAt: new Date(at),
    signedAt: new Date(at),
    replayWindowEndsAt: new Date(at + 600_000),
    method: 'POST',
    path: `/hooks/${endpoint}`,
    headers: { 'content-type': 'application/json', ...headers },
    body: BODY,
  };
}

/** One accepted delivery, then REPLAYS byte-identical copies within two seconds of a fake clock. */
async function replayFlood(log: Log, clock: { now: number }, endpoint: string): Promise<StoredWebhookEvent[]> {
  const start = Math.ceil(clock.now / 1000) * 1000;
  clock.now = start;
  expect(await log.record(delivery(endpoint, clock.now))).toBe('accepted');
  await log.acknowledge?.(endpoint, 'msg_replayed');
  const outcomes: Array<Promise<WebhookEventStatus>> = [];
  for (let i = 0; i < REPLAYS; i++) {
    clock.now = start + Math.floor((i * 2000) / REPLAYS);
    outcomes.push(log.record(delivery(endpoint, clock.now)));
  }
  // Every copy is still told it is a duplicate: the budget limits what is written, not the answer.
  expect(new Set(await Promise.all(outcomes))).toEqual(new Set(['duplicate']));
  await log.flushSummaries();

  const rows = await listAllEvents(log, endpoint);
  const accepted = rows.filter((r) => r.status === 'accepted');
  const duplicates = rows.filter((r) => r.status === 'duplicate');
  expect(accepted).toHaveLength(1);
  expect(accepted[0]).toMatchObject({ bodySize: BODY.length, bodySha256: BODY_SHA256 });
  const single = duplicates.filter((r) => r.occurrences === undefined);
  const summaries = duplicates.filter((r) => r.occurrences !== undefined);
  // At most BUDGET rows one by one in each of the two seconds, the rest counted. (PostgreSQL knows a
  // copy is a duplicate once its batch committed, by when the fake clock may be in the second one.)
  expect(single.length).toBeGreaterThanOrEqual(BUDGET);
  expect(single.length).toBeLessThanOrEqual(2 * BUDGET);
  expect(summaries.length).toBeGreaterThanOrEqual(1);
  expect(single.length + summaries.reduce((n, r) => n + r.occurrences!, 0)).toBe(REPLAYS);
  for (const row of single) {
    // Same size and digest as the accepted row: the copy was the same bytes; the bytes are not kept.
    expect(row).toMatchObject({ bodySize: BODY.length, bodySha256: BODY_SHA256, bodyTruncated: true });
    const full = (await log.get(row.id))!;
    expect(full.body?.length ?? 0).toBe(0);
  }
  expect((await log.get(accepted[0].id))!.body).toEqual(BODY);
  return rows;
}

/** A request that carries Hookwarden's own marker headers, hoping they read as Hookwarden's notes. */
const FORGED = {
  'x-hookwarden-summary': '48211 rejected requests from 2026-12-01T00:00:00Z to 2026-12-01T00:10:00Z',
  'X-Hookwarden-Truncated': 'cut: nothing',
  'x-hookwarden-anything': 'x',
};

async function forgedMarkers(log: Log, clock: { now: number }): Promise<void> {
  clock.now = Math.ceil(clock.now / 1000) * 1000 + 10_000;
  const base = { ...delivery('spoof', clock.now, FORGED), messageId: 'spoof-1' };
  await log.record(base);
  await log.record({ ...base, status: 'rejected', reason: 'no_matching_signature', messageId: undefined });
  await log.record({ ...base, status: 'challenge', messageId: undefined, secretVersion: undefined });
  await log.record(base); // a duplicate
  // Past the rejection budget: the rest are counted in a genuine summary row.
  for (let i = 0; i < BUDGET + 3; i++) {
    await log.record({ ...base, status: 'rejected', reason: 'no_matching_signature', messageId: undefined });
  }
  await log.flushSummaries();
  const rows = await listAllEvents(log, 'spoof');
  expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['accepted', 'rejected', 'challenge', 'duplicate']));
  for (const row of rows) {
    const { headers } = (await log.get(row.id))!;
    const own = Object.entries(headers).filter(([name]) => name.toLowerCase().startsWith('x-hookwarden-'));
    if (row.occurrences !== undefined) {
      // The one marker of a summary row is Hookwarden's, with the real count.
      expect(own).toEqual([['x-hookwarden-summary', expect.stringMatching(new RegExp(`^${row.occurrences} `))]]);
    } else {
      for (const [name, value] of own) {
        expect(name).toBe('x-hookwarden-truncated');
        expect(value).not.toBe(FORGED['X-Hookwarden-Truncated']);
      }
      expect(Object.keys(headers).map((n) => n.toLowerCase())).not.toContain('x-hookwarden-summary');
      expect(headers['content-type']).toBe('application/json');
    }
  }
}

describe('replayed deliveries and forged markers', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  describe('in memory', () => {
    it('1,000 replays leave the accepted row, a few body-less duplicate rows and a count', async () => {
      const clock = { now: Date.UTC(2026, 0, 1) };
      const log = new InMemoryEventLog(
        { recentEvents: 5000, recentBodyCapBytes: 100_000, duplicatesPerSecond: BUDGET },
        () => clock.now,
      );
      await replayFlood(log, clock, 'billing');
    });

    it('an accepted event survives a long flood of duplicates, rejections and challenges', async () => {
      const clock = { now: Date.UTC(2026, 0, 1) };
      const log = new InMemoryEventLog(
        {
          recentEvents: 50,
          recentBodyCapBytes: 100_000,
          rejectedPerSecond: BUDGET,
          challengesPerSecond: BUDGET,
          duplicatesPerSecond: BUDGET,
        },
        () => clock.now,
      );
      expect(await log.record(delivery('billing', clock.now))).toBe('accepted');
      // 60 seconds at the budget: far more entries than the ring holds, all within the budget.
      for (let s = 0; s < 60; s++) {
        clock.now += 1000;
        for (let i = 0; i < 3 * BUDGET; i++) {
          await log.record(delivery('billing', clock.now));
          await log.record({
            ...delivery('billing', clock.now),
            status: 'rejected',
            reason: 'x',
            messageId: undefined,
          });
          await log.record({ ...delivery('billing', clock.now), status: 'challenge', messageId: undefined });
        }
      }
      await log.flushSummaries();
      const rows = await listAllEvents(log);
      const accepted = rows.filter((r) => r.status === 'accepted');
      expect(accepted).toHaveLength(1);
      expect((await log.get(accepted[0].id))!.body).toEqual(BODY);
      // The flood is still visible: its newest entries are browsable too.
      expect(rows.filter((r) => r.status !== 'accepted').length).toBeGreaterThan(0);
    });

    it('keeps no forged x-hookwarden-* header in any row', async () => {
      const clock = { now: Date.UTC(2026, 0, 1) };
      await forgedMarkers(new InMemoryEventLog({ rejectedPerSecond: BUDGET }, () => clock.now), clock);
    });
  });

  describe('on PostgreSQL', () => {
    const clock = { now: Date.now() };
    const pg = eventLogDatabase('dupflood', {
      rejectedPerSecond: BUDGET,
      duplicatesPerSecond: BUDGET,
      maxDelayMs: 1,
      // The fake clock jumps two seconds during the flood: no deadline may pass meanwhile.
      writeTimeoutMs: 60_000,
      now: () => clock.now,
    });

    it('1,000 replays leave the accepted row, a few body-less duplicate rows and a count', async () => {
      await replayFlood(pg.log, clock, 'billing');
      const [{ bytes, rows }] = await pg.dataSource.query(
        `SELECT coalesce(sum(octet_length(body)), 0)::int AS bytes, count(*)::int AS rows
           FROM webhook_events WHERE endpoint = 'billing' AND status = 'duplicate'`,
      );
      expect(bytes).toBe(0);
      expect(rows).toBeLessThanOrEqual(2 * BUDGET + 2);
    });

    it('keeps no forged x-hookwarden-* header in any row', async () => {
      await forgedMarkers(pg.log, clock);
    });
  });
});
