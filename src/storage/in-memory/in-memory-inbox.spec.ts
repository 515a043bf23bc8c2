// The in-memory inbox's wake-ups, as the PostgreSQL one's (typeorm-inbox.spec): the workers' loop
// claims, then waits for work, and news between the two must not be lost.
import type { WebhookEventRecord } from '../event-log.interface';
import { InMemoryEventLog } from './in-memory-event-log';
import { InMemoryInbox } from './in-memory-inbox';
import { expectWakeKeptAcrossClaim } from '../../../test/support/inbox-wakeups';

describe('InMemoryInbox', () => {
  it('a wake while a claim is in flight is not lost: the next wait returns at once, not after the poll', () =>
    expectWakeKeptAcrossClaim(new InMemoryInbox()));

  it('a heartbeat extends the leases still held and names the jobs another claim took over', async () => {
    let now = 1_000_000;
    const inbox = new InMemoryInbox({}, () => now);
    const event = (id: string): WebhookEventRecord => ({
      endpoint: 'billing',
      provider: 'stripe',
      messageId: id,
      status: 'accepted',
      receivedAt: new Date(now),
      replayWindowEndsAt: new Date(now),
      method: 'POST',
      path: '/hooks/billing',
      headers: {},
      body: Buffer.from('{}'),
      work: [{ handler: 'H.run' }],
    });
    inbox.add(event('evt_kept'), '1', undefined);
    inbox.add(event('evt_lost'), '2', undefined);
    const [kept, lost] = await inbox.claim(10, 1000, ['H.run']);
    now += 800;
    expect(await inbox.heartbeat([kept!], 1000)).toEqual([]);
    now += 800; // past the claim's lease, within the heartbeat's: only the lost one is claimable
    const takenOver = await inbox.claim(10, 1000, ['H.run']);
    expect(takenOver.map((j) => j.id)).toEqual([lost!.id]);
    expect(await inbox.heartbeat([kept!, lost!], 1000)).toEqual([lost]);
    // The new holder's heartbeat is its own.
    expect(await inbox.heartbeat(takenOver, 1000)).toEqual([]);
  });

  it("withdraws a later acceptance of an id as usual: an earlier acceptance's started jobs do not count", async () => {
    let now = 1_000_000;
    const log = new InMemoryEventLog({ handlingLeaseSeconds: 1 }, () => now);
    const delivery = (token: string): WebhookEventRecord => ({
      endpoint: 'billing',
      provider: 'stripe',
      messageId: 'evt_1',
      leaseToken: token,
      status: 'accepted',
      receivedAt: new Date(now),
      // The id is remembered until then: past it, a redelivery is a new acceptance.
      replayWindowEndsAt: new Date(now + 1500),
      method: 'POST',
      path: '/hooks/billing',
      headers: {},
      body: Buffer.from('{}'),
      work: [{ handler: 'H.run' }],
    });
    await log.record(delivery('A'));
    now += 1100; // the lease ran out unacknowledged: its job runs
    const [job] = await log.inbox.claim(10, 5000, ['H.run']);
    expect(await log.inbox.complete(job!)).toBe(true);
    await log.acknowledge('billing', 'evt_1', 'A');
    now += 1000; // past the replay window: the redelivery is accepted again
    expect(await log.record(delivery('B'))).toBe('accepted');
    await log.release('billing', 'evt_1', 'handler_failed', 'B');
    // Withdrawn: the provider's retry is a new acceptance, not a duplicate of a failed one.
    expect(await log.record(delivery('C'))).toBe('accepted');
  });
});
