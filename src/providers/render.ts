import { randomBytes } from 'node:crypto';
import { jsonEvent, sharedSecretProvider } from './provider-kit';
import { standardWebhooksSigning } from './standard-webhooks';

/**
 * Render signs the Standard Webhooks way (its example receiver verifies with the `standardwebhooks`
 * library and the `whsec_` secret); the library's 300 s window, `webhook-id` as the message id.
 */
const { provider, preset } = sharedSecretProvider({
  id: 'render',
  displayName: 'Render',
  docsUrl: 'https://render.com/docs/webhooks',
  presetName: 'render',
  secretOption: 'secret',
  ...standardWebhooksSigning('webhook'),
  eventType: { bodyField: 'type' },
  vectors: 'self-computed',
  sampleEvent: jsonEvent(() => ({
    type: 'deploy_ended',
    timestamp: new Date().toISOString(),
    data: { id: `evj-${randomBytes(10).toString('hex')}`, serviceId: 'srv-example' },
  })),
});

/** Render service events. @publicApi */
export const renderProvider = provider;

/**
 * Render: Standard Webhooks headers, a 300 s window, `webhook-id` as the message id.
 * @publicApi
 * @example endpoints: { render: render({ secret: process.env.RENDER_WEBHOOK_SECRET }) }
 */
export const render = preset;
