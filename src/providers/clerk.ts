import { randomBytes } from 'node:crypto';
import { generateStandardSecret } from '../core/secret';
import { jsonEvent, sharedSecretProvider } from './provider-kit';
import { svixProvider } from './standard-webhooks';

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
  verification: 'Svix: `svix-signature: v1,` base64 HMAC-SHA256 of `id.timestamp.body`, decoded `whsec_`',
  messageId: { header: 'svix-id' },
  eventType: { bodyField: 'type' },
  toleranceSeconds: 300,
  vectors: 'verified',
  scheme: svixProvider.scheme,
  generateSecret: () => generateStandardSecret(),
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
