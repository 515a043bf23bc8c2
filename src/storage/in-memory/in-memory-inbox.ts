import { randomBytes } from 'node:crypto';
import type { InboxJobState } from '../../core/inbox/inbox-decisions';
import { toTraceParent } from '../../core/trace-parent';
import type { WebhookEventRecord } from '../event-log.interface';
import {
  InvalidJobCursorError,
  type InboxJob,
  type InboxJobFilter,
  type InboxJobPage,
  type InboxJobQuery,
  type InboxStats,
  type StoredInboxJob,
  type WebhookInbox,
} from '../inbox.interface';
import { WorkSignal } from '../work-signal';

interface MemoryJob {
  id: number;
  eventId: string;
  /** endpoint + message id while the acceptance is in progress; undefined once runnable. */
  awaiting?: string;
  endpoint: string;
  handler: string;
  eventType?: string;
  orderKey?: string;
  state: InboxJobState;
  attempts: number;
  runAt: number;
  leaseUntil?: number;
  leaseToken?: string;
  lastError?: string;
  createdAt: number;
  updatedAt: number;
  traceParent?: string;
  event: InboxJob['event'];
}

/** @publicApi */
export interface InMemoryInboxOptions {
  /** Finished jobs kept for the admin API; the oldest go first. Unfinished jobs are never dropped. @default 10000 */
  maxFinishedJobs?: number;
}

/**
 * The inbox in process memory, for apps without a database: same API and semantics as the
 * PostgreSQL one within one process, but NOT durable: jobs not finished when the process stops are
 * lost, and instances do not share work.
 * @publicApi
 */
export class InMemoryInbox implements WebhookInbox {
  private readonly jobs = new Map<number, MemoryJob>();
  private seq = 0;
  private finished = 0;
  private readonly maxFinished: number;
  private readonly signal = new WorkSignal();

  constructor(
    options: InMemoryInboxOptions = {},
    private readonly now: () => number = Date.now,
    /**
     * Whether the acceptance a job waits for (`awaiting`) is still in progress under its lease; false
     * releases the job to run (its lease ran out though no acknowledgement came: one that failed
     * after the 2xx is never sent again), as in PostgreSQL. The event log then no longer withdraws
     * that acceptance.
     */
    private readonly inProgress: (awaiting: string) => boolean = () => true,
  ) {
    this.maxFinished = Math.max(0, options.maxFinishedJobs ?? 10_000);
  }

  /** Called by the event log when it accepted an event with work. */
  add(record: WebhookEventRecord, eventId: string, awaiting: string | undefined): void {
    const now = this.now();
    const event: InboxJob['event'] = {
      provider: record.provider,
      messageId: record.messageId,
      receivedAt: record.receivedAt,
      signedAt: record.signedAt,
      headers: record.headers,
      body: Buffer.from(record.body ?? Buffer.alloc(0)),
      secretVersion: record.secretVersion,
    };
    const traceParent = toTraceParent(record.traceContext);
    for (const work of record.work ?? []) {
      const id = ++this.seq;
      this.jobs.set(id, {
        id,
        eventId,
        awaiting,
        endpoint: record.endpoint,
        handler: work.handler,
        eventType: work.eventType,
        orderKey: work.orderKey,
        state: 'pending',
        attempts: 0,
        runAt: now,
        createdAt: now,
        updatedAt: now,
        traceParent,
        event,
      });
    }
    if (awaiting === undefined) this.wake();
  }

  /** The acceptance was acknowledged (its 2xx goes out): its jobs may run. */
  acknowledged(key: string): void {
    let any = false;
    for (const job of this.jobs.values()) {
      if (job.awaiting === key) {
        job.awaiting = undefined;
        any = true;
      }
    }
    if (any) this.wake();
  }

  /** The acceptance was withdrawn (the route handler failed): its jobs go, the provider's retry brings new ones. */
  withdrawn(key: string): void {
    for (const [id, job] of this.jobs) if (job.awaiting === key) this.jobs.delete(id);
  }

  async claim(limit: number, leaseMs: number, handlers: readonly string[]): Promise<InboxJob[]> {
    this.signal.claiming();
    const now = this.now();
    const wanted = new Set(handlers);
    const blocked = new Set<string>();
    const claimed: InboxJob[] = [];
    // Ids grow with arrival: the first unfinished job of an order key is the only one that may run.
    for (const job of this.jobs.values()) {
      if (claimed.length >= limit) break;
      const key = job.orderKey === undefined ? undefined : `${job.endpoint}\u0000${job.handler}\u0000${job.orderKey}`;
      const unfinished = job.state === 'pending' || job.state === 'running' || job.state === 'failed';
      if (key !== undefined && unfinished && blocked.has(key)) continue;
      if (key !== undefined && unfinished) blocked.add(key);
      if (!wanted.has(job.handler)) continue;
      if (job.awaiting !== undefined) {
        if (this.inProgress(job.awaiting)) continue;
        job.awaiting = undefined;
      }
      const due =
        ((job.state === 'pending' || job.state === 'failed') && job.runAt <= now) ||
        (job.state === 'running' && (job.leaseUntil ?? 0) <= now);
      if (!due) continue;
      job.state = 'running';
      job.attempts++;
      job.leaseUntil = now + leaseMs;
      job.leaseToken = randomBytes(12).toString('base64url');
      job.updatedAt = now;
      claimed.push(toJob(job));
    }
    return claimed;
  }

  async heartbeat(jobs: readonly InboxJob[], leaseMs: number): Promise<InboxJob[]> {
    const now = this.now();
    const lost: InboxJob[] = [];
    for (const j of jobs) {
      const job = this.held(j);
      if (job) job.leaseUntil = now + leaseMs;
      else lost.push(j);
    }
    return lost;
  }

  async complete(j: InboxJob): Promise<boolean> {
    const job = this.held(j);
    if (!job) return false;
    this.settle(job, 'succeeded', this.now(), undefined);
    return true;
  }

  async fail(j: InboxJob, state: 'failed' | 'dead', runAt: Date, error: string): Promise<void> {
    const job = this.held(j);
    if (job) this.settle(job, state, runAt.getTime(), error);
  }

  async release(jobs: readonly InboxJob[]): Promise<void> {
    for (const j of jobs) {
      const job = this.held(j);
      if (!job) continue;
      job.state = 'pending';
      job.attempts = Math.max(0, job.attempts - 1);
      job.leaseUntil = undefined;
      job.leaseToken = undefined;
      job.updatedAt = this.now();
    }
    if (jobs.length > 0) this.wake();
  }

  waitForWork(ms: number): Promise<void> {
    return this.signal.wait(ms);
  }

  wake(): void {
    this.signal.wake();
  }

  async list(query: InboxJobQuery): Promise<InboxJobPage> {
    let before = Infinity;
    if (query.cursor !== undefined) {
      if (!/^\d{1,15}$/.test(query.cursor)) throw new InvalidJobCursorError('Invalid cursor.');
      before = Number(query.cursor);
    }
    const items: StoredInboxJob[] = [];
    const ids = [...this.jobs.keys()].filter((id) => id < before).sort((a, b) => b - a);
    for (const id of ids) {
      const job = this.jobs.get(id)!;
      if (!matches(job, query)) continue;
      if (items.length === query.limit) return { items, nextCursor: items[items.length - 1]!.id };
      items.push(toStored(job));
    }
    return { items };
  }

  async get(id: string): Promise<StoredInboxJob | undefined> {
    const job = /^\d{1,15}$/.test(id) ? this.jobs.get(Number(id)) : undefined;
    return job && toStored(job);
  }

  async retry(id: string): Promise<StoredInboxJob | undefined> {
    const job = /^\d{1,15}$/.test(id) ? this.jobs.get(Number(id)) : undefined;
    if (!job || (job.state !== 'failed' && job.state !== 'dead')) return undefined;
    this.requeue(job);
    this.wake();
    return toStored(job);
  }

  async redrive(filter: InboxJobFilter, dryRun: boolean): Promise<number> {
    const dead = [...this.jobs.values()].filter((job) => job.state === 'dead' && matches(job, filter));
    if (!dryRun) {
      for (const job of dead) this.requeue(job);
      if (dead.length > 0) this.wake();
    }
    return dead.length;
  }

  async replay(eventId: string, handlers?: readonly string[]): Promise<StoredInboxJob[]> {
    const chosen = [...this.jobs.values()].filter(
      (job) =>
        job.eventId === eventId &&
        (job.state === 'succeeded' || job.state === 'dead') &&
        (handlers === undefined || handlers.includes(job.handler)),
    );
    for (const job of chosen) this.requeue(job);
    if (chosen.length > 0) this.wake();
    return chosen.map(toStored);
  }

  async stats(): Promise<InboxStats> {
    const now = this.now();
    const counts = new Map<string, { endpoint: string; handler: string; state: InboxJobState; jobs: number }>();
    let oldestDue = now;
    for (const job of this.jobs.values()) {
      if (job.state === 'succeeded') continue;
      const key = `${job.endpoint}\u0000${job.handler}\u0000${job.state}`;
      const entry = counts.get(key);
      if (entry) entry.jobs++;
      else counts.set(key, { endpoint: job.endpoint, handler: job.handler, state: job.state, jobs: 1 });
      const dueAt =
        job.state === 'pending' || job.state === 'failed'
          ? job.runAt
          : job.state === 'running'
            ? (job.leaseUntil ?? Infinity)
            : Infinity;
      if (dueAt <= now && dueAt < oldestDue) oldestDue = dueAt;
    }
    return { counts: [...counts.values()], oldestDueSeconds: (now - oldestDue) / 1000 };
  }

  private requeue(job: MemoryJob): void {
    if (job.state === 'succeeded' || job.state === 'dead') this.finished--;
    job.state = 'pending';
    job.attempts = 0;
    job.runAt = this.now();
    job.leaseUntil = undefined;
    job.leaseToken = undefined;
    job.updatedAt = this.now();
  }

  private held(j: InboxJob): MemoryJob | undefined {
    const job = this.jobs.get(Number(j.id));
    return job && job.state === 'running' && job.leaseToken === j.leaseToken ? job : undefined;
  }

  private settle(job: MemoryJob, state: InboxJobState, runAt: number, error: string | undefined): void {
    job.state = state;
    job.runAt = runAt;
    job.leaseUntil = undefined;
    job.leaseToken = undefined;
    job.updatedAt = this.now();
    if (error !== undefined) job.lastError = error;
    if (state === 'succeeded' || state === 'dead') {
      this.finished++;
      // Bounded: the oldest finished jobs go first (Map order is creation order).
      for (const [id, old] of this.jobs) {
        if (this.finished <= this.maxFinished) break;
        if (old.state === 'succeeded' || old.state === 'dead') {
          this.jobs.delete(id);
          this.finished--;
        }
      }
    }
  }
}

function matches(job: MemoryJob, f: InboxJobFilter): boolean {
  return (
    (f.state === undefined || job.state === f.state) &&
    (f.endpoint === undefined || job.endpoint === f.endpoint) &&
    (f.handler === undefined || job.handler === f.handler) &&
    (f.eventType === undefined || job.eventType === f.eventType) &&
    (f.eventId === undefined || job.eventId === f.eventId) &&
    (f.since === undefined || job.createdAt >= f.since.getTime()) &&
    (f.until === undefined || job.createdAt < f.until.getTime())
  );
}

function toJob(job: MemoryJob): InboxJob {
  return {
    id: String(job.id),
    eventId: job.eventId,
    endpoint: job.endpoint,
    handler: job.handler,
    eventType: job.eventType,
    orderKey: job.orderKey,
    attempts: job.attempts,
    leaseToken: job.leaseToken!,
    ...(job.traceParent !== undefined ? { traceParent: job.traceParent } : {}),
    event: job.event,
  };
}

function toStored(job: MemoryJob): StoredInboxJob {
  return {
    id: String(job.id),
    eventId: job.eventId,
    endpoint: job.endpoint,
    handler: job.handler,
    eventType: job.eventType,
    orderKey: job.orderKey,
    state: job.state,
    attempts: job.attempts,
    runAt: new Date(job.runAt),
    leaseUntil: job.leaseUntil === undefined ? undefined : new Date(job.leaseUntil),
    lastError: job.lastError,
    createdAt: new Date(job.createdAt),
    updatedAt: new Date(job.updatedAt),
  };
}
