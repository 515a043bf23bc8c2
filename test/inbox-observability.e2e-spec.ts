// Issue 18 for the inbox (issue 15), with the in-memory and the PostgreSQL store: after known work
// (jobs that succeed, fail once, die, ask to be retried later, time out), the metrics served by a
// registry of the test's own have the expected labels and values; each attempt has a span linked
// to the storage span of the request that stored its event (PostgreSQL keeps its `traceparent` per
// job, never its tracestate), with no id, type, body or error text; the health indicator is up, then
// down while a job is left due past the threshold. Deliveries are signed with node:crypto (standardWebhooksHeaders), never by Hookwarden.
import { Controller, HttpCode, Injectable, Post, UseGuards, type DynamicModule } from '@nestjs/common';
import { context, createTraceState, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SamplingDecision,
  SimpleSpanProcessor,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import {
  OnWebhook,
  RetryLater,
  standardWebhooks,
  WebhookEndpoint,
  WebhookGuard,
  WebhookHealthIndicator,
  WebhookInbox,
  WebhookModule,
  type VerifiedWebhook,
  type WebhookJobContext,
  type WebhookModuleOptions,
} from '../src';
import { startApp, type RunningApp } from './support/apps';
import { send } from './support/http';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { migratedDataSource, standardWebhooksHeaders } from './support/storages';
import { until } from './support/until';

const SECRET = 'whsec_' + Buffer.from('inbox-observability-secret-32byt').toString('base64');
const KEY = Buffer.alloc(32, 9).toString('base64');

interface Event {
  type: string;
  n: number;
}

@Injectable()
class Handlers {
  readonly done: string[] = [];

  @OnWebhook<Event>('billing', 'kind_ok')
  ok(delivery: VerifiedWebhook<Event>) {
    this.done.push(`ok ${delivery.payload.n}`);
  }

  @OnWebhook<Event>('billing', 'kind_flaky')
  flaky(delivery: VerifiedWebhook<Event>, job: WebhookJobContext) {
    if (job.attempt === 1) throw new Error('downstream unavailable');
    this.done.push('flaky');
  }

  @OnWebhook<Event>('billing', 'kind_poison')
  poison() {
    throw new Error('cannot parse; api_key=sk_live_abcdefghijklmnopqrstuvwxyz012345');
  }

  @OnWebhook<Event>('billing', 'kind_later')
  later(delivery: VerifiedWebhook<Event>, job: WebhookJobContext) {
    if (job.attempt === 1) throw new RetryLater(10);
    this.done.push('later');
  }

  @OnWebhook<Event>('billing', 'kind_slow', { timeoutMs: 100 })
  async slow(delivery: VerifiedWebhook<Event>, job: WebhookJobContext) {
    // The first attempt would sleep 5 s; it stops when the worker aborts it at its timeout.
    if (job.attempt === 1) {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, 5000);
        job.signal.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)));
      });
      return;
    }
    this.done.push('slow');
  }
}

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  @Post('billing')
  @HttpCode(202)
  @WebhookEndpoint('billing')
  receive() {
    return { queued: true };
  }
}

const modules = (
  storage: string,
  db: () => TestDatabase,
  registry: Registry,
  inbox: WebhookModuleOptions['inbox'],
): DynamicModule[] => {
  const options = {
    metrics: { registry },
    endpoints: { billing: standardWebhooks({ secret: SECRET }) },
    inbox: { pollIntervalMs: 50, backoff: { baseMs: 10, maxMs: 30 }, maxAttempts: 2, ...inbox },
  };
  return storage === 'memory'
    ? [WebhookModule.forRoot(options)]
    : [
        migratedDataSource(db().url),
        WebhookModule.forRoot({ ...options, storage: { type: 'typeorm' }, encryptionKey: KEY }),
      ];
};

/** `name{labels} value` lines of the Prometheus text format, keyed with labels sorted by name. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? '').matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort()
      .join(',');
    found.set(`${match[1]}{${labels}}`, Number(match[3]));
  }
  return found;
}

function key(name: string, labels: Record<string, string> = {}): string {
  const sorted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  return `${name}{${sorted}}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function query<T>(url: string, text: string): Promise<T[]> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

// Every span sampled; the storage span carries a vendor's tracestate (which may hold anything):
// only its ids and flags may reach a job.
const TRACE_STATE = 'vendor=opaque-state-9f2c';
const sampler: Sampler = {
  shouldSample: (_context, _traceId, name) =>
    name === 'hookwarden.event_log.record'
      ? { decision: SamplingDecision.RECORD_AND_SAMPLED, traceState: createTraceState(TRACE_STATE) }
      : { decision: SamplingDecision.RECORD_AND_SAMPLED },
  toString: () => 'TraceStateOnStorageSpans',
};
const exporter = new InMemorySpanExporter();
const tracing = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => {
  trace.setGlobalTracerProvider(tracing);
});
afterAll(async () => {
  await tracing.shutdown();
  trace.disable();
  context.disable();
});

describe.each(['memory', 'typeorm'])('inbox metrics, traces and health with the %s store', (storage) => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase(`inbox_observability`);
  });
  afterAll(() => db?.drop());

  let counter = 0;
  const deliver = (running: RunningApp, type: string) => {
    const id = `msg_${storage}_${++counter}`;
    const body = JSON.stringify({ type, n: counter });
    return send(running.baseUrl, '/hooks/billing', { headers: standardWebhooksHeaders(SECRET, id, body), body });
  };

  describe('with workers', () => {
    let running: RunningApp;
    let handlers: Handlers;
    const registry = new Registry();

    beforeAll(async () => {
      running = await startApp(
        'express',
        modules(storage, () => db, registry, {}),
        [HooksController],
        {
          providers: [Handlers],
        },
      );
      handlers = running.app.get(Handlers);
    });
    afterAll(() => running?.close());

    it('counts each attempt by handler and outcome, the work by state, and spans each attempt', async () => {
      exporter.reset();
      for (const type of ['ok', 'ok', 'ok', 'flaky', 'poison', 'later', 'slow'].map((t) => `kind_${t}`)) {
        expect((await deliver(running, type)).status).toBe(202);
      }
      await until(() => ['flaky', 'later', 'slow'].every((h) => handlers.done.includes(h)), 8000);
      const inbox = running.app.get<WebhookInbox>(WebhookInbox);
      await until(async () => (await inbox.list({ limit: 10, state: 'dead' })).items.length === 1, 8000);
      await until(() => handlers.done.filter((d) => d.startsWith('ok')).length === 3, 8000);
      // A success is recorded after its handler returned (fire-and-forget), a failure's span ends
      // after its write: wait until every job is settled and every attempt's span has ended.
      await until(async () => {
        const { items } = await inbox.list({ limit: 500 });
        return items.length >= 7 && items.every((job) => job.state === 'succeeded' || job.state === 'dead');
      }, 8000);
      await until(
        () => exporter.getFinishedSpans().filter((s) => s.name === 'hookwarden.inbox.handle').length >= 11,
        8000,
      );

      const m = samples(await registry.metrics());
      const h = (handler: string, outcome: string) => ({
        endpoint: 'billing',
        handler: `Handlers.${handler}`,
        outcome,
      });
      const count = (handler: string, outcome: string) =>
        m.get(key('hookwarden_inbox_handler_duration_seconds_count', h(handler, outcome)));
      const failures = (handler: string, outcome: string) =>
        m.get(key('hookwarden_inbox_handler_failures_total', h(handler, outcome)));
      expect(count('ok', 'succeeded')).toBe(3);
      expect(count('flaky', 'failed')).toBe(1);
      expect(count('flaky', 'succeeded')).toBe(1);
      expect(count('poison', 'failed')).toBe(1);
      expect(count('poison', 'dead')).toBe(1);
      expect(count('later', 'retry_later')).toBe(1);
      expect(count('later', 'succeeded')).toBe(1);
      expect(count('slow', 'timeout')).toBe(1);
      expect(count('slow', 'succeeded')).toBe(1);
      // The timed-out attempt lasted its timeout (100 ms), not the 5 s the handler would have slept
      // (the upper bound leaves room for a loaded machine).
      const slowSum = m.get(key('hookwarden_inbox_handler_duration_seconds_sum', h('slow', 'timeout')))!;
      expect(slowSum).toBeGreaterThanOrEqual(0.09);
      expect(slowSum).toBeLessThan(2.5);
      expect(
        [...m.keys()].filter((k) => k.startsWith('hookwarden_inbox_handler_duration_seconds_count')).sort(),
      ).toHaveLength(9);
      expect(failures('flaky', 'failed')).toBe(1);
      expect(failures('poison', 'failed')).toBe(1);
      expect(failures('poison', 'dead')).toBe(1);
      expect(failures('later', 'retry_later')).toBe(1);
      expect(failures('slow', 'timeout')).toBe(1);
      expect([...m.keys()].filter((k) => k.startsWith('hookwarden_inbox_handler_failures_total'))).toHaveLength(5);
      // Unfinished and dead work: only the dead poison job is left.
      const jobs = [...m.entries()].filter(([k]) => k.startsWith('hookwarden_inbox_jobs{'));
      expect(jobs).toEqual([
        [key('hookwarden_inbox_jobs', { endpoint: 'billing', handler: 'Handlers.poison', state: 'dead' }), 1],
      ]);
      expect(m.get('hookwarden_inbox_oldest_due_age_seconds{}')).toBe(0);
      const text = await registry.metrics();
      expect(text).not.toMatch(/msg_|kind_|sk_live|cannot parse|downstream/);

      const spans = exporter.getFinishedSpans().filter((s) => s.name === 'hookwarden.inbox.handle');
      expect(spans.length).toBe(11); // 3 ok, then two attempts each of flaky, poison, later and slow
      const outcomes = (handler: string) =>
        spans
          .filter((s) => s.attributes['hookwarden.handler'] === `Handlers.${handler}`)
          .map((s) => [s.attributes['hookwarden.attempt'], s.attributes['hookwarden.outcome'], s.status.code]);
      expect(outcomes('poison')).toEqual([
        [1, 'failed', 2],
        [2, 'dead', 2],
      ]);
      expect(outcomes('slow')).toEqual([
        [1, 'timeout', 2],
        [2, 'succeeded', 0],
      ]);
      for (const span of spans) {
        expect(span.attributes).toMatchObject({
          'hookwarden.endpoint': 'billing',
          'hookwarden.provider': 'standard-webhooks',
        });
        // Each attempt is a trace of its own, not a child of whatever ran before it.
        expect(span.parentSpanContext).toBeUndefined();
      }
      const everything = JSON.stringify(spans.map((s) => [s.attributes, s.status, s.events]));
      expect(everything).not.toMatch(/msg_|kind_|sk_live|cannot parse|downstream|whsec_/);

      // Linked to the storage span of the request that stored the event (its trace id and span id).
      const recordSpans = exporter.getFinishedSpans().filter((s) => s.name === 'hookwarden.event_log.record');
      const records = new Map(recordSpans.map((s) => [s.spanContext().spanId, s.spanContext().traceId]));
      expect(records.size).toBe(7);
      for (const span of recordSpans) expect(span.spanContext().traceState?.serialize()).toBe(TRACE_STATE);
      for (const span of spans) {
        expect(span.links).toHaveLength(1);
        const [link] = span.links;
        expect(records.get(link!.context.spanId)).toBe(link!.context.traceId);
        expect(link!.context.traceId).not.toBe(span.spanContext().traceId);
        expect(link!.context.traceState).toBeUndefined();
      }
      // The three ok jobs link to three requests; the poison job's two attempts to the same one.
      const ok = spans.filter((s) => s.attributes['hookwarden.handler'] === 'Handlers.ok');
      expect(new Set(ok.map((s) => s.links[0]!.context.spanId)).size).toBe(3);
      const poison = spans.filter((s) => s.attributes['hookwarden.handler'] === 'Handlers.poison');
      expect(poison[0]!.links[0]!.context.spanId).toBe(poison[1]!.links[0]!.context.spanId);
      if (storage === 'typeorm') {
        // Each job's row holds the W3C traceparent of its request's storage span, and nothing else.
        const rows = await query<{ handler: string; trace_parent: string }>(
          db.url,
          'SELECT handler, trace_parent FROM webhook_inbox_jobs ORDER BY id',
        );
        expect(rows).toHaveLength(7);
        const traceParents = [...records].map(([spanId, traceId]) => `00-${traceId}-${spanId}-01`);
        expect(rows.map((r) => r.trace_parent).sort()).toEqual(traceParents.sort());
        const poisonRow = rows.find((r) => r.handler === 'Handlers.poison')!;
        const [link] = poison[0]!.links;
        expect(poisonRow.trace_parent).toBe(`00-${link!.context.traceId}-${link!.context.spanId}-01`);
      }
    });

    it('reads the work by state from the store at most once a second, however often it is scraped', async () => {
      const inbox = running.app.get<WebhookInbox>(WebhookInbox);
      // The clock the cache reads stands still during the scrapes (a loaded machine may take a
      // second over them), then moves on by 1.1 s; it starts past what an earlier scrape cached.
      let now = Date.now() + 2_000;
      const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
      const stats = jest.spyOn(inbox, 'stats');
      try {
        await Promise.all([registry.metrics(), registry.metrics()]);
        await registry.metrics();
        expect(stats).toHaveBeenCalledTimes(1);
        now += 1_100;
        await registry.metrics();
        expect(stats).toHaveBeenCalledTimes(2);
      } finally {
        stats.mockRestore();
        clock.mockRestore();
      }
    });

    it('is healthy when no work waits', async () => {
      const health = await running.app.get(WebhookHealthIndicator).isHealthy('webhooks', { maxInboxLagSeconds: 1 });
      expect(health.webhooks).toMatchObject({ status: 'up', inbox: { lagSeconds: 0 } });
    });
  });

  describe('with an instance that only receives (no worker runs the jobs)', () => {
    let running: RunningApp;
    const registry = new Registry();

    beforeAll(async () => {
      if (storage === 'typeorm') {
        // A fresh schema: the previous app's dead job would count here.
        const { Client } = await import('pg');
        const client = new Client({ connectionString: db.url });
        await client.connect();
        await client.query('DELETE FROM webhook_events');
        await client.end();
      }
      running = await startApp(
        'express',
        modules(storage, () => db, registry, { workers: false }),
        [HooksController],
        { providers: [Handlers] },
      );
    });
    afterAll(() => running?.close());

    it('reports pending work and its age, and health down once a job is left due past the threshold', async () => {
      const indicator = running.app.get(WebhookHealthIndicator);
      const empty = await indicator.isHealthy('webhooks', { maxInboxLagSeconds: 0.2 });
      expect(empty.webhooks).toMatchObject({ status: 'up', inbox: { lagSeconds: 0 } });

      expect((await deliver(running, 'kind_ok')).status).toBe(202);
      expect((await deliver(running, 'kind_poison')).status).toBe(202);
      const fresh = await indicator.isHealthy('webhooks', { maxInboxLagSeconds: 5 });
      expect(fresh.webhooks!.status).toBe('up');
      await sleep(400);
      const late = await indicator.isHealthy('webhooks', { maxInboxLagSeconds: 0.2 });
      expect(late.webhooks).toMatchObject({ status: 'down', problems: ['inbox lag above 0.2s'] });
      const lag = (late.webhooks!.inbox as { lagSeconds: number }).lagSeconds;
      expect(lag).toBeGreaterThanOrEqual(0.4);
      expect(lag).toBeLessThan(5);
      // The same state with a threshold above the lag is up.
      expect((await indicator.isHealthy('webhooks', { maxInboxLagSeconds: 60 })).webhooks!.status).toBe('up');

      const m = samples(await registry.metrics());
      const jobs = [...m.entries()].filter(([k]) => k.startsWith('hookwarden_inbox_jobs{'));
      expect(jobs.sort()).toEqual([
        [key('hookwarden_inbox_jobs', { endpoint: 'billing', handler: 'Handlers.ok', state: 'pending' }), 1],
        [key('hookwarden_inbox_jobs', { endpoint: 'billing', handler: 'Handlers.poison', state: 'pending' }), 1],
      ]);
      const age = m.get('hookwarden_inbox_oldest_due_age_seconds{}')!;
      expect(age).toBeGreaterThanOrEqual(0.4);
      expect(age).toBeLessThan(5);
    });

    it('is down when the store cannot be asked', async () => {
      const inbox = running.app.get<WebhookInbox>(WebhookInbox);
      const stats = jest.spyOn(inbox, 'stats').mockRejectedValue(new Error('connection refused'));
      try {
        const health = await running.app.get(WebhookHealthIndicator).isHealthy('webhooks');
        expect(health.webhooks).toMatchObject({ status: 'down', inbox: { lagSeconds: null } });
      } finally {
        stats.mockRestore();
      }
    });
  });
});
