import { WebhookConfigurationError } from '../../core/errors';
import type { BackoffSettings } from '../../core/inbox/inbox-decisions';

/** Options of the inbox's workers (`WebhookModule.forRoot({ inbox })`). @publicApi */
export interface WebhookInboxOptions {
  /** Run workers in this instance; `false` for an instance that only receives. @default true */
  workers?: boolean;
  /** Handlers running at once in this instance. @default 10 */
  concurrency?: number;
  /** Polling interval when no NOTIFY arrives (the fallback), in ms. @default 2000 */
  pollIntervalMs?: number;
  /** A claimed job's lease, extended every third of it while its handler runs. @default 30 */
  leaseSeconds?: number;
  /** Attempts before a job is dead (per handler: `@OnWebhook(…, { maxAttempts })`). @default 8 */
  maxAttempts?: number;
  /** Exponential backoff with full jitter between attempts. @default { baseMs: 1000, maxMs: 3600000 } */
  backoff?: Partial<BackoffSettings>;
  /** An attempt running longer counts as failed (per handler: `timeoutMs`). @default 60000 */
  timeoutMs?: number;
  /** At shutdown, how long in-flight handlers may finish before their jobs are released. @default 10000 */
  shutdownTimeoutMs?: number;
}

/** @internal */
export type ResolvedInboxOptions = Required<Omit<WebhookInboxOptions, 'backoff'>> & { backoff: BackoffSettings };

/** @internal */
export function resolveInboxOptions(options: WebhookInboxOptions | undefined): ResolvedInboxOptions {
  const o = options ?? {};
  const positive = (value: number | undefined, fallback: number, name: string, integer = false) => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
      throw new WebhookConfigurationError(`inbox.${name} must be a positive ${integer ? 'whole ' : ''}number.`);
    }
    return v;
  };
  return {
    workers: o.workers ?? true,
    concurrency: positive(o.concurrency, 10, 'concurrency', true),
    pollIntervalMs: positive(o.pollIntervalMs, 2000, 'pollIntervalMs'),
    leaseSeconds: positive(o.leaseSeconds, 30, 'leaseSeconds'),
    maxAttempts: positive(o.maxAttempts, 8, 'maxAttempts', true),
    backoff: {
      baseMs: positive(o.backoff?.baseMs, 1000, 'backoff.baseMs'),
      maxMs: positive(o.backoff?.maxMs, 3_600_000, 'backoff.maxMs'),
    },
    timeoutMs: positive(o.timeoutMs, 60_000, 'timeoutMs'),
    shutdownTimeoutMs: positive(o.shutdownTimeoutMs, 10_000, 'shutdownTimeoutMs'),
  };
}
