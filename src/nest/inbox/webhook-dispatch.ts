import type { InboxWork } from '../../storage/inbox.interface';
import type { IncomingWebhook } from '../http-request';
import type { ResolvedEndpoint } from '../webhook-config';
import type { VerifiedWebhook } from '../verified-webhook';

/**
 * The port through which accepted deliveries reach asynchronous processing. The verifier asks it,
 * on the 2xx path, for the work of an accepted delivery, and writes that work with the event's row
 * (one statement), so "2xx" implies "will be processed". The default is the inbox
 * ({@link InboxDispatch}: jobs per `@OnWebhook` handler, run by the workers of every instance). An
 * adapter handing events to an existing queue (BullMQ…) would provide this token, return no work
 * and enqueue from `acknowledged`; the guard is not involved either way.
 * @publicApi
 */
export interface WebhookDispatch {
  /**
   * Synchronous and cheap: it runs before the row is written. `undefined` when nothing is to run.
   * The delivery's `eventType` is the one the event log records.
   */
  plan(
    endpoint: ResolvedEndpoint,
    delivery: VerifiedWebhook,
    incoming: IncomingWebhook,
  ): readonly InboxWork[] | undefined;
  /** After the acceptance was acknowledged (the 2xx goes out). */
  acknowledged?(delivery: VerifiedWebhook): void;
}

/** Injection token of the {@link WebhookDispatch}. @publicApi */
export const WebhookDispatch = Symbol('WebhookDispatch');
