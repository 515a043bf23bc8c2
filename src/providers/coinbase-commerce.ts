import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Coinbase Commerce signs the raw body with the shared webhook secret in `X-CC-Webhook-Signature`
 * (hex HMAC-SHA256). No timestamp is signed. `event.id` is the event (the top-level `id` is the
 * delivery wrapper, new per attempt), so it is the message id.
 */
const coinbaseCommerceScheme = () =>
  new HmacScheme({ name: 'coinbase-commerce', header: 'x-cc-webhook-signature', idField: 'event.id' });

const { provider, preset } = sharedSecretProvider({
  id: 'coinbase-commerce',
  displayName: 'Coinbase Commerce',
  docsUrl: 'https://docs.cdp.coinbase.com/commerce/docs/webhooks-security',
  presetName: 'coinbaseCommerce',
  secretOption: 'secret',
  verification: '`X-CC-Webhook-Signature`: hex HMAC-SHA256 of the body, shared secret',
  messageId: { bodyField: 'event.id' },
  eventType: { bodyField: 'event.type' },
  vectors: 'verified',
  scheme: coinbaseCommerceScheme,
  generateSecret: () => randomUUID(),
  sampleEvent: jsonEvent(() => ({
    id: 1,
    scheduled_for: new Date().toISOString(),
    attempt_number: 1,
    event: {
      id: randomUUID(),
      type: 'charge:created',
      api_version: '2018-03-22',
      created_at: new Date().toISOString(),
      data: {},
    },
  })),
});

/** Coinbase Commerce webhooks. @publicApi */
export const coinbaseCommerceProvider = provider;

/**
 * Coinbase Commerce: `X-CC-Webhook-Signature` over the body, `event.id` as the message id.
 * @publicApi
 * @example endpoints: { coinbase: coinbaseCommerce({ secret: process.env.COINBASE_COMMERCE_WEBHOOK_SECRET }) }
 */
export const coinbaseCommerce = preset;
