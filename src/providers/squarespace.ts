import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Squarespace: `Squarespace-Signature: <hex HMAC-SHA256 of the body>`, keyed with the subscription
 * `secret` **hex-decoded** ("HMAC-SHA256(hexToBytes(secret), payload)"); the same secret used as text
 * signs something else. The secret is returned only on create or `rotateSecret`, and the old one
 * dies at once on rotation. No timestamp is signed; the notification's `id` is the message id.
 */
const squarespaceScheme = () =>
  new HmacScheme({ name: 'squarespace', header: 'squarespace-signature', keyEncoding: 'hex', idField: 'id' });

const { provider, preset } = sharedSecretProvider({
  id: 'squarespace',
  displayName: 'Squarespace',
  docsUrl: 'https://developers.squarespace.com/webhooks/verifying-notifications',
  presetName: 'squarespace',
  secretOption: 'secret',
  verification: '`Squarespace-Signature`: hex HMAC-SHA256 of the body, keyed with the hex-decoded secret',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'topic' },
  vectors: 'self-computed',
  scheme: squarespaceScheme,
  generateSecret: () => randomBytes(32).toString('hex').toUpperCase(),
  sampleEvent: jsonEvent(() => ({
    id: randomBytes(12).toString('hex'),
    websiteId: randomBytes(12).toString('hex'),
    subscriptionId: randomBytes(12).toString('hex'),
    topic: 'order.create',
    createdOn: new Date().toISOString(),
    data: {},
  })),
});

/** Squarespace webhook subscriptions. @publicApi */
export const squarespaceProvider = provider;

/**
 * Squarespace: hex `Squarespace-Signature` over the body with the hex-decoded secret, the
 * notification's `id` as the message id.
 * @publicApi
 * @example endpoints: { squarespace: squarespace({ secret: process.env.SQUARESPACE_WEBHOOK_SECRET }) }
 */
export const squarespace = preset;
