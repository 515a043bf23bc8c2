import type { VerifiedWebhook } from '../verified-webhook';

/** @internal */
export const ON_WEBHOOK_METADATA = 'hookwarden:on-webhook';

/** Per-handler settings of `@OnWebhook`. @publicApi */
export interface OnWebhookOptions<TPayload = unknown> {
  /** Attempts before the job is dead; the module's `inbox.maxAttempts` by default. */
  readonly maxAttempts?: number;
  /** Past this, an attempt counts as failed (the handler is not stopped: watch `context.signal`). */
  readonly timeoutMs?: number;
  /**
   * The ordering key of a delivery (e.g. the Stripe object id): this handler's jobs with the same
   * key run one at a time, in arrival order. Computed when the event is accepted.
   */
  readonly orderKey?: (delivery: VerifiedWebhook<TPayload>) => string | undefined;
}

/** What a handler receives besides the delivery. @publicApi */
export interface WebhookJobContext {
  readonly jobId: string;
  readonly eventId: string;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  readonly eventType?: string;
  /** Aborted when the attempt timed out or the app is shutting down past its deadline. */
  readonly signal: AbortSignal;
}

/** @internal */
export interface OnWebhookMetadata {
  readonly endpoint: string;
  readonly types?: readonly string[];
  readonly options: OnWebhookOptions;
}

/**
 * Runs this method after the 2xx, for every accepted delivery of `endpoint` whose event type matches
 * one of `types` (`'invoice.paid'`, `'invoice.*'`, `'*'`; all events when omitted). The method gets
 * the verified delivery and a {@link WebhookJobContext}; a throw retries it with backoff (a
 * `RetryLater` chooses the delay) until `maxAttempts`, then it is dead. Each handler has its own
 * job, so one failing neither re-runs nor blocks the others. Put it on a method of any provider.
 * @publicApi
 * @example @OnWebhook('stripe', 'invoice.*') async onInvoice(event: VerifiedWebhook<Stripe.Event>) {}
 */
export function OnWebhook<TPayload = unknown>(
  endpoint: string,
  types?: string | readonly string[],
  options: OnWebhookOptions<TPayload> = {},
): MethodDecorator {
  const metadata: OnWebhookMetadata = {
    endpoint,
    types: types === undefined ? undefined : typeof types === 'string' ? [types] : [...types],
    options: options as OnWebhookOptions,
  };
  return (_target, _key, descriptor) => {
    const list = (Reflect.getMetadata(ON_WEBHOOK_METADATA, descriptor.value as object) ?? []) as OnWebhookMetadata[];
    Reflect.defineMetadata(ON_WEBHOOK_METADATA, [...list, metadata], descriptor.value as object);
    return descriptor;
  };
}
