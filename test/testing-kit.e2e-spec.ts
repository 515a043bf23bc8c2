// The README's "Testing your webhooks" as a user runs it: signWebhook() from the testing kit, sent
// with supertest (what `nest new` sets up) to a real app on Express and Fastify. supertest
// JSON-encodes a Buffer sent as application/json ({"type":"Buffer","data":[…]}), so the README
// sends the body as text; a new user copying the Buffer version got 401 on every test.
import { readFileSync } from 'node:fs';
import { Controller, Post, UseGuards } from '@nestjs/common';
import request from 'supertest';
import { stripe, WebhookEndpoint, WebhookGuard, WebhookModule } from '../src';
import { signWebhook } from '../src/testing';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** The README's line, as a user copies it. */
const README_SEND = '.set(delivery.headers).send(delivery.body.toString());';

@Controller('webhooks')
@UseGuards(WebhookGuard)
class StripeController {
  @Post('stripe')
  @WebhookEndpoint('stripe')
  receive() {
    return { received: true };
  }
}

describe.each(ADAPTERS)('the testing kit with supertest on %s', (adapter) => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(
      adapter,
      [WebhookModule.forRoot({ endpoints: { stripe: stripe({ secret: SECRET }) } })],
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
});
