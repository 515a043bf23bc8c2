import { randomUUID } from 'node:crypto';
import { jsonEvent, sharedSecretProvider } from './provider-kit';
import { standardWebhooksSigning } from './standard-webhooks';

/**
 * Resend delivers through Svix: `svix-id`, `svix-timestamp`, `svix-signature: v1,…` over
 * `id.timestamp.body`, keyed with the decoded `whsec_` secret, 300 s both ways as in Svix's libraries.
 */
const { provider, preset } = sharedSecretProvider({
  id: 'resend',
  displayName: 'Resend',
  docsUrl: 'https://resend.com/docs/webhooks/verify-webhooks-requests',
  presetName: 'resend',
  secretOption: 'secret',
  ...standardWebhooksSigning('svix'),
  eventType: { bodyField: 'type' },
  vectors: 'verified',
  sampleEvent: jsonEvent(() => ({
    type: 'email.delivered',
    created_at: new Date().toISOString(),
    data: { email_id: randomUUID(), to: ['someone@example.com'] },
  })),
});

/** Resend e-mail events. @publicApi */
export const resendProvider = provider;

/**
 * Resend: Svix headers, a 300 s window, `svix-id` as the message id.
 * @publicApi
 * @example endpoints: { resend: resend({ secret: process.env.RESEND_WEBHOOK_SECRET }) }
 */
export const resend = preset;
