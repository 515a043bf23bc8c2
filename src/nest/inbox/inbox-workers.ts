import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { deliveryPayload } from '../../core/delivery/payload';
import {
  backoffDelay,
  decideAfterFailure,
  describeJobError,
  handlerMatches,
  RetryLater,
} from '../../core/inbox/inbox-decisions';
import { fromTraceParent } from '../../core/trace-parent';
import { endSpan, otelApi, startSpan, type HookwardenSpan } from '../../core/tracing';
import { SEAL_REFUSALS } from '../../storage/event-seal';
import { WebhookInbox, type InboxJob } from '../../storage/inbox.interface';
import type { VerifiedWebhook } from '../verified-webhook';
import type { WebhookInboxHealth } from '../webhook-health.indicator';
import { WEBHOOK_METRICS, type InboxAttemptOutcome, type WebhookMetrics } from '../webhook-metrics';
import { InboxDispatch, type InboxHandler } from './inbox-handlers';
import type { ResolvedInboxOptions } from './inbox-options';

/** @internal */
export const INBOX_OPTIONS = Symbol('WebhookInboxOptions');

/** A store that must be started before use (the PostgreSQL inbox). */
interface Startable {
  start?(): Promise<void>;
  /** Opens what the operations (the admin API's listing, retry, replay) need, without workers. */
  open?(): void;
  close?(): Promise<void>;
}

class Timeout extends Error {
  override readonly name = 'HandlerTimeout';
}

/** A claimed job on this instance, from its claim until its outcome is recorded. */
interface Flight {
  readonly job: InboxJob;
  readonly abort: AbortController;
  /** The handler returned or threw: its outcome is being recorded, its lease no longer matters. */
  handlerEnded: boolean;
  done: Promise<void>;
}

/**
 * The workers of this instance: claim due jobs (up to `concurrency` at once), run their handler,
 * and settle them: succeeded, failed with backoff, or dead after `maxAttempts`. Leases are extended
 * while handlers run; a database that fails is retried with backoff, by itself. At shutdown they
 * stop claiming, let in-flight handlers finish within `shutdownTimeoutMs`, and release the rest.
 * Nothing starts when no `@OnWebhook` handler exists.
 * @internal
 */
@Injectable()
export class InboxWorkers implements OnApplicationBootstrap, OnModuleDestroy, WebhookInboxHealth {
  private readonly logger = new Logger('Hookwarden');
  /** By job id and claim token: this instance may claim again a job whose lease ran out while it ran here. */
  private readonly inFlight = new Map<string, Flight>();
  private running = false;
  private started = false;
  private loop?: Promise<void>;
  private heartbeat?: NodeJS.Timeout;
  private slotFree?: () => void;
  /** Succeeded jobs being recorded: their slot is free already (the handler returned). */
  private readonly recording = new Set<Promise<void>>();
  private lastErrorLog = 0;

  constructor(
    @Inject(WebhookInbox) private readonly inbox: WebhookInbox & Startable,
    private readonly dispatch: InboxDispatch,
    @Inject(INBOX_OPTIONS) private readonly options: ResolvedInboxOptions,
    @Optional() @Inject(WEBHOOK_METRICS) private readonly metrics?: WebhookMetrics,
  ) {}

  /** The health indicator checks the inbox only while it runs (some `@OnWebhook` handler exists). */
  get active(): boolean {
    return this.started;
  }

  /** Seconds since the oldest due job became due, from the store (shared by every instance). */
  async lagSeconds(): Promise<number> {
    if (!this.inbox.stats) return 0;
    return (await this.inbox.stats()).oldestDueSeconds;
  }

  async onApplicationBootstrap(): Promise<void> {
    // No @OnWebhook handler: nothing runs, but the admin API still lists the jobs (none, or those
    // of handlers this deployment dropped).
    if (this.dispatch.handlers.size === 0) return this.inbox.open?.();
    // Turns the jobs on in the event log even where no worker runs here (`workers: false`).
    await this.inbox.start?.();
    this.started = true;
    if (this.metrics && this.inbox.stats) this.metrics.watchInbox(() => this.inbox.stats!());
    if (!this.options.workers) return;
    this.running = true;
    const leaseMs = this.options.leaseSeconds * 1000;
    this.heartbeat = setInterval(() => void this.extendLeases(leaseMs), leaseMs / 3);
    this.heartbeat.unref();
    this.loop = this.claimLoop();
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.started) return this.inbox.close?.();
    this.running = false;
    this.inbox.wake();
    this.slotFree?.();
    await this.loop;
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, this.options.shutdownTimeoutMs).unref());
    await Promise.race([Promise.all([...this.inFlight.values()].map((f) => f.done)), deadline]);
    await Promise.all([...this.recording]);
    const left = [...this.inFlight.values()];
    if (left.length > 0) {
      for (const f of left) f.abort.abort();
      // Claimable again at once by another instance (or this one after a restart), attempt not counted.
      await this.inbox.release(left.map((f) => f.job)).catch((error) => this.logError('release jobs', error));
    }
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.inbox.close?.();
  }

  /**
   * Extends the leases of the running jobs. A job whose lease was lost (this process stalled past
   * it, or the database was out that long) may be running on another worker already: its handler's
   * signal is aborted, so that a handler which listens stops instead of running beside its retry.
   */
  private async extendLeases(leaseMs: number): Promise<void> {
    const jobs = [...this.inFlight.values()].filter((f) => !f.handlerEnded).map((f) => f.job);
    let lost: readonly InboxJob[];
    try {
      lost = await this.inbox.heartbeat(jobs, leaseMs);
    } catch (error) {
      this.logError('extend leases', error);
      return;
    }
    for (const job of lost) {
      const running = this.inFlight.get(flightKey(job));
      if (!running || running.handlerEnded || running.abort.signal.aborted) continue;
      this.logger.warn(
        `Inbox job ${job.id} (${job.handler}) lost its lease while its handler ran: aborted; it runs again under its new claim.`,
      );
      running.abort.abort();
    }
  }

  private async claimLoop(): Promise<void> {
    const handlers = [...this.dispatch.handlers.keys()];
    const leaseMs = this.options.leaseSeconds * 1000;
    let failures = 0;
    while (this.running) {
      const free = this.options.concurrency - this.inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFree = resolve));
        // Let the handlers that end in the same turn free their slots too: claiming one job per
        // freed slot made one round trip per job (~500 jobs/s, whatever the concurrency).
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      let jobs: InboxJob[];
      try {
        jobs = await this.inbox.claim(free, leaseMs, handlers);
        failures = 0;
      } catch (error) {
        // Database down or slow: back off (full jitter, at most 30 s) and try again, by ourselves.
        failures++;
        this.logError('claim jobs', error);
        await this.inbox.waitForWork(250 + backoffDelay(failures, { baseMs: 500, maxMs: 30_000 }));
        continue;
      }
      if (!this.running) {
        await this.inbox.release(jobs).catch(() => undefined);
        return;
      }
      for (const job of jobs) this.start(job);
      if (jobs.length === 0) await this.inbox.waitForWork(this.options.pollIntervalMs);
      // Let the handlers that end at once free their slots before the next claim: counting them
      // busy split each claim in two (4 then 6 of 10), and under a backlog the workers fell to
      // half the jobs per round trip, which kept the backlog growing.
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private start(job: InboxJob): void {
    const flight: Flight = { job, abort: new AbortController(), handlerEnded: false, done: Promise.resolve() };
    this.inFlight.set(flightKey(job), flight);
    flight.done = this.run(flight).finally(() => {
      this.inFlight.delete(flightKey(job));
      const wake = this.slotFree;
      this.slotFree = undefined;
      wake?.();
    });
  }

  private async run(flight: Flight): Promise<void> {
    const { job, abort } = flight;
    const handler = this.dispatch.handlers.get(job.handler);
    if (!handler) return; // claimed only for handlers this instance has
    const refusal = refusalOf(job, handler);
    if (refusal) {
      flight.handlerEnded = true;
      await this.refuse(job, handler, refusal);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const span = attemptSpan(job);
    const started = this.metrics ? performance.now() : 0;
    try {
      const timeoutMs = handler.options.timeoutMs ?? this.options.timeoutMs;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Timeout(`The handler ran past ${timeoutMs} ms.`)), timeoutMs);
      });
      const call = () =>
        handler.run(deliveryOf(job), {
          jobId: job.id,
          eventId: job.eventId,
          attempt: job.attempts,
          eventType: eventTypeOf(job),
          signal: abort.signal,
        });
      await Promise.race([Promise.resolve().then(() => inSpan(span, call)), timeout]);
    } catch (error) {
      flight.handlerEnded = true;
      clearTimeout(timer);
      // The attempt's duration, without the write that settles it.
      const seconds = this.metrics ? (performance.now() - started) / 1000 : 0;
      if (error instanceof Timeout) abort.abort();
      const outcome = await this.failed(job, handler, error);
      this.metrics?.handlerAttempt(job.endpoint, job.handler, outcome, seconds);
      endSpan(span, { 'hookwarden.outcome': outcome }, true);
      return;
    }
    flight.handlerEnded = true;
    clearTimeout(timer);
    this.metrics?.handlerAttempt(job.endpoint, job.handler, 'succeeded', (performance.now() - started) / 1000);
    endSpan(span, { 'hookwarden.outcome': 'succeeded' });
    // Recorded beside the next claims: holding the slot for the UPDATE's round trip (a commit)
    // capped the workers at `concurrency` jobs per commit latency, ~1,200 jobs/s with 10.
    // false: the lease was lost meanwhile (this worker stalled past it) and the job is another's.
    const recorded: Promise<void> = this.inbox.complete(job).then(
      () => undefined,
      // The lease runs out and the job runs again: at least once, never lost.
      (error) => this.logError('record a succeeded job', error),
    );
    this.recording.add(recorded);
    void recorded.finally(() => this.recording.delete(recorded));
  }

  private async failed(job: InboxJob, handler: InboxHandler, error: unknown): Promise<InboxAttemptOutcome> {
    const maxAttempts = handler.options.maxAttempts ?? this.options.maxAttempts;
    const decision = decideAfterFailure(error, job.attempts, maxAttempts, this.options.backoff, Date.now());
    const outcome: InboxAttemptOutcome =
      decision.state === 'dead'
        ? 'dead'
        : error instanceof Timeout
          ? 'timeout'
          : error instanceof RetryLater
            ? 'retry_later'
            : 'failed';
    const message = describeJobError(error);
    if (decision.state === 'dead') {
      this.logger.error(`Inbox job ${job.id} (${job.handler}) is dead after ${job.attempts} attempts: ${message}`);
    }
    try {
      await this.inbox.fail(job, decision.state, new Date(decision.runAt), message);
    } catch (failure) {
      this.logError('record a failed job', failure);
    }
    return outcome;
  }

  /**
   * A job that must not run now, its handler never called: dead at once when its rows disagree with
   * the seal; tried again with backoff (dead after `maxAttempts`) when this instance cannot check it.
   */
  private async refuse(job: InboxJob, handler: InboxHandler, refusal: Refusal): Promise<void> {
    const maxAttempts = handler.options.maxAttempts ?? this.options.maxAttempts;
    const decision = refusal.retry
      ? decideAfterFailure(new Error(refusal.reason), job.attempts, maxAttempts, this.options.backoff, Date.now())
      : { state: 'dead' as const, runAt: Date.now() };
    if (decision.state === 'dead') {
      this.logger.error(`Inbox job ${job.id} (${job.handler}) is dead without running: ${refusal.reason}`);
    }
    this.metrics?.handlerAttempt(job.endpoint, job.handler, decision.state === 'dead' ? 'dead' : 'failed', 0);
    try {
      await this.inbox.fail(job, decision.state, new Date(decision.runAt), refusal.reason);
    } catch (failure) {
      this.logError('record a refused job', failure);
    }
  }

  /** At most one line per 5 s, so an outage does not flood the logs. */
  private logError(action: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 5000) return;
    this.lastErrorLog = now;
    const e = error as { message?: string; code?: string };
    this.logger.error(`Inbox: could not ${action}${e?.code ? ` (${e.code})` : ''}: ${e?.message ?? 'unknown error'}`);
  }
}

/**
 * The span of one attempt: a root of its own (the work runs after the request's trace ended),
 * linked to the request's storage span when the job kept its `traceparent`. Names and numbers
 * only: no event type, id, header, body or error text.
 */
function attemptSpan(job: InboxJob): HookwardenSpan {
  const link = fromTraceParent(job.traceParent);
  return startSpan(
    'hookwarden.inbox.handle',
    {
      'hookwarden.endpoint': job.endpoint,
      'hookwarden.provider': job.event.provider,
      'hookwarden.handler': job.handler,
      'hookwarden.attempt': job.attempts,
    },
    'root',
    link ? [link] : undefined,
  );
}

/** Runs the handler with the attempt's span active, so its own spans are children of it. */
function inSpan<T>(span: HookwardenSpan, fn: () => T): T {
  const otel = otelApi();
  if (!span || !otel) return fn();
  return otel.context.with(otel.trace.setSpan(otel.ROOT_CONTEXT, span), fn);
}

/**
 * Why a claimed job must not run, if it must not: its event no longer matches the seal made at its
 * acceptance (checked by the store when it holds the master key), the job's endpoint, or its
 * handler's, is not its event's, or its handler does not take the event's type. Whoever can write
 * the tables could otherwise have a handler run on
 * bytes no provider signed, through any path that makes a job runnable (retry, redrive, replay).
 */
function refusalOf(job: InboxJob, handler: InboxHandler): Refusal | undefined {
  const check = job.sealCheck;
  // A key or a seal this instance lacks may be a keyring change not yet on every instance: tried
  // again later. A row that no longer matches its seal never runs.
  if (check === 'unknown_key') {
    return {
      reason: "Not run: the key that sealed the stored event is not in this instance's keyring.",
      retry: true,
    };
  }
  if (check === 'unsealed') return { reason: `Not run: ${SEAL_REFUSALS.unsealed}`, retry: true };
  if (check !== undefined && check !== 'intact') return { reason: `Not run: ${SEAL_REFUSALS[check]}`, retry: false };
  const endpoint = job.event.endpoint ?? job.endpoint;
  if (job.endpoint !== endpoint || handler.endpoint !== endpoint) {
    return { reason: "Not run: the job's endpoint or its handler's is not its event's endpoint.", retry: false };
  }
  // The job's handler column is not sealed: another handler of the endpoint must take the event's type.
  if (job.event.endpoint !== undefined && !handlerMatches(handler.types, job.event.eventType)) {
    return { reason: "Not run: the job's handler does not take this event's type.", retry: false };
  }
  return undefined;
}

/** Why a claimed job does not run, and whether it is tried again later. */
interface Refusal {
  readonly reason: string;
  readonly retry: boolean;
}

/** A job's place in `inFlight`: its id and its claim's token. */
function flightKey(job: InboxJob): string {
  return `${job.id} ${job.leaseToken}`;
}

/** The event's own (sealed) type where the store read it; the job's column otherwise. */
function eventTypeOf(job: InboxJob): string | undefined {
  return (job.event.endpoint !== undefined ? job.event.eventType : job.eventType) ?? undefined;
}

/** The stored event as the handler's argument, as the route handler would have had it. */
function deliveryOf(job: InboxJob): VerifiedWebhook {
  const { event } = job;
  const eventType = eventTypeOf(job);
  return {
    endpoint: event.endpoint ?? job.endpoint,
    provider: event.provider,
    id: event.messageId?.startsWith('sha256:') ? undefined : event.messageId,
    dedupeKey: event.messageId,
    timestamp: event.signedAt,
    payload: deliveryPayload({ headers: lowerCase(event.headers), rawBody: event.body }),
    rawBody: event.body,
    secretVersion: event.secretVersion,
    receivedAt: event.receivedAt,
    ...(eventType !== undefined ? { eventType } : {}),
  };
}

function lowerCase(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
