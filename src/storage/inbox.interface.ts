import type { InboxJobState } from '../core/inbox/inbox-decisions';
import type { EventSealCheck } from './event-seal-check';

/** One job to write with an accepted event: a handler the event reaches. @publicApi */
export interface InboxWork {
  /** The handler's id (`Class.method`). */
  readonly handler: string;
  readonly eventType?: string;
  /** Jobs of one handler with the same key run one at a time, in arrival order. */
  readonly orderKey?: string;
}

/** A claimed job with the stored event it runs on. @publicApi */
export interface InboxJob {
  readonly id: string;
  readonly eventId: string;
  readonly endpoint: string;
  readonly handler: string;
  readonly eventType?: string;
  readonly orderKey?: string;
  /** This attempt's number, from 1. */
  readonly attempts: number;
  /** The claim's token: only its holder can settle the job. */
  readonly leaseToken: string;
  /** The W3C `traceparent` of the request that stored the event, when it was traced (a span link, nothing else). */
  readonly traceParent?: string;
  /**
   * The event's seal, checked by the store when it holds the master key (undefined otherwise): the
   * workers run no handler on an event that is not `intact`.
   */
  readonly sealCheck?: EventSealCheck;
  readonly event: {
    /** The event's own endpoint and type (the job's columns are not sealed). */
    readonly endpoint?: string;
    readonly eventType?: string;
    readonly provider: string;
    readonly messageId?: string;
    readonly receivedAt: Date;
    readonly signedAt?: Date;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: Buffer;
    readonly secretVersion?: number;
  };
}

/** A job as the admin API lists it. @publicApi */
export interface StoredInboxJob {
  readonly id: string;
  readonly eventId: string;
  readonly endpoint: string;
  readonly handler: string;
  readonly eventType?: string;
  readonly orderKey?: string;
  readonly state: InboxJobState;
  readonly attempts: number;
  readonly runAt: Date;
  readonly leaseUntil?: Date;
  readonly lastError?: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Filters of the job listing and of a bulk redrive. @publicApi */
export interface InboxJobFilter {
  readonly state?: InboxJobState;
  readonly endpoint?: string;
  readonly handler?: string;
  readonly eventType?: string;
  /** The jobs of one stored event (the console's event page). */
  readonly eventId?: string;
  /** Created at or after. */
  readonly since?: Date;
  readonly until?: Date;
}

/** @publicApi */
export interface InboxJobQuery extends InboxJobFilter {
  /** 1 to 500. */
  readonly limit: number;
  /** The previous page's `nextCursor` (jobs are listed newest first). */
  readonly cursor?: string;
}

/** @publicApi */
export interface InboxJobPage {
  readonly items: readonly StoredInboxJob[];
  readonly nextCursor?: string;
}

/** A cheap summary of the inbox for metrics and health (the workers cache it ≥ 1 s). @publicApi */
export interface InboxStats {
  /**
   * Jobs by endpoint, handler and state: pending, running, failed and dead only (succeeded jobs
   * only grow; the handler-duration histogram counts them).
   */
  readonly counts: ReadonlyArray<{ endpoint: string; handler: string; state: InboxJobState; jobs: number }>;
  /** Seconds since the oldest due job (pending or failed past its run time, or a lapsed lease) became due; 0 when none. */
  readonly oldestDueSeconds: number;
}

/**
 * The durable inbox's work rows: one job per (accepted event, handler), written with the event.
 * Workers claim due jobs of acknowledged events under a lease, settle them with the claim's token,
 * and are woken when new work is ready. Both stores implement it (the in-memory one is not durable).
 * @publicApi
 */
export interface WebhookInbox {
  /**
   * Claims up to `limit` due jobs (pending, failed and due, or running past their lease) of
   * accepted, acknowledged events, marking them running until `leaseMs` from now. Jobs of one
   * handler with the same order key are claimed one at a time, oldest first. Only `handlers` are
   * claimed when given (an instance runs the handlers it has).
   */
  claim(limit: number, leaseMs: number, handlers: readonly string[]): Promise<InboxJob[]>;
  /**
   * Extends the leases of jobs still held by these tokens. Resolves to the others, among `jobs`:
   * their lease ran out and another claim (of any worker) may hold them now.
   */
  heartbeat(jobs: readonly InboxJob[], leaseMs: number): Promise<InboxJob[]>;
  /** Succeeded; `false` when the lease was lost (another worker took the job over). */
  complete(job: InboxJob): Promise<boolean>;
  /** Failed (due again at `runAt`) or dead, with the bounded error. */
  fail(job: InboxJob, state: 'failed' | 'dead', runAt: Date, error: string): Promise<void>;
  /** Gives back jobs not started or abandoned at shutdown: pending again, the attempt not counted. */
  release(jobs: readonly InboxJob[]): Promise<void>;
  /**
   * Resolves when work may be ready (this or another instance committed some), or after `ms`; at
   * once when a wake came since the last claim began (work made ready during the claim).
   */
  waitForWork(ms: number): Promise<void>;
  /** Wakes the waiting workers at once (new work, shutdown); remembered for the next wait when none waits. */
  wake(): void;

  list(query: InboxJobQuery): Promise<InboxJobPage>;
  get(id: string): Promise<StoredInboxJob | undefined>;
  /** Sends one failed or dead job back to pending, due now; `undefined` when it is not one. */
  retry(id: string): Promise<StoredInboxJob | undefined>;
  /** Sends the dead jobs matching the filter back to pending; with `dryRun`, only counts them. */
  redrive(filter: InboxJobFilter, dryRun: boolean): Promise<number>;
  /**
   * Runs again the chosen handlers (all of the event's when omitted) on a stored accepted event:
   * their succeeded or dead jobs go back to pending; returns the jobs that will run.
   */
  replay(eventId: string, handlers?: readonly string[]): Promise<StoredInboxJob[]>;
  /** Counts of unfinished and dead work and the oldest due job's age, by one aggregate query. */
  stats?(): Promise<InboxStats>;
}

/** Injection token of the {@link WebhookInbox}. @publicApi */
export const WebhookInbox = Symbol('WebhookInbox');

/** A job listing's cursor that does not parse. @publicApi */
export class InvalidJobCursorError extends Error {
  override readonly name = 'InvalidJobCursorError';
}
