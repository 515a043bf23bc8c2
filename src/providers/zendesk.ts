import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import type { ProviderSettings } from './provider';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Zendesk: `X-Zendesk-Webhook-Signature: <base64 HMAC-SHA256 of timestamp + body>` (no separator),
 * where `X-Zendesk-Webhook-Signature-Timestamp` is an ISO 8601 date-time. The signing secret looks
 * like base64 but is the key as text, never decoded. Zendesk documents no window; the timestamp is
 * signed, so 300 s is kept (`toleranceSeconds` to widen it). Test requests sent before the webhook
 * exists are signed with the static secret `dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==`.
 */
const TOLERANCE_SECONDS = 300;

const zendeskScheme = ({ toleranceSeconds = TOLERANCE_SECONDS }: ProviderSettings = {}) =>
  new HmacScheme({
    name: 'zendesk',
    header: 'x-zendesk-webhook-signature',
    encoding: 'base64',
    template: '{timestamp}{body}',
    timestampHeader: 'x-zendesk-webhook-signature-timestamp',
    timestampFormat: 'rfc3339',
    idField: 'id',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'zendesk',
  displayName: 'Zendesk',
  docsUrl: 'https://developer.zendesk.com/documentation/webhooks/verifying/',
  presetName: 'zendesk',
  secretOption: 'secret',
  verification:
    '`X-Zendesk-Webhook-Signature`: base64 HMAC-SHA256 of `timestamp + body` (ISO 8601), key as text, ±300 s',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: zendeskScheme,
  // Zendesk's secrets are 44 characters of base64, used as text.
  generateSecret: () => randomBytes(32).toString('base64'),
  sampleEvent: jsonEvent(() => ({
    type: 'zen:event-type:ticket.created',
    id: randomBytes(13).toString('hex').toUpperCase(),
    time: new Date().toISOString(),
    detail: {},
  })),
});

/** Zendesk webhooks. @publicApi */
export const zendeskProvider = provider;

/**
 * Zendesk: `X-Zendesk-Webhook-Signature` over `timestamp + body`, a 300 s window.
 * @publicApi
 * @example endpoints: { zendesk: zendesk({ secret: process.env.ZENDESK_WEBHOOK_SECRET }) }
 */
export const zendesk = preset;
