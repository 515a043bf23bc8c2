import { randomBytes } from 'node:crypto';
import { jsonEvent, sharedSecretProvider } from './provider-kit';
import { standardWebhooksSigning } from './standard-webhooks';

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
  ...standardWebhooksSigning('webhook'),
  eventType: { bodyField: 'status' },
  vectors: 'verified',
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
