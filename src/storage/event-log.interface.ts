import type { EventSealCheck } from './event-seal-check';
import type { InboxWork } from './inbox.interface';

/** @publicApi */
export type WebhookEventStatus = 'accepted' | 'duplicate' | 'rejected' | 'challenge';

/** One request that reached a webhook endpoint, ready to be recorded. @publicApi */
export interface WebhookEventRecord {
  readonly endpoint: string;
  readonly provider: string;
  /** The provider's message id; accepted events with an id are deduplicated on (endpoint, id). */
  readonly messageId?: string;
  /** What the guard decided; `duplicate` is for the log to decide. */
  readonly status: Exclude<WebhookEventStatus, 'duplicate'>;
  /** The error code of a rejection. */
  readonly reason?: string;
  /**
   * The provider's event type (`invoice.paid`), read where the provider catalogue says it is; only
   * for verified requests (a rejected one's is whatever its sender wrote).
   */
  readonly eventType?: string;
  readonly secretVersion?: number;
  readonly receivedAt: Date;
  readonly signedAt?: Date;
  /**
   * Until when a replay of this message id could still pass verification: the log must remember
   * the id at least that long.
   */
  readonly replayWindowEndsAt: Date;
  readonly method: string;
  readonly path: string;
  /** Headers with credentials and signatures already redacted. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /**
   * `false` when the body carries a credential (Microsoft Graph's clientState): the log keeps its
   * size and SHA-256, never its bytes.
   * @default true
   */
  readonly storeBody?: boolean;
  /**
   * A random token naming this acceptance's holder (the verifier makes one per request): the
   * in-progress lease of an accepted row carries it, and `release`/`acknowledge` given a token act
   * only on the lease it still names, so a stale holder cannot settle a copy that took over.
   * @internal
   */
  readonly leaseToken?: string;
  /**
   * The span context of the request's storage span, so the group-commit batch that writes the row
   * links to it (an OpenTelemetry `SpanContext`; nothing when tracing is off).
   * @internal
   */
  readonly traceContext?: object;
  /**
   * The inbox's jobs for an accepted event: written with the row (in the same statement), and run
   * once the acceptance is acknowledged. An event with work keeps its whole body and is not pruned
   * while a job is unfinished.
   */
  readonly work?: readonly InboxWork[];
}

/**
 * What an event log reports to metrics (see `WebhookModule`'s `metrics` extra). Called on the hot
 * path: it must not throw or block.
 * @publicApi
 */
export interface EventLogObserver {
  /** One group-commit batch settled: its rows, how long its statement took, whether it committed. */
  batchCommitted(rows: number, seconds: number, committed: boolean): void;
}

/**
 * The record of every request an endpoint received, and the arbiter of duplicates: `record`
 * resolves once the event is stored (a 2xx waits for it) with `duplicate` when an accepted event
 * with the same (endpoint, message id) is already there.
 * @publicApi
 */
export interface EventLog {
  record(event: WebhookEventRecord): Promise<WebhookEventStatus>;
  /**
   * Withdraws the acceptance of a message id whose handler failed (the row becomes `rejected` with
   * the given reason), so the provider's retry is accepted and handled again instead of being
   * answered as a duplicate. With a `leaseToken`, only while the lease is still that holder's.
   */
  release?(endpoint: string, messageId: string, reason: string, leaseToken?: string): Promise<void>;
  /**
   * Marks the acceptance of a message id as acknowledged: its handler succeeded and the 2xx is
   * going out. Until then the acceptance is in progress (see `resolveDuplicate`); an acknowledged
   * acceptance is never released. With a `leaseToken`, only while the lease is still that holder's.
   * A log that settles in memory may return nothing: the guard then lets the 2xx go out in the same
   * turn instead of after a promise (a store that writes anywhere returns its promise).
   */
  acknowledge?(endpoint: string, messageId: string, leaseToken?: string): Promise<void> | void;
  /**
   * Called when `record` answered `duplicate`: whether the accepted delivery is `acknowledged` (the
   * copy may be answered 2xx), still `in_progress` (its answer has not gone out: the copy must not
   * be acknowledged, as the handler may yet fail), or `claimed`: the in-progress lease ran out (the
   * process that held it died or hung), and this copy now holds it (under `leaseToken`) and must be handled.
   */
  resolveDuplicate?(endpoint: string, messageId: string, leaseToken?: string): Promise<DuplicateState>;
  /** Rows waiting for a batch (the metrics gauge and the health indicator read it). */
  queueDepth?(): number;
  /** Whether a row could be written now (a database that answers and is not read-only). */
  checkWritable?(): Promise<boolean>;
}

/** @publicApi */
export type DuplicateState = 'acknowledged' | 'in_progress' | 'claimed';

/** Injection token of the {@link EventLog}. @publicApi */
export const EventLog = Symbol('WebhookEventLog');

/**
 * The event log could not store an event in time (database down, slow past its deadline). The
 * request is answered 503 with Retry-After and is not acknowledged, so the provider retries.
 * @publicApi
 */
export class EventLogUnavailableError extends Error {
  override readonly name = 'EventLogUnavailableError';
  constructor(
    message = 'The webhook event log is unavailable.',
    /** Seconds the sender should wait before retrying. */
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

/**
 * A copy of a delivery whose first acceptance has not been answered yet: the copy is answered 503
 * `delivery_in_progress` with Retry-After, never 2xx, so the provider retries it.
 * @publicApi
 */
export class DeliveryInProgressError extends Error {
  override readonly name = 'DeliveryInProgressError';
  constructor(
    message = 'This delivery is being handled; retry later.',
    /** Seconds the sender should wait before retrying. */
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

/** A stored event as the admin API shows it. Headers are already redacted. @publicApi */
export interface StoredWebhookEvent {
  /** Opaque, unique id of the row. */
  readonly id: string;
  readonly endpoint: string;
  readonly provider: string;
  readonly messageId?: string;
  readonly status: WebhookEventStatus;
  readonly reason?: string;
  readonly eventType?: string;
  readonly secretVersion?: number;
  readonly receivedAt: Date;
  readonly signedAt?: Date;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Size and SHA-256 (hex) of the whole body, kept even when the body itself is not. */
  readonly bodySize: number;
  readonly bodySha256: string;
  /** The stored body (up to the configured cap); only `get` returns it. */
  readonly body?: Buffer;
  /** Whether the stored body is shorter than the received one. */
  readonly bodyTruncated?: boolean;
  /**
   * Set on a summary row only: during a flood of rejected requests, the log stores a limited number
   * per second one by one and counts the rest, per endpoint and reason, in one row per second.
   */
  readonly occurrences?: number;
}

/** Filters of the admin event listing; results are newest first. @publicApi */
export interface WebhookEventQuery {
  readonly endpoint?: string;
  readonly status?: WebhookEventStatus;
  readonly reason?: string;
  readonly eventType?: string;
  readonly since?: Date;
  readonly until?: Date;
  /** 1 to 500. */
  readonly limit: number;
  /** The `nextCursor` of the previous page (keyset pagination). */
  readonly cursor?: string;
}

/** @publicApi */
export interface WebhookEventPage {
  readonly items: readonly StoredWebhookEvent[];
  readonly nextCursor?: string;
}

/**
 * Read access to the event log for the admin API. A malformed cursor is refused with
 * `InvalidCursorError`, never a 500.
 * @publicApi
 */
export interface EventLogReader {
  list(query: WebhookEventQuery): Promise<WebhookEventPage>;
  get(id: string): Promise<StoredWebhookEvent | undefined>;
  /**
   * Requests per endpoint, minute, outcome and code in `[since, until)` (the console's chart).
   * Optional, so a reader written before it still compiles; both stores implement it.
   */
  activity?(query: WebhookActivityQuery): Promise<readonly WebhookActivityCount[]>;
  /**
   * Recomputes the keyed seal of an accepted event with inbox work over the stored row (its body
   * hashed again), for replay with `reverify`; undefined for an id that is not one. Optional: a
   * reader without it cannot reverify, and such a replay is refused.
   */
  checkSeal?(id: string): Promise<EventSealCheck | undefined>;
}

export type { EventSealCheck } from './event-seal-check';

/** The range of {@link EventLogReader.activity}: cut to whole minutes, at most the last day of it. @publicApi */
export interface WebhookActivityQuery {
  readonly since: Date;
  readonly until: Date;
  readonly endpoint?: string;
}

/** How many requests one endpoint had in one minute with one outcome and code. @publicApi */
export interface WebhookActivityCount {
  readonly endpoint: string;
  /** The start of the minute (UTC). */
  readonly minute: Date;
  readonly status: WebhookEventStatus;
  /** The code of rejections; absent otherwise. */
  readonly reason?: string;
  /** Requests, summary rows counted for all they stand for. */
  readonly count: number;
}

/** The longest range {@link EventLogReader.activity} answers: a day. @internal */
export const MAX_ACTIVITY_MINUTES = 24 * 60;

/** The query's range cut to whole minutes and at most a day (ending at `until`). @internal */
export function activityRange(query: WebhookActivityQuery): { since: number; until: number } {
  const until = Math.ceil(query.until.getTime() / 60_000) * 60_000;
  const since = Math.max(Math.floor(query.since.getTime() / 60_000) * 60_000, until - MAX_ACTIVITY_MINUTES * 60_000);
  return { since, until: Math.max(since, until) };
}

/** Injection token of the {@link EventLogReader}. @publicApi */
export const EventLogReader = Symbol('WebhookEventLogReader');

/** @publicApi */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}
