// The in-memory log seals accepted events with inbox work under a key of its process, and checks
// the seal over the stored bytes, not over a digest kept beside them.
import type { WebhookEventRecord } from '../event-log.interface';
import { InMemoryEventLog } from './in-memory-event-log';

let seq = 0;
const record = (overrides: Partial<WebhookEventRecord> = {}): WebhookEventRecord => ({
  endpoint: 'billing',
  provider: 'stripe',
  messageId: `evt_${++seq}`,
  status: 'accepted',
  eventType: 'invoice.paid',
  receivedAt: new Date(),
  replayWindowEndsAt: new Date(),
  method: 'POST',
  path: '/hooks/billing',
  headers: {},
  body: Buffer.from('{"type":"invoice.paid","amount":100}'),
  work: [{ handler: 'H.run', eventType: 'invoice.paid' }],
  ...overrides,
});

async function newest(log: InMemoryEventLog): Promise<string> {
  return (await log.list({ limit: 1 })).items[0]!.id;
}

describe('InMemoryEventLog seals', () => {
  it('an accepted event with work is intact until its stored bytes change', async () => {
    const log = new InMemoryEventLog();
    await log.record(record());
    const id = await newest(log);
    expect(await log.checkSeal(id)).toBe('intact');
    // The stored copy rewritten in place (same length): the digest shown is recomputed, the seal is not.
    const stored = (await log.get(id))!;
    stored.body!.write('999', stored.body!.indexOf('100'));
    expect(await log.checkSeal(id)).toBe('mismatch');
  });

  it('events without work, rejections and unknown ids have no seal to check', async () => {
    const log = new InMemoryEventLog();
    await log.record(record({ work: undefined }));
    expect(await log.checkSeal(await newest(log))).toBe('unsealed');
    await log.record(record({ status: 'rejected', reason: 'invalid_signature' }));
    expect(await log.checkSeal(await newest(log))).toBe('unsealed');
    expect(await log.checkSeal('424242')).toBeUndefined();
    expect(await log.checkSeal('m1')).toBeUndefined();
  });
});
