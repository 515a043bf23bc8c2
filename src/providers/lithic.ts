import { randomUUID } from 'node:crypto';
import { generateStandardSecret } from '../core/secret';
import { jsonEvent, sharedSecretProvider } from './provider-kit';
import { standardWebhooksScheme } from './standard-webhooks';

/**
 * Lithic sends plain Standard Webhooks: `webhook-signature: v1,<base64>` (space-separated) over
 * `id.timestamp.body`, keyed with the decoded `whsec_` secret, ±5 minutes (its SDK's tests refuse
 * ±6 min).
 */
const TOLERANCE_SECONDS = 300;

const lithicScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  standardWebhooksScheme('lithic', { toleranceSeconds });

const { provider, preset } = sharedSecretProvider({
  id: 'lithic',
  displayName: 'Lithic',
  docsUrl: 'https://docs.lithic.com/docs/events-api#verifying-webhooks',
  presetName: 'lithic',
  secretOption: 'secret',
  verification: 'Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body`, decoded `whsec_` key, ±300 s',
  messageId: { header: 'webhook-id' },
  eventType: { bodyField: 'event_type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: lithicScheme,
  generateSecret: () => generateStandardSecret(),
  sampleEvent: jsonEvent(() => ({
    event_type: 'account_holder.created',
    token: randomUUID(),
    created: new Date().toISOString(),
  })),
});

/** Lithic webhooks. @publicApi */
export const lithicProvider = provider;

/**
 * Lithic: Standard Webhooks (`whsec_` secret), `webhook-id` as the message id.
 * @publicApi
 * @example endpoints: { lithic: lithic({ secret: process.env.LITHIC_WEBHOOK_SECRET }) }
 */
export const lithic = preset;
