// The console's chart reads EventLogReader.activity: requests per endpoint, minute, outcome and
// rejection code. Both event logs (a real PostgreSQL and the in-memory one) answer the same known
// traffic with the same counts, a flood counted whole (summary rows stand for all they count), and
// the event type of verified events stored and filtered on. Both logs' clocks stand at minute 1,
// second 30, when the flood arrives.
import { Logger } from '@nestjs/common';
import { eventLogDatabase } from '../../test/support/event-log-database';
import type { EventLog, EventLogReader, WebhookActivityCount, WebhookEventRecord } from './event-log.interface';
import { InMemoryEventLog } from './in-memory/in-memory-event-log';

type Log = EventLog & EventLogReader & { flushSummaries(): Promise<void> | void };

const BASE = Date.UTC(2026, 5, 1, 12, 0); // a whole minute
const at = (minute: number, second = 0) => new Date(BASE + minute * 60_000 + second * 1000);

function event(fields: Partial<WebhookEventRecord> & Pick<WebhookEventRecord, 'status'>): WebhookEventRecord {
  const receivedAt = fields.receivedAt ?? at(0);
  return {
    endpoint: 'alpha',
    provider: 'test',
    receivedAt,
    replayWindowEndsAt: new Date(receivedAt.getTime() + 3_600_000),
    method: 'POST',
    path: '/hooks',
    headers: {},
    body: Buffer.from('{}'),
    ...fields,
  };
}

/** Known traffic: the expected counts below are written out by hand from it. */
async function send(log: Log): Promise<void> {
  const accepted = (id: string, minute: number, eventType?: string) =>
    log.record(event({ status: 'accepted', messageId: id, receivedAt: at(minute, 5), eventType }));
  await accepted('a1', 0, 'invoice.paid');
  await accepted('a2', 0, 'invoice.created');
  await accepted('a3', 1, 'invoice.paid');
  expect(await accepted('a1', 1)).toBe('duplicate');
  const rejected = (reason: string, minute: number, endpoint = 'alpha') =>
    log.record(event({ status: 'rejected', reason, receivedAt: at(minute, 30), endpoint }));
  // A flood in one second, over the budget of 2 per second: 10 requests.
  await Promise.all(Array.from({ length: 10 }, () => rejected('no_matching_signature', 1)));
  await rejected('stale_timestamp', 1);
  await rejected('no_matching_signature', 0, 'beta');
  await log.record(event({ status: 'challenge', receivedAt: at(2) }));
  // Outside the range asked for (another endpoint: alpha's budget for this second is spent, and
  // a summary row is dated when the log counted it, which is "now" below).
  await rejected('no_matching_signature', 5, 'gamma');
  await log.flushSummaries();
}

const EXPECTED: WebhookActivityCount[] = [
  { endpoint: 'alpha', minute: at(0), status: 'accepted', count: 2 },
  { endpoint: 'alpha', minute: at(1), status: 'accepted', count: 1 },
  { endpoint: 'alpha', minute: at(1), status: 'duplicate', count: 1 },
  { endpoint: 'alpha', minute: at(1), status: 'rejected', reason: 'no_matching_signature', count: 10 },
  { endpoint: 'alpha', minute: at(1), status: 'rejected', reason: 'stale_timestamp', count: 1 },
  { endpoint: 'alpha', minute: at(2), status: 'challenge', count: 1 },
  { endpoint: 'beta', minute: at(0), status: 'rejected', reason: 'no_matching_signature', count: 1 },
];

const order = (rows: readonly WebhookActivityCount[]) =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

async function checks(log: Log): Promise<void> {
  await send(log);
  const all = await log.activity!({ since: at(0), until: at(5) });
  expect(order(all)).toEqual(order(EXPECTED));
  const beta = await log.activity!({ since: at(0), until: at(5), endpoint: 'beta' });
  expect(beta).toEqual([EXPECTED[6]]);
  // A range of one minute; an untouched range is empty.
  expect(order(await log.activity!({ since: at(1), until: at(2) }))).toEqual(order(EXPECTED.slice(1, 5)));
  expect(await log.activity!({ since: at(10), until: at(20) })).toEqual([]);

  const paid = await log.list({ eventType: 'invoice.paid', limit: 10 });
  expect(paid.items.map((e) => e.messageId).sort()).toEqual(['a1', 'a3']);
  expect(paid.items.every((e) => e.eventType === 'invoice.paid')).toBe(true);
  expect((await log.list({ eventType: 'invoice.created', limit: 10 })).items.map((e) => e.messageId)).toEqual(['a2']);
  expect((await log.list({ eventType: 'nothing.such', limit: 10 })).items).toEqual([]);
}

describe('event log activity and event type', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('in memory', async () => {
    await checks(new InMemoryEventLog({ rejectedPerSecond: 2, duplicatesPerSecond: 2 }, () => at(1, 30).getTime()));
  });

  describe('TypeORM (PostgreSQL)', () => {
    const db = eventLogDatabase('activity', {
      rejectedPerSecond: 2,
      duplicatesPerSecond: 2,
      now: () => at(1, 30).getTime(),
    });
    it('PostgreSQL', async () => {
      await checks(db.log);
    });
  });
});
