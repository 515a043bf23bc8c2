import { Body, Controller, Injectable, Module, Post, UseGuards, HttpCode } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import {
  EventLog,
  EventLogUnavailableError,
  type WebhookEventStatus,
  standardWebhooks,
  WebhookEndpoint,
  WebhookEvent,
  WebhookGuard,
  WebhookModule,
  type VerifiedWebhook,
} from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';
import { standardWebhooksHeaders } from './support/storages';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEXT_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const OTHER_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

/** Records what handlers saw, so a test can tell whether the handler ran. */
@Injectable()
class Calls {
  readonly deliveries: VerifiedWebhook[] = [];
}

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  constructor(private readonly calls: Calls) {}

  @Post('billing')
  @HttpCode(202)
  @WebhookEndpoint('billing')
  onBilling(@WebhookEvent() event: VerifiedWebhook) {
    this.calls.deliveries.push(event);
    return { handled: event.id };
  }

  @Post('rotating')
  @WebhookEndpoint('rotating')
  onRotating(@WebhookEvent() event: VerifiedWebhook, @Body() body: unknown) {
    this.calls.deliveries.push(event);
    return { version: event.secretVersion, body };
  }
}

/** Signs with the standardwebhooks package, the reference implementation, never with Hookwarden. */
function signed(
  body: string | Buffer,
  options: { id?: string; secret?: string; at?: Date; contentType?: string } = {},
) {
  const id = options.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  const text = Buffer.isBuffer(body) ? body.toString('latin1') : body;
  const { at, contentType } = options;
  return { id, headers: standardWebhooksHeaders(options.secret ?? SECRET, id, text, { at, contentType }) };
}

const endpoints = (billingSecret: string) => ({
  billing: standardWebhooks({ secret: billingSecret }),
  rotating: standardWebhooks({ secret: [SECRET, NEXT_SECRET] }),
});

const registrations = {
  forRoot: () => WebhookModule.forRoot({ endpoints: endpoints(SECRET) }),
  forRootAsync: () =>
    WebhookModule.forRootAsync({
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ BILLING_SECRET: SECRET })] })],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({ endpoints: endpoints(config.getOrThrow<string>('BILLING_SECRET')) }),
    }),
};

@Module({ providers: [Calls], exports: [Calls] })
class CallsModule {}

describe.each(ADAPTERS)('Standard Webhooks end to end on %s', (adapter) => {
  describe.each(Object.keys(registrations) as Array<keyof typeof registrations>)(
    'registered with %s',
    (registration) => {
      let running: RunningApp;
      let calls: Calls;

      beforeAll(async () => {
        running = await startApp(adapter, [registrations[registration](), CallsModule], [HooksController]);
        calls = running.app.get(Calls);
      });
      afterAll(() => running.close());
      beforeEach(() => calls.deliveries.splice(0));

      it('accepts a valid delivery and hands the handler its id, payload and secret version', async () => {
        const body = JSON.stringify({ type: 'invoice.paid', amount: 4200 });
        const { id, headers } = signed(body);
        const answer = await send(running.baseUrl, '/hooks/billing', { headers, body });
        expect(answer.status).toBe(202);
        expect(answer.json).toEqual({ handled: id });
        expect(calls.deliveries).toHaveLength(1);
        const [delivery] = calls.deliveries;
        expect(delivery).toMatchObject({ endpoint: 'billing', provider: 'standard-webhooks', id, secretVersion: 1 });
        expect(delivery.payload).toEqual({ type: 'invoice.paid', amount: 4200 });
        expect(delivery.rawBody.toString()).toBe(body);
        expect(delivery.timestamp).toEqual(new Date(Number(headers['webhook-timestamp']) * 1000));
      });

      it.each([
        ['form-urlencoded', 'application/x-www-form-urlencoded', 'a=1&b=two+words', { a: '1', b: 'two words' }],
        ['text', 'text/plain', 'plain text payload', 'plain text payload'],
      ])('accepts a %s body signed over its raw bytes', async (_kind, contentType, body, payload) => {
        const { headers } = signed(body, { contentType });
        const answer = await send(running.baseUrl, '/hooks/billing', { headers, body });
        expect(answer.status).toBe(202);
        expect(calls.deliveries[0].rawBody.toString()).toBe(body);
        expect(calls.deliveries[0].payload).toEqual(payload);
      });

      it('accepts an octet-stream body whose bytes are not UTF-8', async () => {
        const body = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
        const { headers } = signed(body, { contentType: 'application/octet-stream' });
        // The reference library signs a string as UTF-8; sign the latin1 view's UTF-8 bytes to match.
        const wire = Buffer.from(body.toString('latin1'), 'utf8');
        const answer = await send(running.baseUrl, '/hooks/billing', { headers, body: wire });
        expect(answer.status).toBe(202);
        expect(calls.deliveries[0].rawBody.equals(wire)).toBe(true);
      });

      it('refuses a tampered body with 401 no_matching_signature, without running the handler', async () => {
        const { headers } = signed('{"amount":1}');
        const answer = await send(running.baseUrl, '/hooks/billing', { headers, body: '{"amount":9}' });
        expect(answer.status).toBe(401);
        expect(answer.json).toEqual({ statusCode: 401, code: 'no_matching_signature', message: expect.any(String) });
        expect(calls.deliveries).toHaveLength(0);
      });

      it('refuses JSON whose key order or whitespace differs from the signed bytes', async () => {
        const signedBody = '{"a":1,"b":2}';
        const { headers } = signed(signedBody);
        for (const body of ['{"b":2,"a":1}', '{ "a": 1, "b": 2 }', '{"a":1,"b":2}\n']) {
          const answer = await send(running.baseUrl, '/hooks/billing', { headers, body });
          expect(answer.status).toBe(401);
          expect(answer.json.code).toBe('no_matching_signature');
        }
        expect(calls.deliveries).toHaveLength(0);
      });

      it('refuses a delivery signed with another secret', async () => {
        const { headers } = signed('{}', { secret: OTHER_SECRET });
        const answer = await send(running.baseUrl, '/hooks/billing', { headers, body: '{}' });
        expect(answer.status).toBe(401);
        expect(answer.json.code).toBe('no_matching_signature');
      });

      it('refuses a stale timestamp with 401 timestamp_too_old and a future one with timestamp_too_new', async () => {
        const old = signed('{}', { at: new Date(Date.now() - 301_000) });
        const stale = await send(running.baseUrl, '/hooks/billing', { headers: old.headers, body: '{}' });
        expect([stale.status, stale.json.code]).toEqual([401, 'timestamp_too_old']);
        const ahead = signed('{}', { at: new Date(Date.now() + 400_000) });
        const future = await send(running.baseUrl, '/hooks/billing', { headers: ahead.headers, body: '{}' });
        expect([future.status, future.json.code]).toEqual([401, 'timestamp_too_new']);
        expect(calls.deliveries).toHaveLength(0);
      });

      it('answers a redelivered id with 200 and does not run the handler again', async () => {
        const body = '{"n":1}';
        const { id, headers } = signed(body);
        const first = await send(running.baseUrl, '/hooks/billing', { headers, body });
        const second = await send(running.baseUrl, '/hooks/billing', { headers, body });
        expect(first.status).toBe(202);
        expect(second.status).toBe(200);
        expect(second.json).toEqual({ received: true, duplicate: true });
        expect(calls.deliveries.map((d) => d.id)).toEqual([id]);
      });

      it('refuses missing and malformed headers with 400 and a code', async () => {
        const { headers } = signed('{}');
        const { ['webhook-signature']: _omitted, ...withoutSignature } = headers;
        const missing = await send(running.baseUrl, '/hooks/billing', { headers: withoutSignature, body: '{}' });
        expect([missing.status, missing.json.code]).toEqual([400, 'missing_header']);
        const malformed = await send(running.baseUrl, '/hooks/billing', {
          headers: { ...headers, 'webhook-timestamp': '1614265330abc' },
          body: '{}',
        });
        expect([malformed.status, malformed.json.code]).toEqual([400, 'invalid_header']);
      });

      it('verifies with every live secret during a rotation and reports the version that matched', async () => {
        const old = signed('{"k":"old"}', { secret: SECRET });
        const oldAnswer = await send(running.baseUrl, '/hooks/rotating', { headers: old.headers, body: '{"k":"old"}' });
        const next = signed('{"k":"new"}', { secret: NEXT_SECRET });
        const nextAnswer = await send(running.baseUrl, '/hooks/rotating', {
          headers: next.headers,
          body: '{"k":"new"}',
        });
        expect([oldAnswer.status, oldAnswer.json.version]).toEqual([201, 1]);
        expect([nextAnswer.status, nextAnswer.json.version]).toEqual([201, 2]);
        expect(nextAnswer.json.body).toEqual({ k: 'new' });
      });
    },
  );

  // Without rawBody: true the app does not start (test/module-placement.e2e-spec.ts). With it but
  // without useWebhookBodyParsers, Nest keeps only JSON and form bodies: a text body has no raw bytes.
  describe('without a raw body', () => {
    let running: RunningApp;
    beforeAll(async () => {
      running = await startApp(adapter, [registrations.forRoot(), CallsModule], [HooksController], {
        rawBody: true,
        bodyParsers: false,
      });
    });
    afterAll(() => running.close());

    it('answers 400 raw_body_missing with a message naming the fix', async () => {
      const { headers } = signed('{}', { contentType: 'text/plain' });
      const answer = await send(running.baseUrl, '/hooks/billing', { headers, body: '{}' });
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('raw_body_missing');
      expect(answer.json.message).toContain('rawBody: true');
    });
  });
});

/** An event log whose database is down: the only fake here, standing in for an outage, not for storage. */
class UnavailableEventLog implements EventLog {
  async record(): Promise<WebhookEventStatus> {
    throw new EventLogUnavailableError('down', 7);
  }
}

describe.each(ADAPTERS)('an event log that cannot store on %s', (adapter) => {
  let running: RunningApp;
  beforeAll(async () => {
    // The log is replaced through Nest's public override seam, by its injection token.
    running = await startApp(adapter, [registrations.forRoot(), CallsModule], [HooksController], {
      overrides: [[EventLog, new UnavailableEventLog()]],
    });
  });
  afterAll(() => running.close());

  it('answers 503 with Retry-After and does not run the handler', async () => {
    const { headers } = signed('{}');
    const answer = await send(running.baseUrl, '/hooks/billing', { headers, body: '{}' });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('7');
    expect(answer.json).toEqual({ statusCode: 503, code: 'storage_unavailable', message: expect.any(String) });
    expect(running.app.get(Calls).deliveries).toHaveLength(0);
  });
});
