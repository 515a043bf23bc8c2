// Replay with `reverify` (issue 15, item 4), through the admin API, from the attacker's side: an
// event whose stored body AND digest were rewritten (in PostgreSQL, through an ordinary
// connection; in memory, in place) is refused, and replayed without `reverify`; an intact one
// replays; a row copied to another endpoint is refused. The seal itself is checked against an
// independent computation in src/storage/typeorm/typeorm-event-seal.spec.ts.
import { createHash, randomBytes } from 'node:crypto';
import { Controller, HttpCode, Injectable, Post, UseGuards, type DynamicModule } from '@nestjs/common';
import {
  AuditLog,
  EventLogReader,
  OnWebhook,
  standardWebhooks,
  WebhookEndpoint,
  WebhookGuard,
  WebhookInbox,
  WebhookModule,
  type VerifiedWebhook,
  type WebhookModuleOptions,
} from '../src';
import { startApp, type RunningApp } from './support/apps';
import { send } from './support/http';
import { createTestDatabase, withClient, type TestDatabase } from './support/postgres';
import { migratedDataSource, standardWebhooksHeaders } from './support/storages';
import { until } from './support/until';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = randomBytes(32).toString('base64');
const TOKEN = randomBytes(24).toString('base64url');

@Injectable()
class Runs {
  readonly seen: Array<{ endpoint: string; body: string }> = [];
  count(body: string) {
    return this.seen.filter((r) => r.body === body).length;
  }
}

@Injectable()
class Handlers {
  constructor(private readonly runs: Runs) {}

  @OnWebhook('billing')
  onBilling(delivery: VerifiedWebhook) {
    this.runs.seen.push({ endpoint: 'billing', body: delivery.rawBody.toString() });
  }

  /** Takes only refunds: billing's invoices never reach it. */
  @OnWebhook('billing', 'refund.*')
  onRefund(delivery: VerifiedWebhook) {
    this.runs.seen.push({ endpoint: 'refund', body: delivery.rawBody.toString() });
  }

  @OnWebhook('payroll')
  onPayroll(delivery: VerifiedWebhook) {
    this.runs.seen.push({ endpoint: 'payroll', body: delivery.rawBody.toString() });
  }
}

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  @Post('billing')
  @HttpCode(202)
  @WebhookEndpoint('billing')
  billing() {
    return { queued: true };
  }
}

const options = (): WebhookModuleOptions & { admin: { token: string } } => ({
  admin: { token: TOKEN },
  endpoints: { billing: standardWebhooks({ secret: SECRET }), payroll: standardWebhooks({ secret: SECRET }) },
  inbox: { pollIntervalMs: 50, backoff: { baseMs: 20, maxMs: 100 }, maxAttempts: 3, leaseSeconds: 5 },
});

const storages: Record<string, (db: () => TestDatabase) => DynamicModule[]> = {
  memory: () => [WebhookModule.forRoot(options())],
  typeorm: (db) => [
    migratedDataSource(db().url),
    WebhookModule.forRoot({ ...options(), storage: { type: 'typeorm' }, encryptionKey: KEY }),
  ],
};

describe.each(Object.keys(storages))('replay with reverify, %s store', (storage) => {
  let db: TestDatabase;
  let running: RunningApp;
  let runs: Runs;

  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase('replay_reverify');
    running = await startApp(
      'express',
      storages[storage]!(() => db),
      [HooksController],
      {
        providers: [Runs, Handlers],
      },
    );
    runs = running.app.get(Runs);
  });
  afterAll(async () => {
    await running?.close();
    await db?.drop();
  });

  const admin = (method: string, path: string, body?: unknown) =>
    send(running.baseUrl, `/webhooks/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  /** Delivers an event, waits for its handler to have succeeded, and returns its event id. */
  async function delivered(): Promise<{ eventId: string; body: string }> {
    const type = `invoice.${randomBytes(4).toString('hex')}`;
    const body = JSON.stringify({ type, amount: 100 });
    const id = `msg_${randomBytes(6).toString('hex')}`;
    const answer = await send(running.baseUrl, '/hooks/billing', {
      headers: standardWebhooksHeaders(SECRET, id, body),
      body,
    });
    expect(answer.status).toBe(202);
    const job = await until(async () =>
      (await running.app.get<WebhookInbox>(WebhookInbox).list({ eventType: type, limit: 10 })).items.find(
        (j) => j.state === 'succeeded',
      ),
    );
    return { eventId: job!.eventId, body };
  }

  const refusals = async () =>
    (await running.app.get<AuditLog>(AuditLog).recent(100)).filter((e) => e.action === 'events.replay.refused');

  it('replays an intact event with reverify: its handler runs again', async () => {
    const { eventId, body } = await delivered();
    const answer = await admin('POST', `/events/${eventId}/replay`, { reverify: true });
    expect(answer.status).toBe(200);
    expect(answer.json.map((j: { handler: string }) => j.handler)).toEqual(['Handlers.onBilling']);
    await until(() => runs.count(body) === 2);
  });

  it('refuses an event whose body and digest were both rewritten; replayed without reverify, the worker refuses it', async () => {
    const { eventId, body } = await delivered();
    const forged = body.replace('"amount":100', '"amount":999');
    if (storage === 'typeorm') {
      await withClient(db.url, (client) =>
        client.query(`UPDATE webhook_events SET body = $2, body_size = $3, body_sha256 = $4 WHERE id = $1`, [
          eventId,
          Buffer.from(forged),
          forged.length,
          createHash('sha256').update(forged).digest(),
        ]),
      );
    } else {
      // In memory, the stored copy rewritten in place.
      const stored = (await running.app.get<EventLogReader>(EventLogReader).get(eventId))!;
      stored.body!.write(forged);
    }
    if (storage === 'typeorm') {
      // What the digest-only check trusted: the column now agrees with the forged body.
      expect((await admin('GET', `/events/${eventId}`)).json.bodySha256).toBe(
        createHash('sha256').update(forged).digest('hex'),
      );
    }

    const refused = await admin('POST', `/events/${eventId}/replay`, { reverify: true });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'event_not_replayable' });
    expect(JSON.stringify(refused.json)).not.toContain('999');
    expect(await refusals()).toContainEqual(
      expect.objectContaining({ endpoint: 'billing', details: { id: eventId, reason: 'mismatch' } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(runs.count(forged)).toBe(0);

    // Without reverify the replay is accepted, and the worker checks the seal before the handler
    // runs: in PostgreSQL the job goes dead with the seal's reason, the forged body never handled.
    // The in-memory inbox keeps its own reference to the received bytes, and runs those.
    const replayed = await admin('POST', `/events/${eventId}/replay`, {});
    expect(replayed.status).toBe(200);
    if (storage === 'typeorm') {
      const dead = await deadJobOf(eventId);
      expect(dead.lastError).toContain('does not match its seal');
      expect(dead.lastError).not.toContain('999');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(runs.count(forged)).toBe(0);
      expect(runs.count(body)).toBe(1);
    } else {
      await until(() => runs.count(body) === 2);
      expect(runs.count(forged)).toBe(0);
    }
  });

  if (storage === 'typeorm') {
    it('refuses a row copied to another endpoint (with its jobs), with or without reverify', async () => {
      const { eventId, body } = await delivered();
      const copy = await withClient(db.url, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO webhook_events (endpoint, provider, message_id, status, received_at, method, path, headers,
                                       body, body_size, body_sha256, occurrences, event_type, seal, seal_key_id)
           SELECT 'payroll', provider, message_id, status, received_at, method, path, headers, body, body_size,
                  body_sha256, occurrences, event_type, seal, seal_key_id FROM webhook_events WHERE id = $1
           RETURNING id::text AS id`,
          [eventId],
        );
        await client.query(
          `INSERT INTO webhook_inbox_jobs (event_id, endpoint, handler, event_type, state, attempts, run_at)
           SELECT $1::bigint, 'payroll', 'Handlers.onPayroll', event_type, 'succeeded', 1, now()
             FROM webhook_inbox_jobs WHERE event_id = $2::bigint`,
          [rows[0]!.id, eventId],
        );
        return rows[0]!.id;
      });
      const refused = await admin('POST', `/events/${copy}/replay`, { reverify: true });
      expect(refused.status).toBe(409);
      expect(refused.json).toMatchObject({ code: 'event_not_replayable' });
      expect(await refusals()).toContainEqual(
        expect.objectContaining({ endpoint: 'payroll', details: { id: copy, reason: 'mismatch' } }),
      );
      // The original still replays with reverify; the copy, replayed without it, is refused by the
      // worker's own check of the seal: its job goes dead and the payroll handler never runs.
      expect((await admin('POST', `/events/${eventId}/replay`, { reverify: true })).status).toBe(200);
      await until(() => runs.count(body) === 2);
      expect((await admin('POST', `/events/${copy}/replay`, {})).status).toBe(200);
      expect((await deadJobOf(copy)).lastError).toContain('does not match its seal');
      expect(runs.seen.some((r) => r.endpoint === 'payroll')).toBe(false);
    });

    /** Makes the event's job dead (as after maxAttempts), then rewrites the body with its digest. */
    async function deadAndForged(): Promise<{ eventId: string; body: string; forged: string; jobId: string }> {
      const { eventId, body } = await delivered();
      const forged = body.replace('"amount":100', '"amount":777');
      const jobId = await withClient(db.url, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `UPDATE webhook_inbox_jobs SET state = 'dead', last_error = 'gave up' WHERE event_id = $1::bigint
           RETURNING id::text AS id`,
          [eventId],
        );
        await client.query(`UPDATE webhook_events SET body = $2, body_size = $3, body_sha256 = $4 WHERE id = $1`, [
          eventId,
          Buffer.from(forged),
          forged.length,
          createHash('sha256').update(forged).digest(),
        ]);
        return rows[0]!.id;
      });
      return { eventId, body, forged, jobId };
    }

    it('never runs a handler on a rewritten body that is retried or redriven: the worker checks the seal', async () => {
      const retried = await deadAndForged();
      expect((await admin('POST', `/jobs/${retried.jobId}/retry`)).status).toBe(200);
      const redriven = await deadAndForged();
      const redrive = await admin('POST', '/jobs/redrive', { dryRun: false, state: 'dead', endpoint: 'billing' });
      expect(redrive.status).toBe(200);
      expect(redrive.json.count).toBeGreaterThanOrEqual(1);
      for (const { eventId, forged } of [retried, redriven]) {
        const dead = await deadJobOf(eventId, (j) => j.lastError !== 'gave up');
        expect(dead.lastError).toContain('does not match its seal');
        expect(runs.count(forged)).toBe(0);
      }
    });

    it("never runs a job whose endpoint or event's content type was rewritten", async () => {
      const moved = await deadAndForged();
      // The body back as it was: only the job's endpoint is rewritten, to another endpoint's.
      await withClient(db.url, (client) =>
        client.query(`UPDATE webhook_events SET body = $2, body_size = $3, body_sha256 = $4 WHERE id = $1;`, [
          moved.eventId,
          Buffer.from(moved.body),
          moved.body.length,
          createHash('sha256').update(moved.body).digest(),
        ]),
      );
      await withClient(db.url, (client) =>
        client.query(
          `UPDATE webhook_inbox_jobs SET endpoint = 'payroll', handler = 'Handlers.onPayroll' WHERE id = $1`,
          [moved.jobId],
        ),
      );
      expect((await admin('POST', `/jobs/${moved.jobId}/retry`)).status).toBe(200);
      expect((await deadJobOf(moved.eventId, (j) => j.lastError !== 'gave up')).lastError).toContain(
        "not its event's endpoint",
      );
      expect(runs.seen.some((r) => r.endpoint === 'payroll')).toBe(false);

      // Another handler of the same endpoint, which does not take this event's type.
      const swapped = await deadAndForged();
      await withClient(db.url, async (client) => {
        await client.query(`UPDATE webhook_events SET body = $2, body_size = $3, body_sha256 = $4 WHERE id = $1`, [
          swapped.eventId,
          Buffer.from(swapped.body),
          swapped.body.length,
          createHash('sha256').update(swapped.body).digest(),
        ]);
        await client.query(`UPDATE webhook_inbox_jobs SET handler = 'Handlers.onRefund' WHERE id = $1`, [
          swapped.jobId,
        ]);
      });
      expect((await admin('POST', `/jobs/${swapped.jobId}/retry`)).status).toBe(200);
      expect((await deadJobOf(swapped.eventId, (j) => j.lastError !== 'gave up')).lastError).toContain(
        "does not take this event's type",
      );
      expect(runs.seen.some((r) => r.endpoint === 'refund')).toBe(false);

      // A form instead of JSON: the same bytes would reach the handler parsed otherwise.
      const { eventId } = await delivered();
      await withClient(db.url, (client) =>
        client.query(
          `UPDATE webhook_events SET headers = jsonb_set(headers, '{content-type}', '"application/x-www-form-urlencoded"')
            WHERE id = $1`,
          [eventId],
        ),
      );
      const refused = await admin('POST', `/events/${eventId}/replay`, { reverify: true });
      expect(refused.status).toBe(409);
      expect(await refusals()).toContainEqual(
        expect.objectContaining({ endpoint: 'billing', details: { id: eventId, reason: 'mismatch' } }),
      );
    });
  }

  if (storage === 'typeorm') {
    it('tries again, never runs, a job sealed under a key this instance does not hold (a rotation not yet everywhere)', async () => {
      const { eventId, jobId, body } = await deadAndForgedBack();
      await withClient(db.url, (client) =>
        client.query(`UPDATE webhook_events SET seal_key_id = 'k-next' WHERE id = $1`, [eventId]),
      );
      expect((await admin('POST', `/jobs/${jobId}/retry`)).status).toBe(200);
      // Failed and retried with backoff first (another instance may hold the key), dead after maxAttempts:
      // the attempts count shows the retries (the job is `failed` only for its short backoff, too short
      // to be caught reliably by polling).
      const dead = await deadJobOf(eventId, (j) => j.lastError !== 'gave up');
      expect(dead.lastError).toContain("not in this instance's keyring");
      expect(dead.attempts).toBe(3);
      expect(runs.count(body)).toBe(1);
    });
  }

  /** A delivered event whose job is dead (as after maxAttempts), its row intact. */
  async function deadAndForgedBack(): Promise<{ eventId: string; jobId: string; body: string }> {
    const { eventId, body } = await delivered();
    const jobId = await withClient(db.url, async (client) => {
      const { rows } = await client.query<{ id: string }>(
        `UPDATE webhook_inbox_jobs SET state = 'dead', last_error = 'gave up' WHERE event_id = $1::bigint
         RETURNING id::text AS id`,
        [eventId],
      );
      return rows[0]!.id;
    });
    return { eventId, jobId, body };
  }

  /** The event's job once it is dead (and `matches`), from the admin API. */
  async function deadJobOf(
    eventId: string,
    matches: (job: { lastError?: string }) => boolean = () => true,
  ): Promise<{ lastError?: string; attempts: number }> {
    const job = await until(async () => {
      const listed = await admin('GET', `/jobs?state=dead&endpoint=billing&limit=500`);
      const payroll = await admin('GET', `/jobs?state=dead&endpoint=payroll&limit=500`);
      return [...listed.json.items, ...payroll.json.items].find(
        (j: { eventId: string; lastError?: string }) => j.eventId === eventId && matches(j),
      );
    });
    return job!;
  }
});
