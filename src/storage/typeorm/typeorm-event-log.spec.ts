import { createHash, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  createTestDatabase,
  openDataSource,
  startPrivatePostgres,
  type EmbeddedPostgres,
  type TestDatabase,
} from '../../../test/support/postgres';
import { until } from '../../../test/support/until';
import { EventLogUnavailableError, InvalidCursorError, type WebhookEventRecord } from '../event-log.interface';
import { TypeOrmEventLog, type TypeOrmEventLogOptions } from './typeorm-event-log';

// Against a real PostgreSQL; every test uses endpoints of its own in the file's database.
let seq = 0;
const uniq = (prefix: string) => `${prefix}${++seq}`;

function event(endpoint: string, overrides: Partial<WebhookEventRecord> = {}): WebhookEventRecord {
  const receivedAt = overrides.receivedAt ?? new Date();
  return {
    endpoint,
    provider: 'standard-webhooks',
    messageId: uniq('msg_'),
    status: 'accepted',
    secretVersion: 1,
    receivedAt,
    signedAt: receivedAt,
    replayWindowEndsAt: new Date(receivedAt.getTime() + 300_000),
    method: 'POST',
    path: `/hooks/${endpoint}`,
    headers: { 'content-type': 'application/json', 'webhook-signature': '[redacted]' },
    body: Buffer.from('{"type":"invoice.paid"}'),
    ...overrides,
  };
}

describe('TypeOrmEventLog', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const logs: TypeOrmEventLog[] = [];

  async function eventLog(options: TypeOrmEventLogOptions = {}, ds = dataSource): Promise<TypeOrmEventLog> {
    const log = new TypeOrmEventLog(ds, { pruneIntervalMs: 3_600_000, ...options });
    await log.init();
    logs.push(log);
    return log;
  }

  const rows = (endpoint: string) =>
    dataSource.query(
      `SELECT id::text, status, reason, message_id, occurrences, xmin::text AS xmin FROM webhook_events
        WHERE endpoint = $1 ORDER BY id`,
      [endpoint],
    );

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('events');
    dataSource = await openDataSource(db.url);
  });

  afterEach(async () => {
    await Promise.all(logs.splice(0).map((log) => log.close()));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']);
  });

  it('accepts a message id once and stores every request, with size, SHA-256 and a capped body', async () => {
    const log = await eventLog({ bodyCapBytes: 8 });
    const endpoint = uniq('billing');
    const first = event(endpoint, { messageId: 'msg_1' });
    expect(await log.record(first)).toBe('accepted');
    expect(await log.record({ ...first, receivedAt: new Date() })).toBe('duplicate');
    expect(await log.record(event(endpoint, { status: 'rejected', reason: 'invalid_signature' }))).toBe('rejected');
    expect(await log.record(event(endpoint, { status: 'challenge', messageId: undefined }))).toBe('challenge');
    expect((await rows(endpoint)).map((r: { status: string }) => r.status)).toEqual([
      'accepted',
      'duplicate',
      'rejected',
      'challenge',
    ]);
    const { items } = await log.list({ endpoint, status: 'accepted', limit: 10 });
    const stored = await log.get(items[0].id);
    expect(stored).toMatchObject({
      messageId: 'msg_1',
      status: 'accepted',
      secretVersion: 1,
      method: 'POST',
      path: `/hooks/${endpoint}`,
      headers: { 'content-type': 'application/json', 'webhook-signature': '[redacted]' },
      bodySize: first.body.length,
      bodySha256: createHash('sha256').update(first.body).digest('hex'),
      bodyTruncated: true,
    });
    expect(stored!.body).toEqual(first.body.subarray(0, 8));
    expect(items[0].body).toBeUndefined();
    expect(await log.get('999999999')).toBeUndefined();
    expect(await log.get('not-an-id')).toBeUndefined();
  });

  it('group-commits: concurrent records share a few statements, each resolving with its own outcome', async () => {
    // Budgets above the flood: every duplicate gets its row (written after its batch, see below).
    const log = await eventLog({ batchSize: 100, maxDelayMs: 5, duplicatesPerSecond: 1000, floodBytesPerSecond: 1e9 });
    const endpoint = uniq('batch');
    const records = Array.from({ length: 300 }, (_, i) =>
      event(endpoint, { messageId: `m${i % 150}`, body: randomBytes(1024) }),
    );
    const outcomes = await Promise.all(records.map((r) => log.record(r)));
    // Every id once accepted, its second delivery a duplicate, whatever the batch it landed in.
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(150);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(150);
    const stored = await rows(endpoint);
    expect(stored).toHaveLength(300);
    // One statement = one transaction = one xmin. The accepted rows go in the batches' statements;
    // duplicate rows (known once a batch committed) are grouped the same way afterwards.
    const xmins = (status: string) =>
      new Set(stored.filter((r: { status: string }) => r.status === status).map((r: { xmin: string }) => r.xmin)).size;
    expect(xmins('accepted')).toBeLessThanOrEqual(6);
    expect(xmins('duplicate')).toBeLessThanOrEqual(6);
  });

  it('builds rows when their batch is formed; a record whose row cannot be built fails alone', async () => {
    const log = await eventLog({ batchSize: 100, maxDelayMs: 20 });
    const endpoint = uniq('lazy');
    const broken = event(endpoint, {
      // A provider name that cannot be read as text: its row cannot be built (a caller's bug, not the database's).
      provider: {
        toString: () => {
          throw new TypeError('unreadable provider');
        },
      } as unknown as string,
    });
    const [first, failed, last] = await Promise.allSettled([
      log.record(event(endpoint, { messageId: 'a' })),
      log.record(broken),
      log.record(event(endpoint, { messageId: 'b' })),
    ]);
    expect(first).toEqual({ status: 'fulfilled', value: 'accepted' });
    expect(last).toEqual({ status: 'fulfilled', value: 'accepted' });
    expect(failed.status).toBe('rejected');
    expect((failed as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
    // The two others share one statement (one transaction), and the broken one left no row.
    const stored = await rows(endpoint);
    expect(stored.map((r: { message_id: string }) => r.message_id)).toEqual(['a', 'b']);
    expect(new Set(stored.map((r: { xmin: string }) => r.xmin)).size).toBe(1);
  });

  it('accepts a message id exactly once under 50 concurrent deliveries to two instances', async () => {
    const [a, b] = await Promise.all([eventLog({ maxDelayMs: 1 }), eventLog({ maxDelayMs: 1 })]);
    const endpoint = uniq('race');
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).record(event(endpoint, { messageId: 'same' }))),
    );
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(1);
    const stored = await rows(endpoint);
    expect(stored.filter((r: { status: string }) => r.status === 'accepted')).toHaveLength(1);
    // Every copy is recorded: a row of its own under the duplicates' budget, or counted in a summary.
    await Promise.all([a.flushSummaries(), b.flushSummaries()]);
    const all: Array<{ status: string; occurrences: number }> = await rows(endpoint);
    expect(all.filter((r) => r.status === 'duplicate').reduce((n, r) => n + r.occurrences, 0)).toBe(49);
    expect(all.filter((r) => r.status === 'duplicate').length).toBeLessThan(49);
  });

  /** Holds an exclusive lock on the table, so every write waits. */
  async function lockTable(): Promise<() => Promise<void>> {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query(`LOCK TABLE webhook_events IN ACCESS EXCLUSIVE MODE`);
    return async () => {
      await runner.rollbackTransaction();
      await runner.release();
    };
  }

  /**
   * Whether no statement of an event log (its pool's application_name) runs in this database now:
   * none waits on a lock any more (the server cancelled it, or it went through) nor runs at all.
   */
  const eventLogStatementsDone = async () => {
    const [{ n }] = await dataSource.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'hookwarden-event-log'
          AND (state = 'active' OR wait_event_type = 'Lock')`,
    );
    return n === 0;
  };

  it('answers "unavailable" at the deadline when the database is too slow, and stores nothing', async () => {
    const log = await eventLog({ writeTimeoutMs: 300, retryAfterSeconds: 7 });
    const endpoint = uniq('locked');
    const unlock = await lockTable();
    const started = Date.now();
    const blocked = log.record(event(endpoint, { messageId: 'late' }));
    await expect(blocked).rejects.toBeInstanceOf(EventLogUnavailableError);
    await expect(blocked).rejects.toMatchObject({ retryAfterSeconds: 7 });
    expect(Date.now() - started).toBeLessThan(2000);
    // The server cancels the statement too (statement_timeout), so it never commits: once no
    // statement waits on the lock, the table is unlocked.
    await until(eventLogStatementsDone, 10_000);
    await unlock();
    expect(await log.record(event(endpoint, { messageId: 'late' }))).toBe('accepted');
    expect((await rows(endpoint)).map((r: { status: string }) => r.status)).toEqual(['accepted']);
  });

  it('un-accepts a row that committed after its request was answered 503, so the retry is accepted', async () => {
    const log = await eventLog({ writeTimeoutMs: 300 });
    const endpoint = uniq('unaccepted');
    const unlock = await lockTable();
    await expect(log.record(event(endpoint, { messageId: 'late' }))).rejects.toBeInstanceOf(EventLogUnavailableError);
    await unlock(); // the INSERT may now commit, after its deadline
    // The log un-accepts it by itself, in the background, on a connection of its pool: the retry
    // comes once no statement of the log runs any more and no row of the endpoint is still
    // accepted (in this order: an INSERT that commits between the two checks is seen by the second).
    await until(
      async () =>
        (await eventLogStatementsDone()) &&
        (await rows(endpoint)).every((r: { status: string }) => r.status !== 'accepted'),
      10_000,
    );
    expect(await log.record(event(endpoint, { messageId: 'late' }))).toBe('accepted');
    const stored = await rows(endpoint);
    expect(stored.filter((r: { status: string }) => r.status === 'accepted')).toHaveLength(1);
    for (const row of stored.filter((r: { status: string }) => r.status !== 'accepted')) {
      expect(row).toMatchObject({ status: 'rejected', reason: 'event_log_timeout' });
    }
  });

  it('prunes rows past the retention in small batches, keeping ids that could still be replayed', async () => {
    const log = await eventLog({ retentionDays: 1 });
    const endpoint = uniq('retention');
    const old = new Date(Date.now() - 3 * 86_400_000);
    for (let i = 0; i < 5; i++) {
      await log.record(event(endpoint, { receivedAt: old, replayWindowEndsAt: old }));
    }
    await log.record(event(endpoint, { receivedAt: old, replayWindowEndsAt: new Date(Date.now() + 60_000) }));
    await log.record(event(endpoint));
    expect(await log.prune()).toBeGreaterThanOrEqual(5);
    expect(await rows(endpoint)).toHaveLength(2);
  });

  it('writes a flood of rejections as a few rows and one summary row per reason', async () => {
    const second = Math.floor(Date.now() / 1000) * 1000;
    const log = await eventLog({ rejectedPerSecond: 5, now: () => second + 500 }); // all within one second
    const endpoint = uniq('flood');
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () =>
        log.record(event(endpoint, { status: 'rejected', reason: 'invalid_signature', messageId: undefined })),
      ),
    );
    expect(new Set(outcomes)).toEqual(new Set(['rejected']));
    await log.flushSummaries();
    const stored = await rows(endpoint);
    expect(stored.map((r: { occurrences: number }) => r.occurrences).sort((x: number, y: number) => x - y)).toEqual([
      1, 1, 1, 1, 1, 35,
    ]);
    const page = await log.list({ endpoint, limit: 10 });
    expect(page.items.find((i) => i.occurrences === 35)?.headers['x-hookwarden-summary']).toMatch(/^35 rejected/);
  });

  it('pages newest first with an opaque keyset cursor and refuses a malformed one', async () => {
    const log = await eventLog();
    const endpoint = uniq('pages');
    const base = Date.now() - 60_000;
    // Two rows share each timestamp: the order is the log's (the id).
    for (let i = 0; i < 25; i++) {
      await log.record(event(endpoint, { receivedAt: new Date(base + Math.floor(i / 2) * 1000), messageId: `p${i}` }));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await log.list({ endpoint, limit: 10, cursor });
      seen.push(...page.items.map((i) => i.messageId!));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `p${24 - i}`));
    const filtered = await log.list({
      endpoint,
      limit: 50,
      since: new Date(base + 10_000),
      until: new Date(base + 12_000),
    });
    expect(filtered.items.map((i) => i.messageId)).toEqual(['p23', 'p22', 'p21', 'p20']);
    const forged = (text: string) => Buffer.from(text).toString('base64url');
    const bad = [
      'x',
      'djEuMS4y!',
      forged('v1.1') + '=',
      forged('v1.x'),
      forged('v2.1'),
      forged('v1.99999999999999999999'),
    ];
    for (const cursor of bad) {
      await expect(log.list({ endpoint, limit: 10, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
    }
  });

  it('keeps a batch whole when a row carries text PostgreSQL cannot store', async () => {
    const log = await eventLog();
    const endpoint = uniq('dirty');
    const outcomes = await Promise.all([
      log.record(event(endpoint, { path: '/a\0b', headers: { 'x-a\0': 'v\0' }, messageId: 'id\0x' })),
      log.record(event(endpoint, { messageId: 'x'.repeat(5000) })),
      log.record(event(endpoint)),
    ]);
    expect(outcomes).toEqual(['accepted', 'accepted', 'accepted']);
  });

  it('writes what is queued before closing, then refuses', async () => {
    const log = await eventLog({ maxDelayMs: 50 });
    const endpoint = uniq('closing');
    const pending = log.record(event(endpoint));
    await log.close();
    await expect(pending).resolves.toBe('accepted');
    await expect(log.record(event(endpoint))).rejects.toBeInstanceOf(EventLogUnavailableError);
  });

  describe('with the database stopped mid-run', () => {
    let server: EmbeddedPostgres;
    let ds: DataSource;

    beforeAll(async () => {
      server = await startPrivatePostgres();
      ds = await openDataSource(server.url());
    });

    afterAll(async () => {
      await ds.destroy().catch(() => undefined);
      await server.destroy();
    });

    it('answers "unavailable" while it is down and recovers by itself when it is back', async () => {
      const log = await eventLog({ writeTimeoutMs: 1000 }, ds);
      expect(await log.record(event('down'))).toBe('accepted');
      await server.stop('immediate');
      const started = Date.now();
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => log.record(event('down'))));
      expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof EventLogUnavailableError)).toBe(true);
      expect(Date.now() - started).toBeLessThan(3000);
      await server.start();
      const back = Date.now();
      let status: string | undefined;
      while (!status && Date.now() - back < 5000) {
        status = await log.record(event('down')).catch(() => undefined);
      }
      expect(status).toBe('accepted');
      const [{ count }] = await ds.query(`SELECT count(*)::int AS count FROM webhook_events`);
      expect(count).toBe(2);
    });
  });
});
