// Prometheus metrics through prom-client, an optional peer loaded only when the `metrics` extra is
// on. Labels are endpoint and provider names from the configuration, outcomes and catalogue codes:
// never ids, never text from a request.
import type * as PromClient from 'prom-client';
import { WebhookConfigurationError } from '../core/errors';
import type { EventLogObserver } from '../storage/event-log.interface';
import type { InboxStats } from '../storage/inbox.interface';
import {
  counterTallies,
  histogramTallies,
  talliedCounter,
  talliedHistogram,
  type CounterTally,
  type HistogramTally,
  type Tallies,
} from './metric-tallies';

/**
 * The `metrics` extra of `forRoot()` / `forRootAsync()`: `true` registers into prom-client's
 * default registry (the one `@willsoto/nestjs-prometheus` serves at `/metrics`), or give yours.
 * @publicApi
 */
export interface WebhookMetricsExtras {
  /** The prom-client registry to register into. @default prom-client's `register` */
  registry?: PromClient.Registry;
  /** The metric names' prefix. @default 'hookwarden_' */
  prefix?: string;
}

/** Injection token of the metrics, present only when the `metrics` extra is on. @internal */
export const WEBHOOK_METRICS = Symbol('hookwarden:metrics');

/** What a request came to: the `outcome` label. @publicApi */
export type WebhookDeliveryOutcome = 'accepted' | 'duplicate' | 'rejected' | 'unavailable' | 'in_progress';

/**
 * How one attempt of an inbox job ended: the `outcome` label. `dead` wins over the cause (a timeout
 * on the last attempt is `dead`); `retry_later` is a `RetryLater` thrown by the handler.
 * @publicApi
 */
export type InboxAttemptOutcome = 'succeeded' | 'failed' | 'dead' | 'retry_later' | 'timeout';

/** Seconds: verification is tens of µs, a commit a few ms, a timeout seconds. */
const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500];
/** Seconds: a handler runs from a millisecond to its timeout (a minute by default). */
const HANDLER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** The inbox's summary is read from the store at most once a second, however often it is scraped. */
const INBOX_STATS_TTL_MS = 1000;

/** Sources of the queue-depth gauge, per gauge (two apps may share a registry and its gauge). */
const queueSources = new WeakMap<object, Set<() => number>>();
/** Sources of the inbox gauges, likewise (each app's inbox, read on scrape). */
const inboxSources = new WeakMap<object, Set<() => Promise<InboxStats>>>();

/**
 * Hookwarden's metrics in one registry. Created by the module when the `metrics` extra is on; the
 * verifier, the event log and the admin API report to it. @publicApi
 */
export class WebhookMetrics implements EventLogObserver {
  // The request path's metrics, counted in plain numbers until a scrape (metric-tallies.ts).
  private readonly deliveries: Tallies<CounterTally>;
  private readonly verification: Tallies<HistogramTally>;
  private readonly challenges: Tallies<CounterTally>;
  private readonly commit: PromClient.Histogram<'committed'>;
  private readonly batch: PromClient.Histogram<string>;
  private readonly queue: PromClient.Gauge<string>;
  private readonly rotations: PromClient.Counter<'endpoint' | 'action'>;
  private readonly inboxJobs: PromClient.Gauge<'endpoint' | 'handler' | 'state'>;
  private readonly inboxOldest: PromClient.Gauge<string>;
  private readonly handlerDuration: PromClient.Histogram<'endpoint' | 'handler' | 'outcome'>;
  private readonly handlerFailures: PromClient.Counter<'endpoint' | 'handler' | 'outcome'>;
  private queueSource?: () => number;
  private inboxSource?: () => Promise<InboxStats>;

  constructor(extras: WebhookMetricsExtras | true) {
    const prom = loadPromClient();
    const settings = extras === true ? {} : extras;
    const registry = settings.registry ?? prom.register;
    const prefix = settings.prefix ?? 'hookwarden_';
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
      throw new WebhookConfigurationError(`metrics.prefix "${prefix}" is not a valid Prometheus metric name prefix.`);
    }
    // A metric already in the registry (a second app in the process) is shared, not registered twice.
    const metric = <T>(name: string, make: (config: { name: string; registers: PromClient.Registry[] }) => T): T =>
      (registry.getSingleMetric(prefix + name) as T | undefined) ??
      make({ name: prefix + name, registers: [registry] });
    // A request-path metric and its tallies. A metric of that name already in the registry is shared
    // only when Hookwarden made it: only then does it have tallies.
    const tallied = <M, T>(name: string, make: Parameters<typeof metric<M>>[1], talliesOf: (m: M) => T | undefined) => {
      const found = talliesOf(metric(name, make));
      if (found) return found;
      throw new WebhookConfigurationError(
        `The registry already has a metric ${prefix + name} that Hookwarden did not make.`,
      );
    };
    // Requests by endpoint, provider, outcome and error code.
    const outcomes = (name: string, help: string) =>
      tallied(
        name,
        (c) => talliedCounter(prom, { ...c, help, labelNames: ['endpoint', 'provider', 'outcome', 'code'] as const }),
        counterTallies,
      );

    this.deliveries = outcomes('deliveries_total', 'Webhook requests by endpoint, provider, outcome and error code.');
    this.verification = tallied(
      'verification_duration_seconds',
      (c) =>
        talliedHistogram(prom, {
          ...c,
          help: 'Time to verify a delivery (secrets, keys, signature), in seconds.',
          labelNames: ['endpoint', 'provider'] as const,
          buckets: LATENCY_BUCKETS,
        }),
      histogramTallies,
    );
    this.commit = metric(
      'event_log_commit_duration_seconds',
      (c) =>
        new prom.Histogram({
          ...c,
          help: 'Time of one group-commit batch of the event log, in seconds.',
          labelNames: ['committed'] as const,
          buckets: LATENCY_BUCKETS,
        }),
    );
    this.batch = metric(
      'event_log_batch_rows',
      (c) =>
        new prom.Histogram({ ...c, help: 'Rows per group-commit batch of the event log.', buckets: BATCH_BUCKETS }),
    );
    this.queue = metric('event_log_queue_depth', (c) => {
      const gauge: PromClient.Gauge<string> = new prom.Gauge({
        ...c,
        help: 'Rows waiting for a group-commit batch.',
        collect() {
          let depth = 0;
          for (const source of queueSources.get(gauge) ?? []) depth += source();
          gauge.set(depth);
        },
      });
      return gauge;
    });
    this.challenges = outcomes(
      'challenges_total',
      'URL verification challenges by endpoint, provider, outcome and error code.',
    );
    this.rotations = metric(
      'secret_changes_total',
      (c) =>
        new prom.Counter({
          ...c,
          help: 'Secret rotations and revocations through the admin API, by endpoint.',
          labelNames: ['endpoint', 'action'] as const,
        }),
    );
    // Read from the stores on scrape (one cached aggregate query), never counted per request.
    const inboxStats = async (gauge: object): Promise<InboxStats[]> =>
      Promise.all([...(inboxSources.get(gauge) ?? [])].map((source) => source()));
    this.inboxJobs = metric('inbox_jobs', (c) => {
      const gauge: PromClient.Gauge<'endpoint' | 'handler' | 'state'> = new prom.Gauge({
        ...c,
        help: 'Inbox jobs by endpoint, handler and state (pending, running, failed, dead).',
        labelNames: ['endpoint', 'handler', 'state'] as const,
        async collect() {
          const all = await inboxStats(gauge);
          // Series whose work is gone drop out rather than keep their last value.
          gauge.reset();
          for (const stats of all) {
            for (const { endpoint, handler, state, jobs } of stats.counts)
              gauge.labels(endpoint, handler, state).inc(jobs);
          }
        },
      });
      return gauge;
    });
    this.inboxOldest = metric('inbox_oldest_due_age_seconds', (c) => {
      const gauge: PromClient.Gauge<string> = new prom.Gauge({
        ...c,
        help: 'Seconds since the oldest due inbox job became due (0 when none waits).',
        async collect() {
          const all = await inboxStats(gauge);
          gauge.set(all.reduce((oldest, stats) => Math.max(oldest, stats.oldestDueSeconds), 0));
        },
      });
      return gauge;
    });
    this.handlerDuration = metric(
      'inbox_handler_duration_seconds',
      (c) =>
        new prom.Histogram({
          ...c,
          help: 'Time of one attempt of an inbox handler, by endpoint, handler and outcome, in seconds.',
          labelNames: ['endpoint', 'handler', 'outcome'] as const,
          buckets: HANDLER_BUCKETS,
        }),
    );
    this.handlerFailures = metric(
      'inbox_handler_failures_total',
      (c) =>
        new prom.Counter({
          ...c,
          help: 'Inbox handler attempts that did not succeed, by endpoint, handler and outcome.',
          labelNames: ['endpoint', 'handler', 'outcome'] as const,
        }),
    );
  }

  /**
   * Reads the inbox's summary when its gauges are collected, at most once a second (one aggregate
   * query, however many gauges and scrapes). @internal
   */
  watchInbox(stats: () => Promise<InboxStats>): void {
    let cached: { at: number; value: Promise<InboxStats> } | undefined;
    let last: InboxStats = { counts: [], oldestDueSeconds: 0 };
    const source = (): Promise<InboxStats> => {
      const now = Date.now();
      if (!cached || now - cached.at >= INBOX_STATS_TTL_MS) {
        // A store that fails serves its last summary (a scrape never fails for it); asked again next time.
        const value = stats().then(
          (fresh) => (last = fresh),
          () => last,
        );
        cached = { at: now, value };
      }
      return cached.value;
    };
    this.inboxSource = source;
    for (const gauge of [this.inboxJobs, this.inboxOldest]) {
      let sources = inboxSources.get(gauge);
      if (!sources) inboxSources.set(gauge, (sources = new Set()));
      sources.add(source);
    }
  }

  /** One attempt of an inbox handler ended. */
  handlerAttempt(endpoint: string, handler: string, outcome: InboxAttemptOutcome, seconds: number): void {
    this.handlerDuration.labels(endpoint, handler, outcome).observe(seconds);
    if (outcome !== 'succeeded') this.handlerFailures.labels(endpoint, handler, outcome).inc();
  }

  /** Reads the event log's queue depth when the gauge is collected. @internal */
  watchQueue(queueDepth: () => number): void {
    let sources = queueSources.get(this.queue);
    if (!sources) queueSources.set(this.queue, (sources = new Set()));
    sources.add((this.queueSource = queueDepth));
  }

  /** One delivery's outcome; `code` is the catalogue code of a refusal, `''` otherwise. */
  delivery(endpoint: string, provider: string, outcome: WebhookDeliveryOutcome, code = ''): void {
    this.deliveries.of(`${endpoint}\0${provider}\0${outcome}\0${code}`).pending++;
  }

  verified(endpoint: string, provider: string, seconds: number): void {
    this.verification.of(`${endpoint}\0${provider}`).observe(seconds);
  }

  challenge(endpoint: string, provider: string, outcome: 'answered' | 'rejected' | 'unavailable', code = ''): void {
    this.challenges.of(`${endpoint}\0${provider}\0${outcome}\0${code}`).pending++;
  }

  secretChanged(endpoint: string, action: 'rotate' | 'revoke'): void {
    this.rotations.labels(endpoint, action).inc();
  }

  batchCommitted(rows: number, seconds: number, committed: boolean): void {
    this.batch.observe(rows);
    this.commit.labels(committed ? 'true' : 'false').observe(seconds);
  }

  /** Stops reading this app's queue when the app closes. */
  onModuleDestroy(): void {
    if (this.queueSource) queueSources.get(this.queue)?.delete(this.queueSource);
    if (this.inboxSource) {
      const source = this.inboxSource;
      for (const gauge of [this.inboxJobs, this.inboxOldest]) inboxSources.get(gauge)?.delete(source);
    }
  }
}

function loadPromClient(): typeof PromClient {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('prom-client') as typeof PromClient;
  } catch (error) {
    throw new WebhookConfigurationError('The metrics extra needs prom-client: npm install prom-client', {
      cause: error,
    });
  }
}
