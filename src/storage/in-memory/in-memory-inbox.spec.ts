// The in-memory inbox's wake-ups, as the PostgreSQL one's (typeorm-inbox.spec): the workers' loop
// claims, then waits for work, and news between the two must not be lost.
import { InMemoryInbox } from './in-memory-inbox';

describe('InMemoryInbox', () => {
  it('a wake while a claim is in flight is not lost: the next wait returns at once, not after the poll', async () => {
    const inbox = new InMemoryInbox();
    const claiming = inbox.claim(10, 5000, ['H.run']);
    inbox.wake();
    expect(await claiming).toEqual([]);
    let started = Date.now();
    await inbox.waitForWork(5000);
    expect(Date.now() - started).toBeLessThan(1000);
    started = Date.now();
    await inbox.waitForWork(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
