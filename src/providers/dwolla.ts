import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Dwolla: `X-Request-Signature-SHA-256: <hex HMAC-SHA256 of the body>`, keyed with the `secret`
 * given when the webhook subscription was created. No timestamp; the event's `id` is the message
 * id (Dwolla retries 8 times over 72 h). Older Dwolla samples compare with `===`; this does not.
 */
const dwollaScheme = () => new HmacScheme({ name: 'dwolla', header: 'x-request-signature-sha-256', idField: 'id' });

const { provider, preset } = sharedSecretProvider({
  id: 'dwolla',
  displayName: 'Dwolla',
  docsUrl: 'https://developers.dwolla.com/docs/balance/webhooks/process-validate',
  presetName: 'dwolla',
  secretOption: 'secret',
  verification: '`X-Request-Signature-SHA-256`: hex HMAC-SHA256 of the body, keyed with the subscription secret',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'topic' },
  vectors: 'self-computed',
  scheme: dwollaScheme,
  generateSecret: () => randomAlphanumeric(40),
  sampleEvent: jsonEvent(() => ({
    id: randomUUID(),
    resourceId: randomUUID().toUpperCase(),
    topic: 'customer_created',
    timestamp: new Date().toISOString(),
  })),
});

/** Dwolla webhooks. @publicApi */
export const dwollaProvider = provider;

/**
 * Dwolla: hex `X-Request-Signature-SHA-256` over the body, the event's `id` as the message id.
 * @publicApi
 * @example endpoints: { dwolla: dwolla({ secret: process.env.DWOLLA_WEBHOOK_SECRET }) }
 */
export const dwolla = preset;
