// Issue 18, items 1–3, on Express and Fastify with the TypeORM storage on a real PostgreSQL: after
// known traffic (two deliveries, a copy, a forged one, a Slack challenge, a rotation and a
// revocation through the admin API), every metric served at /metrics (Prometheus text, a registry
// of the test's own) has the expected labels and values; the spans an in-memory exporter receives
// carry names, outcomes and codes but no secret or body; the terminus health check is up, then
// down while the database is read-only, then up again. Signatures are computed with the
// `standardwebhooks` package and node:crypto, never with Hookwarden's code.
import { createHmac } from 'node:crypto';
import { Controller, Get, Header, Post, UseGuards, type Type } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import {
  WebhookChallenge,
  WebhookEndpoint,
  WebhookGuard,
  WebhookHealthIndicator,
  WebhookModule,
  slack,
  standardWebhooks,
} from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { createTestDatabase, databaseUrl, type TestDatabase } from './support/postgres';
import { migratedDataSource, standardWebhooksHeaders } from './support/storages';
import { send, type HttpAnswer } from './support/http';
import { until } from './support/until';

const BILLING_SECRET = 'whsec_' + Buffer.from('observability-billing-secret-32b').toString('base64');
const SLACK_SECRET = 'observability-slack-signing-secret';
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
const ADMIN_TOKEN = 'observability-admin-token-0123456789';

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  @Post('billing')
  @WebhookEndpoint('billing')
  billing() {
    return { ok: true };
  }

  @Post('slack')
  @WebhookEndpoint('slack')
  @WebhookChallenge()
  slack() {
    return { ok: true };
  }

  @Post('runtime/:endpoint')
  @WebhookEndpoint({ param: 'endpoint' })
  runtime() {
    return { ok: true };
  }
}

/** GET /metrics (the app's registry, as an app serves it) and GET /health (terminus). */
function opsController(registry: Registry): Type {
  @Controller()
  class OpsController {
    constructor(
      private readonly health: HealthCheckService,
      private readonly webhooks: WebhookHealthIndicator,
    ) {}

    @Get('metrics')
    @Header('Content-Type', 'text/plain; version=0.0.4')
    metrics() {
      return registry.metrics();
    }

    @Get('health')
    @HealthCheck()
    check() {
      return this.health.check([() => this.webhooks.isHealthy('webhooks', { maxQueueDepth: 100 })]);
    }
  }
  return OpsController;
}

/** The key `samples` gives a series. */
function sampleKey(name: string, labels: Record<string, string>): string {
  const sorted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  return `${name}{${sorted}}`;
}

/** `name{labels} value` lines of the Prometheus text format, labels sorted by name. */
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

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

describe.each(ADAPTERS)('metrics, traces and health on %s', (adapter) => {
  let db: TestDatabase;
  let running: RunningApp;
  const registry = new Registry();

  beforeAll(async () => {
    db = await createTestDatabase(`observability_${adapter}`);
    running = await startApp(
      adapter,
      [
        migratedDataSource(db.url),
        TerminusModule,
        WebhookModule.forRoot({
          storage: { type: 'typeorm' },
          admin: { token: ADMIN_TOKEN },
          metrics: { registry },
          encryptionKey: ENCRYPTION_KEY,
          endpoints: {
            billing: standardWebhooks({ secret: BILLING_SECRET }),
            slack: slack({ signingSecret: SLACK_SECRET }),
          },
        }),
      ],
      [HooksController, opsController(registry)],
    );
  });
  afterAll(async () => {
    await running?.close();
    await db?.drop();
  });

  it('counts each outcome, times verification and commits, and counts challenges and secret changes', async () => {
    exporter.reset();
    const deliver = (id: string, body: string, headers = standardWebhooksHeaders(BILLING_SECRET, id, body)) =>
      send(running.baseUrl, '/hooks/billing', { headers, body });
    const first = JSON.stringify({ type: 'invoice.paid', secret: 'body-must-not-be-traced' });
    expect((await deliver('msg_1', first)).status).toBe(201);
    expect((await deliver('msg_2', '{"type":"invoice.created"}')).status).toBe(201);
    const copy = await deliver('msg_1', first);
    expect(copy.json).toMatchObject({ duplicate: true });
    const forged = standardWebhooksHeaders(BILLING_SECRET, 'msg_3', '{"a":1}');
    expect((await deliver('msg_3', '{"a":2}', forged)).status).toBe(401);

    const challengeBody = JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 't' });
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = 'v0=' + createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:${challengeBody}`).digest('hex');
    const challenge = await send(running.baseUrl, '/hooks/slack', {
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': signature },
      body: challengeBody,
    });
    expect(challenge.text).toContain('c-123');

    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const rotated = await send(running.baseUrl, '/webhooks/admin/endpoints/billing/secrets', {
      headers: admin,
      body: '{}',
    });
    expect(rotated.status).toBe(201);
    const revoked = await send(running.baseUrl, `/webhooks/admin/endpoints/billing/secrets/${rotated.json.version}`, {
      method: 'DELETE',
      headers: { authorization: admin.authorization },
    });
    expect(revoked.status).toBe(204);

    // Rejections are recorded without holding the answer: wait until the table holds all five rows.
    const rows = await waitForRows(db.url, 5);
    const metrics = await send(running.baseUrl, '/metrics', { method: 'GET' });
    const m = samples(metrics.text);
    const billing = { endpoint: 'billing', provider: 'standard-webhooks' };
    const get = (name: string, labels: Record<string, string> = {}) => m.get(sampleKey(name, labels));
    expect(get('hookwarden_deliveries_total', { code: '', ...billing, outcome: 'accepted' })).toBe(2);
    expect(get('hookwarden_deliveries_total', { code: '', ...billing, outcome: 'duplicate' })).toBe(1);
    expect(get('hookwarden_deliveries_total', { code: 'no_matching_signature', ...billing, outcome: 'rejected' })).toBe(
      1,
    );
    expect([...m.keys()].filter((k) => k.startsWith('hookwarden_deliveries_total'))).toHaveLength(3);
    expect(get('hookwarden_verification_duration_seconds_count', { ...billing })).toBe(4);
    expect(get('hookwarden_verification_duration_seconds_bucket', { ...billing, le: '+Inf' })).toBe(4);
    expect(get('hookwarden_verification_duration_seconds_sum', { ...billing })).toBeGreaterThan(0);
    expect(
      get('hookwarden_challenges_total', { code: '', endpoint: 'slack', outcome: 'answered', provider: 'slack' }),
    ).toBe(1);
    expect(get('hookwarden_secret_changes_total', { action: 'rotate', endpoint: 'billing' })).toBe(1);
    expect(get('hookwarden_secret_changes_total', { action: 'revoke', endpoint: 'billing' })).toBe(1);
    // Every row in the table came through a committed batch, plus the copy's first try: offered as
    // accepted, it conflicted with msg_1 and was then written as its duplicate row.
    expect(rows).toBe(5);
    expect(get('hookwarden_event_log_batch_rows_sum')).toBe(rows + 1);
    expect(get('hookwarden_event_log_commit_duration_seconds_count', { committed: 'true' })).toBe(
      get('hookwarden_event_log_batch_rows_count'),
    );
    expect(get('hookwarden_event_log_commit_duration_seconds_count', { committed: 'false' })).toBeUndefined();
    expect(get('hookwarden_event_log_queue_depth')).toBe(0);
    // No id or free text as a label value anywhere.
    expect(metrics.text).not.toMatch(/msg_[0-9]|c-123|invoice/);

    const spans = exporter.getFinishedSpans();
    const verifies = spans.filter((s) => s.name === 'hookwarden.verify');
    expect(verifies.map((s) => s.attributes['hookwarden.outcome']).sort()).toEqual([
      'accepted',
      'accepted',
      'duplicate',
      'rejected',
    ]);
    expect(verifies.find((s) => s.attributes['hookwarden.outcome'] === 'rejected')?.attributes).toMatchObject({
      'hookwarden.endpoint': 'billing',
      'hookwarden.provider': 'standard-webhooks',
      'hookwarden.code': 'no_matching_signature',
    });
    // Each accepted delivery's storage span is a child of its verification span, and linked from a batch.
    const records = spans.filter((s) => s.name === 'hookwarden.event_log.record');
    expect(records).toHaveLength(3);
    const verifyIds = new Set(verifies.map((s) => s.spanContext().spanId));
    for (const record of records) expect(verifyIds.has(record.parentSpanContext!.spanId)).toBe(true);
    const linked = new Set(
      spans.filter((s) => s.name === 'hookwarden.event_log.batch').flatMap((s) => s.links.map((l) => l.context.spanId)),
    );
    for (const record of records) expect(linked.has(record.spanContext().spanId)).toBe(true);
    const everything = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.status, s.events]));
    expect(everything).not.toMatch(/body-must-not-be-traced|whsec_|observability-slack|v1,|invoice/);
  });

  it('counts requests to unknown endpoints under one label value, whatever names they make up', async () => {
    const before = samples((await send(running.baseUrl, '/metrics', { method: 'GET' })).text);
    for (const name of ['made-up-1', 'made-up-2', 'billing']) {
      // `billing` is an endpoint of the options: routes by name serve only run-time endpoints.
      expect((await send(running.baseUrl, `/hooks/runtime/${name}`, { body: '{}' })).json).toMatchObject({
        code: 'unknown_endpoint',
      });
    }
    const text = (await send(running.baseUrl, '/metrics', { method: 'GET' })).text;
    const unknown = sampleKey('hookwarden_deliveries_total', {
      code: 'unknown_endpoint',
      endpoint: '-',
      outcome: 'rejected',
      provider: '-',
    });
    expect(samples(text).get(unknown)).toBe((before.get(unknown) ?? 0) + 3);
    expect(text).not.toContain('made-up');
  });

  it('reports health up, down while the database is read-only, and up again', async () => {
    const up = await send(running.baseUrl, '/health', { method: 'GET' });
    expect(up.status).toBe(200);
    expect(up.json.info.webhooks).toMatchObject({
      status: 'up',
      eventLog: { writable: true, queueDepth: 0 },
      secretListener: { connected: true },
    });
    await setReadOnly(db, true);
    try {
      // A pooled session may outlive pg_terminate_backend for a moment (and the secret listener's
      // reconnect may be seen first): wait until the event log is found read-only.
      let down!: HttpAnswer;
      await until(async () => {
        down = await send(running.baseUrl, '/health', { method: 'GET' });
        return down.status === 503 && down.json?.error?.webhooks?.eventLog?.writable === false;
      }, 10_000);
      expect(down.status).toBe(503);
      expect(down.json.error.webhooks).toMatchObject({ status: 'down', eventLog: { writable: false } });
      expect(down.json.error.webhooks.problems).toContain('event log not writable');
    } finally {
      await setReadOnly(db, false);
    }
    let again!: HttpAnswer;
    await until(async () => {
      again = await send(running.baseUrl, '/health', { method: 'GET' });
      return again.status === 200;
    }, 10_000);
    expect(again.status).toBe(200);
  });
});

/** Read-only by default for new sessions, and the open ones closed so the pools reconnect so. */
async function setReadOnly(db: TestDatabase, on: boolean): Promise<void> {
  // From the server's own database: the test's database may already refuse writes.
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    await client.query(`ALTER DATABASE "${db.name}" SET default_transaction_read_only = ${on ? 'on' : 'off'}`);
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [db.name],
    );
  } finally {
    await client.end();
  }
}

async function waitForRows(url: string, atLeast: number): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (let i = 0; ; i++) {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM webhook_events');
      const n = Number(rows[0].n);
      if (n >= atLeast || i >= 50) return n;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await client.end();
  }
}
