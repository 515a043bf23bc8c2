import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Vercel: `x-vercel-signature: <hex HMAC-SHA1 of the body>`, keyed with the webhook's secret (or
 * the integration's client secret, or a drain's secret). No timestamp; the body's `id` is the event.
 */
const vercelScheme = () =>
  new HmacScheme({ name: 'vercel', header: 'x-vercel-signature', algorithm: 'sha1', idField: 'id' });

const { provider, preset } = sharedSecretProvider({
  id: 'vercel',
  displayName: 'Vercel',
  docsUrl: 'https://vercel.com/docs/webhooks',
  presetName: 'vercel',
  secretOption: 'secret',
  verification: '`x-vercel-signature`: hex HMAC-SHA1 of the body',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  vectors: 'self-computed',
  scheme: vercelScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({
    id: `evt_${randomBytes(12).toString('hex')}`,
    type: 'deployment.succeeded',
    createdAt: Date.now(),
    payload: {},
  })),
});

/** Vercel webhooks. @publicApi */
export const vercelProvider = provider;

/**
 * Vercel: `x-vercel-signature` (HMAC-SHA1) over the body, the body's `id` as the message id.
 * @publicApi
 * @example endpoints: { vercel: vercel({ secret: process.env.VERCEL_WEBHOOK_SECRET }) }
 */
export const vercel = preset;
