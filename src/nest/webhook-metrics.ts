// Prometheus metrics through prom-client, an optional peer loaded only when the `metrics` extra is
// on. Labels are endpoint and provider names from the configuration, outcomes and catalogue codes:
// never ids, never text from a request.
import type * as PromClient from 'prom-client';
import { WebhookConfigurationError } from '../core/errors';
import type { EventLogObserver } from '../storage/event-log.interface';

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

/** Seconds: verification is tens of µs, a commit a few ms, a timeout seconds. */
const LATENCY_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/** Sources of the queue-depth gauge, per gauge (two apps may share a registry and its gauge). */
const queueSources = new WeakMap<object, Set<() => number>>();

/**
 * Hookwarden's metrics in one registry. Created by the module when the `metrics` extra is on; the
 * verifier, the event log and the admin API report to it. @publicApi
 */
export class WebhookMetrics implements EventLogObserver {
  private readonly deliveries: PromClient.Counter<'endpoint' | 'provider' | 'outcome' | 'code'>;
  private readonly verification: PromClient.Histogram<'endpoint' | 'provider'>;
  private readonly commit: PromClient.Histogram<'committed'>;
  private readonly batch: PromClient.Histogram<string>;
  private readonly queue: PromClient.Gauge<string>;
  private readonly challenges: PromClient.Counter<'endpoint' | 'provider' | 'outcome' | 'code'>;
  private readonly rotations: PromClient.Counter<'endpoint' | 'action'>;
  private queueSource?: () => number;

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

    this.deliveries = metric(
      'deliveries_total',
      (c) =>
        new prom.Counter({
          ...c,
          help: 'Webhook requests by endpoint, provider, outcome and error code.',
          labelNames: ['endpoint', 'provider', 'outcome', 'code'] as const,
        }),
    );
    this.verification = metric(
      'verification_duration_seconds',
      (c) =>
        new prom.Histogram({
          ...c,
          help: 'Time to verify a delivery (secrets, keys, signature), in seconds.',
          labelNames: ['endpoint', 'provider'] as const,
          buckets: LATENCY_BUCKETS,
        }),
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
    this.challenges = metric(
      'challenges_total',
      (c) =>
        new prom.Counter({
          ...c,
          help: 'URL verification challenges by endpoint, provider, outcome and error code.',
          labelNames: ['endpoint', 'provider', 'outcome', 'code'] as const,
        }),
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
  }

  /** Reads the event log's queue depth when the gauge is collected. @internal */
  watchQueue(queueDepth: () => number): void {
    let sources = queueSources.get(this.queue);
    if (!sources) queueSources.set(this.queue, (sources = new Set()));
    sources.add((this.queueSource = queueDepth));
  }

  /** One delivery's outcome; `code` is the catalogue code of a refusal, `''` otherwise. */
  delivery(endpoint: string, provider: string, outcome: WebhookDeliveryOutcome, code = ''): void {
    this.deliveries.labels(endpoint, provider, outcome, code).inc();
  }

  verified(endpoint: string, provider: string, seconds: number): void {
    this.verification.labels(endpoint, provider).observe(seconds);
  }

  challenge(endpoint: string, provider: string, outcome: 'answered' | 'rejected' | 'unavailable', code = ''): void {
    this.challenges.labels(endpoint, provider, outcome, code).inc();
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
