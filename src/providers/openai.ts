import { randomBytes } from 'node:crypto';
import { jsonEvent, sharedSecretProvider } from './provider-kit';
import { standardWebhooksSigning } from './standard-webhooks';

/**
 * OpenAI signs its webhooks the Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,…`), keyed with the decoded `whsec_` secret; its SDK allows 300 s both
 * ways. `webhook-id` stays the same across retries, so it is the message id.
 */
const { provider, preset } = sharedSecretProvider({
  id: 'openai',
  displayName: 'OpenAI',
  docsUrl: 'https://platform.openai.com/docs/guides/webhooks',
  presetName: 'openai',
  secretOption: 'secret',
  ...standardWebhooksSigning('webhook'),
  eventType: { bodyField: 'type' },
  vectors: 'verified',
  sampleEvent: jsonEvent(() => ({
    id: `evt_${randomBytes(16).toString('hex')}`,
    object: 'event',
    created_at: Math.floor(Date.now() / 1000),
    type: 'response.completed',
    data: { id: `resp_${randomBytes(8).toString('hex')}` },
  })),
});

/** OpenAI webhooks. @publicApi */
export const openaiProvider = provider;

/**
 * OpenAI: Standard Webhooks headers, a 300 s window, `webhook-id` as the message id.
 * @publicApi
 * @example endpoints: { openai: openai({ secret: process.env.OPENAI_WEBHOOK_SECRET }) }
 */
export const openai = preset;
