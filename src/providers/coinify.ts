import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Coinify signs the raw body with the shared secret in `X-Coinify-Webhook-Signature` (hex
 * HMAC-SHA256). No timestamp is signed; the body's `id` identifies the event.
 */
const coinifyScheme = () => new HmacScheme({ name: 'coinify', header: 'x-coinify-webhook-signature', idField: 'id' });

const { provider, preset } = sharedSecretProvider({
  id: 'coinify',
  displayName: 'Coinify',
  docsUrl: 'https://coinify.readme.io/docs/webhook-signature',
  presetName: 'coinify',
  secretOption: 'secret',
  verification: '`X-Coinify-Webhook-Signature`: hex HMAC-SHA256 of the body, shared secret',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'event' },
  vectors: 'verified',
  scheme: coinifyScheme,
  generateSecret: () => randomAlphanumeric(40),
  sampleEvent: jsonEvent(() => ({
    id: randomUUID(),
    event: 'payment-intent.completed',
    time: new Date().toISOString(),
    context: {},
  })),
});

/** Coinify webhooks. @publicApi */
export const coinifyProvider = provider;

/**
 * Coinify: `X-Coinify-Webhook-Signature` over the body, the body's `id` as the message id.
 * @publicApi
 * @example endpoints: { coinify: coinify({ secret: process.env.COINIFY_WEBHOOK_SECRET }) }
 */
export const coinify = preset;
