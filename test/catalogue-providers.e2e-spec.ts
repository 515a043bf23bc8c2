// One end-to-end case per catalogue provider, generated: a real Nest app on Express and on Fastify,
// each provider's endpoint configured from its preset, a delivery signed with
// `nestjs-hookwarden/testing` (whose sign() the conformance spec checks against the published vectors
// and test/providers.e2e-spec.ts against independent signers) reaching the handler, a replay answered
// as a duplicate where the provider can be deduplicated, and a tampered one refused with a code.
import { Controller, Injectable, Module, Post, UseGuards, type Type } from '@nestjs/common';
import { WebhookEndpoint, WebhookEvent, WebhookGuard, WebhookModule, type VerifiedWebhook } from '../src';
import type { WebhookEndpointDefinition } from '../src/providers/endpoint-definition';
import { WEBHOOK_PROVIDERS, signWebhook, type WebhookProvider } from '../src/testing';
import { ADAPTERS, startApp, type RunningApp } from './support/apps';
import { send } from './support/http';

const PUBLIC = 'https://hooks.example.com/catalogue';
const KEYS = new Map(WEBHOOK_PROVIDERS.map((provider) => [provider.id, provider.testKey()]));

const publicUrl = (provider: WebhookProvider) => `${PUBLIC}/${provider.id}`;

function endpointOf(provider: WebhookProvider): WebhookEndpointDefinition {
  // Presets that sign the URL name its option differently (callbackUrl, notificationUrl, url):
  // those are built from the same scheme the preset uses.
  // PayPal's preset needs its webhook id, which the catalogue's scheme fills with the sample one.
  const definition: WebhookEndpointDefinition =
    provider.requires?.includes('url') || provider.id === 'paypal'
      ? { provider: provider.id, schemes: [provider.scheme({ url: publicUrl(provider) })] }
      : provider.preset();
  return { ...definition, secrets: [KEYS.get(provider.id)!.secret] };
}

@Injectable()
class Received {
  readonly events: VerifiedWebhook[] = [];
}

@Module({ providers: [Received], exports: [Received] })
class ReceivedModule {}

function catalogueController(): Type {
  @Controller('catalogue')
  @UseGuards(WebhookGuard)
  class CatalogueController {
    constructor(readonly received: Received) {}
  }
  for (const provider of WEBHOOK_PROVIDERS) {
    const method = `on_${provider.id}`;
    Object.defineProperty(CatalogueController.prototype, method, {
      value(this: CatalogueController, event: VerifiedWebhook) {
        this.received.events.push(event);
        return { ok: true };
      },
      configurable: true,
      writable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(CatalogueController.prototype, method)!;
    for (const decorate of [WebhookEndpoint(provider.id), Post(provider.id)]) {
      decorate(CatalogueController.prototype, method, descriptor);
    }
    WebhookEvent()(CatalogueController.prototype, method, 0);
  }
  return CatalogueController;
}

describe.each(ADAPTERS)('every catalogue provider end to end on %s', (adapter) => {
  let running: RunningApp;
  let received: Received;

  beforeAll(async () => {
    const endpoints = Object.fromEntries(WEBHOOK_PROVIDERS.map((provider) => [provider.id, endpointOf(provider)]));
    running = await startApp(adapter, [WebhookModule.forRoot({ endpoints }), ReceivedModule], [catalogueController()]);
    received = running.app.get(Received);
  });
  afterAll(() => running.close());
  beforeEach(() => received.events.splice(0));

  const deliver = (delivery: ReturnType<typeof signWebhook>, body: Buffer = delivery.body) => {
    const target = new URL(delivery.url!);
    return send(running.baseUrl, target.pathname + target.search, { headers: { ...delivery.headers }, body });
  };

  it.each(WEBHOOK_PROVIDERS.map((provider) => [provider.id, provider] as const))(
    '%s: a signed delivery reaches the handler; its replay is a duplicate; a tampered one is refused',
    async (_, provider) => {
      const delivery = signWebhook(provider, { secret: KEYS.get(provider.id)!.signingKey, url: publicUrl(provider) });
      const first = await deliver(delivery);
      expect(first.status).toBe(201);
      expect(received.events).toHaveLength(1);
      expect(received.events[0].endpoint).toBe(provider.id);
      expect(received.events[0].rawBody.equals(delivery.body)).toBe(true);

      const replay = await deliver(delivery);
      // Providers that send identical bodies for distinct changes are not deduplicated (see README).
      if (endpointOf(provider).dedupeSignedContent === false && !provider.messageId) {
        expect(replay.status).toBe(201);
      } else {
        expect(replay.status).toBe(200);
        expect(replay.json).toMatchObject({ duplicate: true });
      }

      if (provider.signsBody !== false) {
        const tampered = Buffer.concat([delivery.body.subarray(0, -1), Buffer.from(' '), delivery.body.subarray(-1)]);
        const refused = await deliver(delivery, tampered);
        expect(refused.status).toBeGreaterThanOrEqual(400);
        expect(refused.status).toBeLessThan(500);
        expect(refused.json).toEqual({
          statusCode: refused.status,
          code: expect.any(String),
          message: expect.any(String),
        });
      }
    },
  );
});
