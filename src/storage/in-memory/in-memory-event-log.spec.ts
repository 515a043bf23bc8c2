import { createHash } from 'node:crypto';
import { InvalidCursorError, type WebhookEventRecord } from '../event-log.interface';
import { InMemoryAuditLog } from './in-memory-audit-log';
import { InMemoryEventLog } from './in-memory-event-log';

let n = 0;
const event = (overrides: Partial<WebhookEventRecord> = {}): WebhookEventRecord => ({
  endpoint: 'billing',
  provider: 'standard-webhooks',
  messageId: `m${++n}`,
  status: 'accepted',
  receivedAt: new Date(),
  replayWindowEndsAt: new Date(Date.now() + 60_000),
  method: 'POST',
  path: '/hooks/billing',
  headers: {},
  body: Buffer.from('{"a":1}'),
  ...overrides,
});

describe('InMemoryEventLog', () => {
  it('decides duplicates and keeps every request in a bounded ring for the reader', async () => {
    const log = new InMemoryEventLog({ recentEvents: 3, recentBodyCapBytes: 4 });
    expect(await log.record(event({ messageId: 'x' }))).toBe('accepted');
    expect(await log.record(event({ messageId: 'x' }))).toBe('duplicate');
    expect(await log.record(event({ status: 'rejected', reason: 'no_matching_signature' }))).toBe('rejected');
    await log.record(event({ endpoint: 'other' }));
    await log.record(event({ endpoint: 'other' }));
    await log.record(event({ endpoint: 'other' }));
    const page = await log.list({ limit: 10 });
    // Accepted events have a ring of their own: the duplicate and the rejection never evict them.
    expect(page.items.map((e) => [e.id, e.status])).toEqual([
      ['6', 'accepted'],
      ['5', 'accepted'],
      ['4', 'accepted'],
      ['3', 'rejected'],
      ['2', 'duplicate'],
    ]);
    expect(page.items[0].body).toBeUndefined();
    expect(await log.get('1')).toBeUndefined(); // left the ring of accepted events
    expect(await log.get('4')).toMatchObject({ bodySize: 7, bodyTruncated: true, body: Buffer.from('{"a"') });
    // A duplicate keeps no body: its size and SHA-256 only.
    expect(await log.get('2')).toMatchObject({
      bodySize: 7,
      bodySha256: createHash('sha256').update('{"a":1}').digest('hex'),
      bodyTruncated: true,
      body: Buffer.alloc(0),
    });
  });

  // A hostile review's race: a copy that arrived (and passed the tolerance check) before the key's
  // window ended, recorded after it ended (verifying a large body takes time), was accepted again.
  it('judges a copy by its arrival: a key that expired while the copy was verified still makes it a duplicate', async () => {
    let now = 1_000_000;
    const log = new InMemoryEventLog({}, () => now);
    const windowEnd = new Date(now + 3_000);
    const first = event({ messageId: 'evt_edge', receivedAt: new Date(now), replayWindowEndsAt: windowEnd });
    expect(await log.record(first)).toBe('accepted');
    await log.acknowledge('billing', 'evt_edge', first.leaseToken);
    const copyArrived = new Date(now + 2_900);
    now += 3_400; // recorded after the window's end
    const copy = event({ messageId: 'evt_edge', receivedAt: copyArrived, replayWindowEndsAt: windowEnd });
    expect(await log.record(copy)).toBe('duplicate');
  });

  it('gives the SHA-256 of the whole body, also when the stored body is cut', async () => {
    const log = new InMemoryEventLog({ recentBodyCapBytes: 4 });
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    await log.record(event({ body: Buffer.from('abc') }));
    await log.record(event({ body: Buffer.from('{"long":true}') }));
    expect(await log.get('1')).toMatchObject({ bodySha256: sha('abc'), bodyTruncated: false });
    expect(await log.get('2')).toMatchObject({ bodySha256: sha('{"long":true}'), bodyTruncated: true });
    expect((await log.list({ limit: 5 })).items.map((e) => e.bodySha256)).toEqual([sha('{"long":true}'), sha('abc')]);
  });

  it('pages with a cursor, filters, and refuses a malformed cursor', async () => {
    const log = new InMemoryEventLog();
    for (let i = 0; i < 7; i++) await log.record(event({ endpoint: i % 2 ? 'a' : 'b' }));
    const first = await log.list({ endpoint: 'b', limit: 2 });
    const second = await log.list({ endpoint: 'b', limit: 2, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((e) => e.id)).toEqual(['7', '5', '3', '1']);
    expect(second.nextCursor).toBeUndefined();
    await expect(log.list({ limit: 2, cursor: 'nope!' })).rejects.toBeInstanceOf(InvalidCursorError);
  });
});

describe('InMemoryAuditLog', () => {
  it('returns the most recent entries first and stays bounded', async () => {
    const audit = new InMemoryAuditLog(2);
    for (const action of ['a', 'b', 'c']) await audit.record({ actor: 'x', action, at: new Date() });
    expect((await audit.recent(5)).map((e) => e.action)).toEqual(['c', 'b']);
    expect(await audit.recent(0)).toEqual([]);
  });
});
