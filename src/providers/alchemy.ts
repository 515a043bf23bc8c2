import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Alchemy Notify: `X-Alchemy-Signature: <hex HMAC-SHA256 of the body>`, keyed with the webhook's
 * signing key as text (the FAQ's prose says "concatenating", its code is a plain HMAC: the code is
 * followed). No timestamp is signed; the event's `id` (`whevt_…`) is the message id. Alchemy's
 * sample compares with `===`; this compares in constant time.
 */
const alchemyScheme = () => new HmacScheme({ name: 'alchemy', header: 'x-alchemy-signature', idField: 'id' });

const { provider, preset } = sharedSecretProvider({
  id: 'alchemy',
  displayName: 'Alchemy Notify',
  docsUrl: 'https://www.alchemy.com/docs/reference/notify-api-quickstart#webhook-signature--security',
  presetName: 'alchemy',
  secretOption: 'signingKey',
  verification: '`X-Alchemy-Signature`: hex HMAC-SHA256 of the body, keyed with the webhook signing key',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  vectors: 'self-computed',
  scheme: alchemyScheme,
  // 32 characters after `whsec_`: the start-up check reads any `whsec_` secret as base64 of 24–64 bytes.
  generateSecret: () => `whsec_${randomAlphanumeric(32)}`,
  sampleEvent: jsonEvent(() => ({
    webhookId: `wh_${randomBytes(8).toString('hex')}`,
    id: `whevt_${randomBytes(8).toString('hex')}`,
    createdAt: new Date().toISOString(),
    type: 'ADDRESS_ACTIVITY',
    event: {},
  })),
});

/** Alchemy Notify webhooks. @publicApi */
export const alchemyProvider = provider;

/**
 * Alchemy Notify: hex `X-Alchemy-Signature` over the body, the event's `id` as the message id.
 * @publicApi
 * @example endpoints: { alchemy: alchemy({ signingKey: process.env.ALCHEMY_SIGNING_KEY }) }
 */
export const alchemy = preset;
