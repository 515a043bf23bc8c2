import { randomUUID } from 'node:crypto';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';
import { standardWebhooksScheme } from './standard-webhooks';

/**
 * Polar sends Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, space-separated
 * `webhook-signature: v1,<base64>` over `id.timestamp.body`), but its key is the raw UTF-8 of the
 * whole `polar_whs_…` secret: Polar's SDK base64-encodes that text for `standardwebhooks`, which
 * decodes it back. A generic Standard Webhooks verifier (or one stripping the prefix and decoding
 * the rest) computes another key.
 */
const TOLERANCE_SECONDS = 300;

const polarScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  standardWebhooksScheme('polar', { utf8Key: true, toleranceSeconds });

const { provider, preset } = sharedSecretProvider({
  id: 'polar',
  displayName: 'Polar',
  docsUrl: 'https://docs.polar.sh/integrate/webhooks/delivery',
  presetName: 'polar',
  secretOption: 'secret',
  verification:
    'Standard Webhooks headers: base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the raw text of the whole `polar_whs_` secret',
  messageId: { header: 'webhook-id' },
  eventType: { bodyField: 'type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: polarScheme,
  generateSecret: () => `polar_whs_${randomAlphanumeric(43)}`,
  sampleEvent: jsonEvent(() => ({
    type: 'order.paid',
    timestamp: new Date().toISOString(),
    data: { id: randomUUID() },
  })),
});

/** Polar webhooks. @publicApi */
export const polarProvider = provider;

/**
 * Polar: Standard Webhooks headers keyed with the raw `polar_whs_…` text, `webhook-id` as the message id.
 * @publicApi
 * @example endpoints: { polar: polar({ secret: process.env.POLAR_WEBHOOK_SECRET }) }
 */
export const polar = preset;
