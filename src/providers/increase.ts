import { randomBytes } from 'node:crypto';
import { TimestampedListScheme } from '../core/engines/timestamped-list.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';
import { standardWebhooksScheme } from './standard-webhooks';

// Increase has signed in two ways. Both key the HMAC with the secret's UTF-8 text as is, `whsec_`
// prefix included: nothing is base64-decoded, unlike plain Standard Webhooks.
const TOLERANCE_SECONDS = 300;

/**
 * Current (Increase's SDKs since 2026): Standard Webhooks headers (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature: v1,<base64>` over `id.timestamp.body`), ±5 minutes.
 */
const increaseScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  standardWebhooksScheme('increase', { utf8Key: true, toleranceSeconds });

/**
 * Legacy: `Increase-Webhook-Signature: t=<ISO 8601>,v1=<hex>` over `t.body`. Increase's SDK
 * enforced no window; 300 s both ways here refuses replays (set `toleranceSeconds` to widen it).
 */
const increaseLegacyScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new TimestampedListScheme({
    name: 'increase-legacy',
    header: 'increase-webhook-signature',
    timestampFormat: 'rfc3339',
    idField: 'id',
    toleranceSeconds,
  });

const generateSecret = () => `whsec_${randomAlphanumeric(32)}`;
const sampleEvent = jsonEvent(() => ({
  id: `event_${randomBytes(12).toString('hex')}`,
  associated_object_id: `account_${randomBytes(10).toString('hex')}`,
  associated_object_type: 'account',
  category: 'account.created',
  created_at: new Date().toISOString(),
  type: 'event',
}));

const current = sharedSecretProvider({
  id: 'increase',
  displayName: 'Increase',
  docsUrl: 'https://increase.com/documentation/webhooks#verifying-webhook-signatures',
  presetName: 'increase',
  secretOption: 'secret',
  verification:
    'Standard Webhooks headers: base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the secret text as is',
  messageId: { header: 'webhook-id' },
  eventType: { bodyField: 'category' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: increaseScheme,
  generateSecret,
  sampleEvent,
});

const legacy = sharedSecretProvider({
  id: 'increase-legacy',
  displayName: 'Increase (legacy signature)',
  docsUrl: 'https://increase.com/documentation/webhooks#verifying-webhook-signatures',
  presetName: 'increaseLegacy',
  secretOption: 'secret',
  verification: '`Increase-Webhook-Signature: t=<ISO 8601>,v1=…`: hex HMAC-SHA256 of `t.body`, secret text as is',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'category' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'verified',
  scheme: increaseLegacyScheme,
  generateSecret,
  sampleEvent,
});

/** Increase webhooks (Standard Webhooks headers, raw key). @publicApi */
export const increaseProvider = current.provider;
/** Increase webhooks signed the legacy way (`Increase-Webhook-Signature`). @publicApi */
export const increaseLegacyProvider = legacy.provider;

/**
 * Increase: Standard Webhooks headers keyed with the secret's text, `webhook-id` as the message id.
 * @publicApi
 * @example endpoints: { increase: increase({ secret: process.env.INCREASE_WEBHOOK_SECRET }) }
 */
export const increase = current.preset;

/**
 * Increase, legacy `Increase-Webhook-Signature: t=<ISO 8601>,v1=…`; the body's `id` as the message id.
 * @publicApi
 * @example endpoints: { increase: increaseLegacy({ secret: process.env.INCREASE_WEBHOOK_SECRET }) }
 */
export const increaseLegacy = legacy.preset;
