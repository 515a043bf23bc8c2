import type { WebhookEventRecord } from '../../src/storage/event-log.interface';

let seq = 0;

/** A name no other test of this process uses: `<prefix><n>_<pid>`. */
export const uniqueName = (prefix: string): string => `${prefix}${++seq}_${process.pid}`;

/** An accepted delivery's record as the verifier writes it (signed now, a 5-minute replay window). */
export function acceptedDelivery(
  endpoint: string,
  messageId: string,
  leaseToken?: string,
  overrides: Partial<WebhookEventRecord> = {},
): WebhookEventRecord {
  const receivedAt = new Date();
  return {
    leaseToken,
    endpoint,
    provider: 'standard-webhooks',
    messageId,
    status: 'accepted',
    receivedAt,
    signedAt: receivedAt,
    replayWindowEndsAt: new Date(receivedAt.getTime() + 300_000),
    method: 'POST',
    path: `/hooks/${endpoint}`,
    headers: {},
    body: Buffer.from('{}'),
    ...overrides,
  };
}
