// The README's "Testing your webhooks" as a user runs it: signWebhook() from the testing kit, sent
// with supertest (what `nest new` sets up) to a real app on Express and Fastify. supertest
// JSON-encodes a Buffer sent as application/json ({"type":"Buffer","data":[…]}), so the README
// sends the body as text; a new user copying the Buffer version got 401 on every test.
import { readFileSync } from 'node:fs';
import { Controller, Post, UseGuards } from '@nestjs/common';
import request from 'supertest';
import {
  hmacEndpoint,
  hmacSignature,
  slack,
  stripe,
  WebhookChallenge,
  WebhookEndpoint,
  WebhookGuard,
  WebhookModule,
} from '../src';
import { challengeRequest, signWebhook } from '../src/testing';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** The README's line, as a user copies it. */
const README_SEND = '.set(delivery.headers).send(delivery.body.toString());';
/** The README's challenge probe and its check, as a user copies them. */
const README_PROBE = [
  ".post('/webhooks/slack').query(probe.query ?? {}).set(probe.headers).send(probe.body);",
  'expect(probe.check({ status: res.status, headers: new Headers(res.headers), text: res.text })).toBeUndefined();',
];

@Controller('webhooks')
@UseGuards(WebhookGuard)
class StripeController {
  @Post('stripe')
  @WebhookEndpoint('stripe')
  receive() {
    return { received: true };
  }

  @Post('slack')
  @WebhookEndpoint('slack')
  @WebhookChallenge()
  slack() {
    return { received: true };
  }

  @Post('acme')
  @WebhookEndpoint('acme')
  acme() {
    return { received: true };
  }
}

const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const ACME_SECRET = 'acme-test-secret';
/** An endpoint described as data, as the README's "Add a provider as data" writes one. */
const ACME = {
  header: 'x-acme-signature',
  prefix: 'sha256=',
  template: '{timestamp}.{body}',
  timestampHeader: 'x-acme-timestamp',
  idHeader: 'x-acme-delivery',
} as const;

describe.each(ADAPTERS)('the testing kit with supertest on %s', (adapter) => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(
      adapter,
      [
        WebhookModule.forRoot({
          endpoints: {
            stripe: stripe({ secret: SECRET }),
            slack: slack({ signingSecret: SLACK_SECRET }),
            acme: hmacEndpoint({ provider: 'acme', secret: ACME_SECRET, ...ACME }),
          },
        }),
      ],
      [StripeController],
    );
  });
  afterAll(() => running.close());

  it("accepts the README's delivery, sent as the README sends it", async () => {
    expect(readFileSync('README.md', 'utf8')).toContain(README_SEND);
    const delivery = signWebhook('stripe', { secret: SECRET, body: { id: `evt_${adapter}_1`, type: 'invoice.paid' } });
    const answer = await request(running.app.getHttpServer())
      .post('/webhooks/stripe')
      .set(delivery.headers)
      .send(delivery.body.toString());
    expect([answer.status, answer.body]).toEqual([201, { received: true }]);
  });

  it('is refused when the Buffer itself is sent: supertest encodes it as JSON', async () => {
    const delivery = signWebhook('stripe', { secret: SECRET, body: { id: `evt_${adapter}_2`, type: 'invoice.paid' } });
    const answer = await request(running.app.getHttpServer())
      .post('/webhooks/stripe')
      .set(delivery.headers)
      .send(delivery.body);
    expect([answer.status, answer.body.code]).toEqual([401, 'no_matching_signature']);
  });

  it("answers the README's challenge probe, sent with supertest as the README sends it", async () => {
    for (const line of README_PROBE) expect(readFileSync('README.md', 'utf8')).toContain(line);
    const probe = challengeRequest('slack', { url: 'https://example.com/webhooks/slack', secret: SLACK_SECRET });
    const res = await request(running.app.getHttpServer())
      .post('/webhooks/slack')
      .query(probe.query ?? {})
      .set(probe.headers)
      .send(probe.body);
    expect(probe.check({ status: res.status, headers: new Headers(res.headers), text: res.text })).toBeUndefined();
  });

  it('accepts a delivery to an endpoint described as data, signed by hmacSignature(...).sign()', async () => {
    const body = Buffer.from(JSON.stringify({ type: 'order.created' }));
    const { headers } = hmacSignature({ name: 'acme', ...ACME }).sign({
      key: Buffer.from(ACME_SECRET),
      body,
      id: `d_${adapter}`,
      timestamp: Math.floor(Date.now() / 1000),
      contentType: 'application/json',
    });
    const send = () =>
      request(running.app.getHttpServer())
        .post('/webhooks/acme')
        .set({ ...headers, 'content-type': 'application/json' })
        .send(body.toString());
    expect([(await send()).status, (await send()).body]).toEqual([201, { received: true, duplicate: true }]);
  });
});
