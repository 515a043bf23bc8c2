// How the workers ask the store for work: the claim loop's round trips, with a store whose claims
// take a few milliseconds as PostgreSQL's do (the in-memory inbox behind a delay).
import type { WebhookEventRecord } from '../../storage/event-log.interface';
import { InMemoryInbox } from '../../storage/in-memory/in-memory-inbox';
import type { InboxDispatch } from './inbox-handlers';
import { resolveInboxOptions } from './inbox-options';
import { InboxWorkers } from './inbox-workers';

const record = (i: number): WebhookEventRecord => ({
  endpoint: 'billing',
  provider: 'stripe',
  messageId: `evt_${i}`,
  status: 'accepted',
  receivedAt: new Date(),
  replayWindowEndsAt: new Date(),
  method: 'POST',
  path: '/hooks/billing',
  headers: {},
  body: Buffer.from('{}'),
  work: [{ handler: 'noop' }],
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('InboxWorkers', () => {
  it('after handlers that end at once, the next claim asks for every slot (not the slots of the last claim left over)', async () => {
    const inbox = new InMemoryInbox();
    const limits: number[] = [];
    const claim = inbox.claim.bind(inbox);
    // A round trip per claim, as PostgreSQL's.
    inbox.claim = async (limit, leaseMs, handlers) => {
      limits.push(limit);
      await delay(3);
      return claim(limit, leaseMs, handlers);
    };
    let ran = 0;
    const dispatch = {
      handlers: new Map([['noop', { id: 'noop', endpoint: 'billing', options: {}, run: () => void ran++ }]]),
    } as unknown as InboxDispatch;
    const workers = new InboxWorkers(inbox, dispatch, resolveInboxOptions({ concurrency: 10 }));
    // 6 ready first: the first claim is partial.
    for (let i = 0; i < 6; i++) inbox.add(record(i), String(i), undefined);
    await workers.onApplicationBootstrap();
    try {
      await delay(1);
      for (let i = 6; i < 106; i++) inbox.add(record(i), String(i), undefined);
      while (ran < 106) await delay(5);
    } finally {
      await workers.onModuleDestroy();
    }
    // Every claim after the first asked for all 10 slots: the handlers of the claim before had ended.
    expect(limits.slice(1).filter((limit) => limit !== 10)).toEqual([]);
    expect(limits.length).toBeLessThanOrEqual(1 + Math.ceil(100 / 10) + 2);
  });
});
