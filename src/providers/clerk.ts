import { randomBytes } from 'node:crypto';
import { jsonEvent, sharedSecretProvider } from './provider-kit';
import { standardWebhooksSigning } from './standard-webhooks';

/**
 * Clerk delivers through Svix (its `verifyWebhook()` wraps Svix's check): `svix-*` headers,
 * `v1,` base64 HMAC-SHA256 of `id.timestamp.body`, the decoded `whsec_` secret, 300 s both ways.
 */
const { provider, preset } = sharedSecretProvider({
  id: 'clerk',
  displayName: 'Clerk',
  docsUrl: 'https://clerk.com/docs/reference/backend/verify-webhook',
  presetName: 'clerk',
  secretOption: 'secret',
  ...standardWebhooksSigning('svix'),
  eventType: { bodyField: 'type' },
  vectors: 'verified',
  sampleEvent: jsonEvent(() => ({
    type: 'user.created',
    object: 'event',
    data: { id: `user_${randomBytes(12).toString('hex')}` },
  })),
});

/** Clerk webhooks. @publicApi */
export const clerkProvider = provider;

/**
 * Clerk: Svix headers, a 300 s window, `svix-id` as the message id.
 * @publicApi
 * @example endpoints: { clerk: clerk({ secret: process.env.CLERK_WEBHOOK_SIGNING_SECRET }) }
 */
export const clerk = preset;
