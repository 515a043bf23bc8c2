import { randomBytes } from 'node:crypto';
import { generateStandardSecret } from '../core/secret';
import { jsonEvent, sharedSecretProvider } from './provider-kit';
import { standardWebhooksProvider } from './standard-webhooks';

/**
 * Replicate signs the Standard Webhooks way with the account's `whsec_` secret (from
 * `GET /v1/webhooks/default/secret`); `webhook-id` is the same when a webhook is resent. The body is
 * the prediction, whose `status` is the closest thing to an event type.
 */
const { provider, preset } = sharedSecretProvider({
  id: 'replicate',
  displayName: 'Replicate',
  docsUrl: 'https://replicate.com/docs/topics/webhooks/verify-webhook',
  presetName: 'replicate',
  secretOption: 'secret',
  verification:
    'Standard Webhooks: `webhook-signature: v1,` base64 HMAC-SHA256 of `id.timestamp.body`, decoded `whsec_`',
  messageId: { header: 'webhook-id' },
  eventType: { bodyField: 'status' },
  toleranceSeconds: 300,
  vectors: 'verified',
  scheme: standardWebhooksProvider.scheme,
  generateSecret: () => generateStandardSecret(),
  sampleEvent: jsonEvent(() => ({
    id: randomBytes(13).toString('hex'),
    status: 'succeeded',
    output: ['https://replicate.delivery/example.png'],
  })),
});

/** Replicate prediction webhooks. @publicApi */
export const replicateProvider = provider;

/**
 * Replicate: Standard Webhooks headers, a 300 s window, `webhook-id` as the message id.
 * @publicApi
 * @example endpoints: { replicate: replicate({ secret: process.env.REPLICATE_WEBHOOK_SECRET }) }
 */
export const replicate = preset;
