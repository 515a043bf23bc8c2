import type { VerifiedWebhook } from './verified-webhook';

/**
 * The delivery WebhookGuard accepted, per platform request, for `@WebhookEvent()`. A WeakMap
 * rather than a property on the request: adding a property to Node's request objects changes
 * their hidden class and measured ~4 µs per request on Express; the entry goes with the request.
 * @internal
 */
export const verifiedDeliveries = new WeakMap<object, VerifiedWebhook>();
