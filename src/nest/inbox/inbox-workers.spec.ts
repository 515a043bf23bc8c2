// How the workers ask the store for work: the claim loop's round trips, with a store whose claims
// take a few milliseconds as PostgreSQL's do (the in-memory inbox behind a delay).
import type { WebhookEventRecord } from '../../storage/event-log.interface';
import { InMemoryInbox } from '../../storage/in-memory/in-memory-inbox';
import type { InboxDispatch } from './inbox-handlers';
import { resolveInboxOptions } from './inbox-options';
import { InboxWorkers } from './inbox-workers';
import { until } from '../../../test/support/until';

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

/** One handler, 'slow', that tells each run's start and runs until its signal is aborted. */
function untilAborted(started: (id: string, signal: AbortSignal) => void): InboxDispatch {
  const run = (delivery: { id: string }, context: { signal: AbortSignal }) => {
    started(delivery.id, context.signal);
    return new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
  };
  return {
    handlers: new Map([['slow', { id: 'slow', endpoint: 'billing', options: {}, run }]]),
  } as unknown as InboxDispatch;
}

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

  it("aborts a running handler's signal when its lease was lost to another claim, and only then", async () => {
    let now = 1_000_000;
    const inbox = new InMemoryInbox({}, () => now);
    const signals = new Map<string, AbortSignal>();
    const dispatch = untilAborted((id, signal) => signals.set(id, signal));
    // Heartbeats every 100 ms of real time; the lease itself is read on the injected clock.
    const workers = new InboxWorkers(
      inbox,
      dispatch,
      resolveInboxOptions({ leaseSeconds: 0.3, timeoutMs: 60_000, shutdownTimeoutMs: 100 }),
    );
    inbox.add({ ...record(1), work: [{ handler: 'slow' }] }, '1', undefined);
    inbox.add({ ...record(2), work: [{ handler: 'slow' }] }, '2', undefined);
    await workers.onApplicationBootstrap();
    try {
      while (signals.size < 2) await delay(5);
      await delay(350); // heartbeats came and kept both: nothing aborted
      expect([...signals.values()].map((signal) => signal.aborted)).toEqual([false, false]);
      // This instance stalled: both leases ran out, and another worker claimed one of the jobs.
      now += 60_000;
      const [first] = await inbox.claim(1, 60_000, ['slow']);
      expect(first?.event.messageId).toBeDefined();
      await until(() => signals.get(first!.event.messageId!)!.aborted);
      const other = [...signals.entries()].find(([id]) => id !== first!.event.messageId)![1];
      expect(other.aborted).toBe(false);
    } finally {
      await workers.onModuleDestroy();
    }
  });

  it('when this instance claims again a job whose lease ran out here, aborts the old run and keeps the new one', async () => {
    let now = 1_000_000;
    const inbox = new InMemoryInbox({}, () => now);
    const runs: Array<{ id: string; signal: AbortSignal }> = [];
    const dispatch = untilAborted((id, signal) => runs.push({ id, signal }));
    const workers = new InboxWorkers(
      inbox,
      dispatch,
      resolveInboxOptions({ leaseSeconds: 0.3, timeoutMs: 60_000, shutdownTimeoutMs: 100, pollIntervalMs: 20 }),
    );
    inbox.add({ ...record(1), work: [{ handler: 'slow' }] }, '1', undefined);
    await workers.onApplicationBootstrap();
    try {
      await until(() => runs.length === 1);
      // This process stalled past the lease: its own next claim takes the job again.
      now += 60_000;
      await until(() => runs.length === 2);
      // The heartbeat finds the first claim's lease lost: that run is aborted, the new one kept.
      await until(() => runs[0]!.signal.aborted);
      await delay(250); // more heartbeats: the new claim's lease is extended, never reported lost
      expect(runs.map((run) => [run.id, run.signal.aborted])).toEqual([
        ['evt_1', true],
        ['evt_1', false],
      ]);
    } finally {
      await workers.onModuleDestroy();
    }
  });
});
