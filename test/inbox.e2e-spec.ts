// The durable inbox (issue 15): @OnWebhook handlers by event type run after the 2xx, each with its
// own job (retries with backoff, dead after maxAttempts, RetryLater, ordering per key), with the
// in-memory and the PostgreSQL store, on both adapters, through real HTTP.
import { randomBytes } from 'node:crypto';
import { Controller, HttpCode, Injectable, Post, UseGuards, type DynamicModule } from '@nestjs/common';
import {
  AuditLog,
  OnWebhook,
  RetryLater,
  standardWebhooks,
  WebhookEndpoint,
  WebhookGuard,
  WebhookInbox,
  WebhookModule,
  type VerifiedWebhook,
  type WebhookJobContext,
  type WebhookModuleOptions,
} from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { migratedDataSource, standardWebhooksHeaders } from './support/storages';
import { until } from './support/until';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = randomBytes(32).toString('base64');

interface Event {
  type: string;
  data: { object: string; n?: number };
}

@Injectable()
class Calls {
  readonly log: Array<{ handler: string; id: string; type: string; eventType?: string; attempt: number }> = [];
  /** Per message id: how many attempts of `flaky` fail before one succeeds. */
  readonly flakyFailures = new Map<string, number>();
  readonly ordered: string[] = [];
  routeFails = false;
  of(handler: string, id: string) {
    return this.log.filter((c) => c.handler === handler && c.id === id);
  }
}

@Injectable()
class Handlers {
  constructor(private readonly calls: Calls) {}

  private note(handler: string, delivery: VerifiedWebhook<Event>, context: WebhookJobContext) {
    this.calls.log.push({
      handler,
      id: delivery.id!,
      type: delivery.payload.type,
      eventType: delivery.eventType,
      attempt: context.attempt,
    });
  }

  @OnWebhook<Event>('billing', 'invoice.*')
  onInvoice(delivery: VerifiedWebhook<Event>, context: WebhookJobContext) {
    this.note('invoice', delivery, context);
  }

  @OnWebhook('billing')
  onEverything(delivery: VerifiedWebhook<Event>, context: WebhookJobContext) {
    this.note('all', delivery, context);
  }

  @OnWebhook('billing', ['customer.created', 'flaky.*', 'poison', 'early'])
  async onOthers(delivery: VerifiedWebhook<Event>, context: WebhookJobContext) {
    this.note('others', delivery, context);
    const { type } = delivery.payload;
    if (type === 'poison') throw new Error('cannot parse; api_key=sk_live_abcdefghijklmnopqrstuvwxyz012345');
    if (type === 'early' && context.attempt === 1) throw new RetryLater(50);
    const left = this.calls.flakyFailures.get(delivery.id!) ?? 0;
    if (type.startsWith('flaky') && left > 0) {
      this.calls.flakyFailures.set(delivery.id!, left - 1);
      throw new Error('downstream unavailable');
    }
  }

  @OnWebhook<Event>('billing', 'ordered', { orderKey: (d) => d.payload.data.object })
  async onOrdered(delivery: VerifiedWebhook<Event>) {
    this.calls.ordered.push(`start ${delivery.payload.data.n}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    this.calls.ordered.push(`end ${delivery.payload.data.n}`);
  }
}

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  constructor(private readonly calls: Calls) {}

  /** Processed only by the @OnWebhook handlers: answers as soon as the row is committed. */
  @Post('billing')
  @HttpCode(202)
  @WebhookEndpoint('billing')
  receive() {
    if (this.calls.routeFails) throw new Error('route handler failed');
    return { queued: true };
  }
}

const TOKEN = randomBytes(24).toString('base64url');

const options = (): WebhookModuleOptions & { admin: { token: string } } => ({
  admin: { token: TOKEN },
  endpoints: { billing: standardWebhooks({ secret: SECRET }) },
  inbox: { pollIntervalMs: 100, backoff: { baseMs: 20, maxMs: 100 }, maxAttempts: 3, leaseSeconds: 5 },
});

const storages: Record<string, (db: () => TestDatabase) => DynamicModule[]> = {
  memory: () => [WebhookModule.forRoot(options())],
  typeorm: (db) => [
    migratedDataSource(db().url),
    WebhookModule.forRoot({ ...options(), storage: { type: 'typeorm' }, encryptionKey: KEY }),
  ],
};

describe.each(Object.keys(storages))('the inbox with the %s store', (storage) => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase('inbox');
  });
  afterAll(() => db?.drop());

  describe.each(ADAPTERS)('on %s', (adapter) => {
    let running: RunningApp;
    let calls: Calls;
    let inbox: WebhookInbox;

    beforeAll(async () => {
      running = await startApp(
        adapter,
        storages[storage]!(() => db),
        [HooksController],
        {
          providers: [Calls, Handlers],
        },
      );
      calls = running.app.get(Calls);
      inbox = running.app.get(WebhookInbox);
    });
    afterAll(() => running.close());

    const deliver = (
      type: string,
      data: Event['data'] = { object: 'obj_1' },
      id = `msg_${randomBytes(6).toString('hex')}`,
    ) => {
      const body = JSON.stringify({ type, data });
      return send(running.baseUrl, '/hooks/billing', { headers: standardWebhooksHeaders(SECRET, id, body), body }).then(
        (answer) => ({ ...answer, id }),
      );
    };

    it('answers 202 at once and runs every matching handler after it, each once, with the typed payload', async () => {
      const answer = await deliver('invoice.paid');
      expect(answer.status).toBe(202);
      await until(() => calls.of('invoice', answer.id).length === 1 && calls.of('all', answer.id).length === 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(calls.of('invoice', answer.id)).toEqual([
        { handler: 'invoice', id: answer.id, type: 'invoice.paid', eventType: 'invoice.paid', attempt: 1 },
      ]);
      expect(calls.of('all', answer.id)).toHaveLength(1);
      expect(calls.of('others', answer.id)).toHaveLength(0);
    });

    it('a copy of an accepted delivery adds no job', async () => {
      const id = `msg_${randomBytes(6).toString('hex')}`;
      expect((await deliver('customer.created', undefined, id)).status).toBe(202);
      await until(() => calls.of('others', id).length === 1);
      expect((await deliver('customer.created', undefined, id)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(calls.of('others', id)).toHaveLength(1);
      expect(calls.of('all', id)).toHaveLength(1);
    });

    it('a failing handler retries with backoff until it succeeds; the others ran once', async () => {
      const id = `msg_${randomBytes(6).toString('hex')}`;
      calls.flakyFailures.set(id, 2);
      await deliver('flaky.one', undefined, id);
      await until(() => calls.of('others', id).length === 3);
      expect(calls.of('others', id).map((c) => c.attempt)).toEqual([1, 2, 3]);
      const job = await until(async () =>
        (await inbox.list({ handler: 'Handlers.onOthers', eventType: 'flaky.one', limit: 500 })).items.find(
          (j) => j.state === 'succeeded',
        ),
      );
      expect(job).toMatchObject({ state: 'succeeded', attempts: 3, lastError: 'Error: downstream unavailable' });
      expect(calls.of('all', id)).toHaveLength(1);
    });

    it('a poison event is dead after maxAttempts, its error redacted; replay and retry run it again', async () => {
      // The database is shared by both adapters' apps: only this test's jobs.
      const since = new Date(Date.now() - 5);
      const poison = await deliver('poison');
      const dead = await until(async () =>
        (await inbox.list({ state: 'dead', eventType: 'poison', since, limit: 500 })).items.find(
          (j) => j.handler === 'Handlers.onOthers',
        ),
      );
      expect(calls.of('others', poison.id)).toHaveLength(3);
      expect(dead!.lastError).toBe('Error: cannot parse; api_key=[redacted]');
      // Others on the same event were unaffected.
      expect(calls.of('all', poison.id)).toHaveLength(1);

      expect(await inbox.redrive({ eventType: 'poison', handler: 'Handlers.onOthers', since }, true)).toBe(1);
      expect((await inbox.list({ state: 'dead', eventType: 'poison', since, limit: 500 })).items).toHaveLength(1);
      expect(await inbox.retry(dead!.id)).toMatchObject({ state: 'pending', attempts: 0 });
      await until(() => calls.of('others', poison.id).length === 6);
      // Dead again: a bulk redrive (not a dry run) sends it back once more.
      await until(async () => (await inbox.get(dead!.id))?.state === 'dead');
      expect(await inbox.redrive({ eventType: 'poison', since }, false)).toBe(1);
      await until(() => calls.of('others', poison.id).length === 9);

      // Replay a succeeded job of the same event: only the chosen handler runs again.
      const replayed = await inbox.replay(dead!.eventId, ['Handlers.onEverything']);
      expect(replayed.map((j) => j.handler)).toEqual(['Handlers.onEverything']);
      await until(() => calls.of('all', poison.id).length === 2);
    });

    it('RetryLater runs the job again after the delay', async () => {
      const early = await deliver('early');
      await until(() => calls.of('others', early.id).length === 2);
      expect(calls.of('others', early.id).map((c) => c.attempt)).toEqual([1, 2]);
    });

    it('jobs with the same order key run one at a time, in arrival order', async () => {
      calls.ordered.length = 0;
      const key = `sub_${randomBytes(4).toString('hex')}`;
      for (let n = 1; n <= 3; n++) expect((await deliver('ordered', { object: key, n })).status).toBe(202);
      await until(() => calls.ordered.length === 6);
      expect(calls.ordered).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    });

    it('a delivery whose route handler failed gets no job run (the provider retries it)', async () => {
      calls.routeFails = true;
      const failed = await deliver('invoice.failed');
      calls.routeFails = false;
      expect(failed.status).toBe(500);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(calls.of('invoice', failed.id)).toHaveLength(0);
      const retried = await deliver('invoice.failed', undefined, failed.id);
      expect(retried.status).toBe(202);
      await until(() => calls.of('invoice', failed.id).length === 1);
    });

    it('the admin API lists jobs, retries one, redrives with a dry-run count first and replays, each audited, refusals too', async () => {
      const call = (method: string, path: string, body?: unknown) =>
        send(running.baseUrl, `/webhooks/admin${path}`, {
          method,
          headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
      const since = new Date(Date.now() - 5).toISOString();
      const poison = await deliver('poison');
      const dead = await until(async () => {
        const page = await call('GET', `/jobs?state=dead&eventType=poison&since=${encodeURIComponent(since)}`);
        return page.json?.items?.[0];
      });
      expect(dead).toMatchObject({ state: 'dead', attempts: 3, handler: 'Handlers.onOthers', endpoint: 'billing' });
      expect((await call('GET', `/jobs/${dead.id}`)).json).toMatchObject({ id: dead.id, state: 'dead' });
      expect((await call('GET', '/jobs/999999999')).json).toMatchObject({ code: 'unknown_job' });
      expect((await call('GET', '/jobs?state=lost')).status).toBe(400);

      const filters = { eventType: 'poison', since };
      // Redrive takes dead jobs only: another `state` is refused (it was silently ignored).
      const withState = await call('POST', '/jobs/redrive', { ...filters, state: 'failed' });
      expect([withState.status, withState.json.code]).toEqual([400, 'validation_failed']);
      expect((await call('POST', '/jobs/redrive', filters)).json).toEqual({ count: 1, dryRun: true });
      expect((await call('GET', `/jobs/${dead.id}`)).json.state).toBe('dead');
      expect((await call('POST', '/jobs/redrive', { ...filters, dryRun: false })).json).toEqual({
        count: 1,
        dryRun: false,
      });
      await until(() => calls.of('others', poison.id).length === 6);
      await until(async () => (await call('GET', `/jobs/${dead.id}`)).json.state === 'dead');
      const retried = await call('POST', `/jobs/${dead.id}/retry`);
      expect(retried.json).toMatchObject({ state: 'pending', attempts: 0 });
      await until(() => calls.of('others', poison.id).length === 9);

      // The succeeded job of the same event: re-run after checking the stored event against its seal.
      const allJob = await until(async () => {
        const page = await call(
          'GET',
          `/jobs?handler=Handlers.onEverything&eventType=poison&since=${encodeURIComponent(since)}`,
        );
        return page.json?.items?.find((j: { state: string }) => j.state === 'succeeded');
      });
      const replayed = await call('POST', `/events/${allJob.eventId}/replay`, {
        handlers: ['Handlers.onEverything'],
        reverify: true,
      });
      expect(replayed.status).toBe(200);
      expect(replayed.json.map((j: { handler: string }) => j.handler)).toEqual(['Handlers.onEverything']);
      await until(() => calls.of('all', poison.id).length === 2);
      const running_ = await call('POST', `/events/${allJob.eventId}/replay`, { handlers: ['Nope.nothing'] });
      expect(running_.json).toMatchObject({ code: 'event_not_replayable' });
      expect((await call('POST', '/jobs/999999999/retry')).json).toMatchObject({ code: 'unknown_job' });
      // Ids that are no ids are refused as unknown (a NUL or a lone surrogate made the audit write fail: 500).
      for (const id of [`${'x'.repeat(63)}\u{1F600}`, '9999999999999999999']) {
        expect((await call('POST', `/jobs/${encodeURIComponent(id)}/retry`)).json).toMatchObject({
          code: 'unknown_job',
        });
      }
      // A NUL is refused before any store is asked (as in every admin input).
      expect((await call('POST', `/jobs/${encodeURIComponent('a\u0000')}/retry`)).json).toMatchObject({
        code: 'validation_failed',
      });
      expect((await call('GET', '/jobs?cursor=9999999999999999999')).json).toMatchObject({ code: 'invalid_cursor' });
      expect((await call('POST', `/jobs/${allJob.id}/retry`)).json).toMatchObject({ code: 'job_not_retryable' });

      const actions = (await running.app.get<AuditLog>(AuditLog).recent(100)).map((e) => e.action);
      for (const action of [
        'jobs.list',
        'jobs.get',
        'jobs.redrive.dry_run',
        'jobs.redrive',
        'jobs.retry',
        'events.replay',
        'jobs.retry.refused',
        'events.replay.refused',
      ]) {
        expect(actions).toContain(action);
      }
    });
  });
});
