// A delivery whose handler throws was stored as accepted but never processed. Its acceptance is
// withdrawn before the error answer (any status outside 2xx) goes out, so the provider's retry is
// handled again instead of being answered as a duplicate, with the in-memory and the PostgreSQL event log, on both adapters.
import { randomBytes } from 'node:crypto';
import { BadRequestException, Controller, HttpCode, Injectable, Post, UseGuards } from '@nestjs/common';
import {
  EventLogReader,
  standardWebhooks,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  type VerifiedWebhook,
} from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';
import { createTestDatabase, type TestDatabase } from './support/postgres';
import { eventLogStorages, standardWebhooksHeaders } from './support/storages';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = randomBytes(32).toString('base64');

@Injectable()
class Outcomes {
  /** How many times the next handler calls should fail, and how. */
  failures = 0;
  failWith: 'error' | 'bad-request' = 'error';
  readonly handled: string[] = [];
}

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  constructor(private readonly outcomes: Outcomes) {}

  @Post('billing')
  @WebhookEndpoint('billing')
  receive(@WebhookEvent() event: VerifiedWebhook) {
    if (this.outcomes.failures > 0) {
      this.outcomes.failures--;
      if (this.outcomes.failWith === 'bad-request') throw new BadRequestException('the payload was refused');
      throw new Error('the handler failed');
    }
    this.outcomes.handled.push(event.id!);
    return { ok: true };
  }

  @Post('accepted')
  @HttpCode(202)
  @WebhookEndpoint('billing')
  receiveLater(@WebhookEvent() event: VerifiedWebhook) {
    this.outcomes.handled.push(event.id!);
    return { queued: true };
  }
}

const signed = (id: string, body: string) => standardWebhooksHeaders(SECRET, id, body);

const storages = eventLogStorages(() => ({ billing: standardWebhooks({ secret: SECRET }) }), KEY);

describe.each(Object.keys(storages))('a failed handler with the %s event log', (storage) => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (storage === 'typeorm') db = await createTestDatabase('handler_failure');
  });

  describe.each(ADAPTERS)('on %s', (adapter) => {
    let running: RunningApp;
    let outcomes: Outcomes;

    beforeAll(async () => {
      running = await startApp(
        adapter,
        storages[storage](() => db),
        [HooksController],
        { providers: [Outcomes] },
      );
      outcomes = running.app.get(Outcomes);
    });
    afterAll(() => running.close());

    it('lets the retry of a delivery whose handler failed run the handler again, and only once', async () => {
      const id = `msg_${adapter}_${Math.random().toString(36).slice(2)}`;
      const body = '{"type":"invoice.paid"}';
      outcomes.failures = 1;
      const first = await send(running.baseUrl, '/hooks/billing', { headers: signed(id, body), body });
      expect(first.status).toBe(500);
      expect(outcomes.handled).not.toContain(id);

      const retry = await send(running.baseUrl, '/hooks/billing', { headers: signed(id, body), body });
      expect(retry.status).toBe(201);
      expect(outcomes.handled.filter((handled) => handled === id)).toHaveLength(1);

      const again = await send(running.baseUrl, '/hooks/billing', { headers: signed(id, body), body });
      expect(again.status).toBe(200);
      expect(again.json).toEqual({ received: true, duplicate: true });
      expect(outcomes.handled.filter((handled) => handled === id)).toHaveLength(1);
    });

    it('withdraws the acceptance when the handler answers 4xx, too: only a 2xx acknowledges', async () => {
      const id = `msg_${adapter}_${Math.random().toString(36).slice(2)}`;
      const body = '{"type":"invoice.refused"}';
      outcomes.failures = 1;
      outcomes.failWith = 'bad-request';
      try {
        const first = await send(running.baseUrl, '/hooks/billing', { headers: signed(id, body), body });
        expect(first.status).toBe(400);
        expect(first.json).toMatchObject({ message: 'the payload was refused' });
      } finally {
        outcomes.failWith = 'error';
      }
      const retry = await send(running.baseUrl, '/hooks/billing', { headers: signed(id, body), body });
      expect(retry.status).toBe(201);
      expect(outcomes.handled.filter((handled) => handled === id)).toHaveLength(1);
    });

    it('keeps the acceptance of any 2xx answer, so its retry is a duplicate', async () => {
      const id = `msg_${adapter}_${Math.random().toString(36).slice(2)}`;
      const body = '{"type":"invoice.queued"}';
      const first = await send(running.baseUrl, '/hooks/accepted', { headers: signed(id, body), body });
      expect(first.status).toBe(202);
      expect(first.json).toEqual({ queued: true });
      const retry = await send(running.baseUrl, '/hooks/accepted', { headers: signed(id, body), body });
      expect(retry.status).toBe(200);
      expect(retry.json).toEqual({ received: true, duplicate: true });
      expect(outcomes.handled.filter((handled) => handled === id)).toHaveLength(1);
    });

    // The in-memory log keeps its ring of recent events as first written: only the durable log rewrites the row.
    (storage === 'typeorm' ? it : it.skip)(
      'records the failed attempt as rejected with reason handler_failed',
      async () => {
        const page = await running.app
          .get<EventLogReader>(EventLogReader)
          .list({ limit: 50, reason: 'handler_failed' });
        expect(page.items.length).toBeGreaterThan(0);
        expect(page.items.every((e) => e.status === 'rejected' && e.endpoint === 'billing')).toBe(true);
      },
    );
  });
});
