// Secrets in the providers' formats, end to end: a malformed `whsec_` (the README's own `whsec_…`)
// stops start-up and is refused by the admin API; a generated Stripe secret has Stripe's format and
// verifies a delivery signed the way Stripe signs (node:crypto, the whole string as key); a preset
// whose provider issues a public key generates nothing.
import { createHmac, randomBytes } from 'node:crypto';
import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { discord, stripe, WebhookEndpoint, WebhookGuard, WebhookModule } from '../src';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';

const TOKEN = `adm_${randomBytes(18).toString('base64url')}`;
const STRIPE_SECRET = 'whsec_' + 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

@Controller('hooks')
@UseGuards(WebhookGuard)
class HooksController {
  @Post('stripe')
  @HttpCode(200)
  @WebhookEndpoint('stripe')
  receive() {
    return { received: true };
  }
}

/** Signed as Stripe signs: HMAC-SHA256 of `t.body` keyed with the whole `whsec_` string. */
function stripeSigned(secret: string, body: string) {
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return { 'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}` };
}

describe.each(ADAPTERS)('secret formats on %s', (adapter) => {
  it('a configured "whsec_…" placeholder stops start-up, naming the endpoint and not the secret', async () => {
    const started = startApp(
      adapter,
      [WebhookModule.forRoot({ endpoints: { stripe: stripe({ secret: 'whsec_…' }) } })],
      [HooksController],
    );
    await expect(started).rejects.toThrow(/Webhook endpoint "stripe": A "whsec_" secret is "whsec_" followed by/);
  });

  describe('through the admin API', () => {
    let running: RunningApp;
    beforeAll(async () => {
      running = await startApp(
        adapter,
        [
          WebhookModule.forRoot({
            admin: { token: TOKEN },
            endpoints: { stripe: stripe({ secret: STRIPE_SECRET }), discord: discord() },
          }),
        ],
        [HooksController],
      );
    });
    afterAll(() => running?.close());

    const rotate = (endpoint: string, body: object) =>
      send(running.baseUrl, `/webhooks/admin/endpoints/${endpoint}/secrets`, {
        headers: auth,
        body: JSON.stringify(body),
      });

    it('refuses "whsec_…" with 400 invalid_secret', async () => {
      const answer = await rotate('stripe', { secret: 'whsec_…' });
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('invalid_secret');
      expect(answer.text).not.toContain('…');
    });

    it('generates a Stripe secret in Stripe’s format that verifies a Stripe-signed delivery', async () => {
      const answer = await rotate('stripe', {});
      expect(answer.status).toBe(201);
      expect(answer.json.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
      const body = JSON.stringify({ id: `evt_${randomBytes(6).toString('hex')}`, type: 'invoice.paid' });
      const delivery = await send(running.baseUrl, '/hooks/stripe', {
        headers: stripeSigned(answer.json.secret, body),
        body,
      });
      expect(delivery.status).toBe(200);
    });

    it('generates nothing for Discord, whose public key Discord issues: 400 secret_required', async () => {
      const answer = await rotate('discord', {});
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('secret_required');
      expect(answer.json.message).toContain('Discord issues the public key');
    });
  });
});
