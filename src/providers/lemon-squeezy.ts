import { randomInt } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Lemon Squeezy: `X-Signature: <hex HMAC-SHA256 of the body>`, keyed with the signing secret typed
 * when the webhook was created (6–40 characters, used as text). No timestamp and no delivery id:
 * the event is named in `meta.event_name` (and `X-Event-Name`); identical bodies are deduplicated.
 */
const lemonSqueezyScheme = () => new HmacScheme({ name: 'lemon-squeezy', header: 'x-signature' });

const { provider, preset } = sharedSecretProvider({
  id: 'lemon-squeezy',
  displayName: 'Lemon Squeezy',
  docsUrl: 'https://docs.lemonsqueezy.com/help/webhooks/signing-requests',
  presetName: 'lemonSqueezy',
  secretOption: 'secret',
  verification: '`X-Signature`: hex HMAC-SHA256 of the body, keyed with the signing secret',
  eventType: { bodyField: 'meta.event_name' },
  vectors: 'self-computed',
  scheme: lemonSqueezyScheme,
  generateSecret: () => randomAlphanumeric(40),
  sampleEvent: jsonEvent(() => ({
    meta: { event_name: 'order_created' },
    data: { type: 'orders', id: String(randomInt(1, 2 ** 31)) },
  })),
});

/** Lemon Squeezy webhooks. @publicApi */
export const lemonSqueezyProvider = provider;

/**
 * Lemon Squeezy: hex `X-Signature` over the body (no timestamp, no delivery id).
 * @publicApi
 * @example endpoints: { lemonSqueezy: lemonSqueezy({ secret: process.env.LEMON_SQUEEZY_WEBHOOK_SECRET }) }
 */
export const lemonSqueezy = preset;
