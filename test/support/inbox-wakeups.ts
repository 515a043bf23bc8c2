import type { WebhookInbox } from '../../src/storage/inbox.interface';

/**
 * The workers' loop claims, then waits for work: a wake that comes while a claim is in flight (an
 * acknowledgement that committed after the claim's snapshot) must make the next wait return at once,
 * not after the poll, and only once. `inbox` has no claimable job of `H.run`.
 */
export async function expectWakeKeptAcrossClaim(inbox: WebhookInbox): Promise<void> {
  const claiming = inbox.claim(10, 5000, ['H.run']);
  inbox.wake();
  expect(await claiming).toEqual([]);
  // At once, not after the poll: without the kept wake this wait lasts 20 s (a timer never fires early).
  let started = Date.now();
  await inbox.waitForWork(20_000);
  expect(Date.now() - started).toBeLessThan(5000);
  // Heard once: a wait with no news since waits.
  started = Date.now();
  await inbox.waitForWork(300);
  expect(Date.now() - started).toBeGreaterThanOrEqual(250);
}
