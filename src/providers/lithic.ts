import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { decodeStandardSecret, generateStandardSecret } from '../core/secret';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Lithic sends plain Standard Webhooks: `webhook-signature: v1,<base64>` (space-separated) over
 * `id.timestamp.body`, keyed with the decoded `whsec_` secret, ±5 minutes (its SDK's tests refuse
 * ±6 min).
 */
const TOLERANCE_SECONDS = 300;

const lithicScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new HmacScheme({
    name: 'lithic',
    header: 'webhook-signature',
    prefix: 'v1,',
    separator: ' ',
    encoding: 'base64',
    template: '{id}.{timestamp}.{body}',
    decodeKey: decodeStandardSecret,
    idHeader: 'webhook-id',
    idExcludes: '.,',
    timestampHeader: 'webhook-timestamp',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'lithic',
  displayName: 'Lithic',
  docsUrl: 'https://docs.lithic.com/docs/events-api#verifying-webhooks',
  presetName: 'lithic',
  secretOption: 'secret',
  verification: 'Standard Webhooks: base64 HMAC-SHA256 of `id.timestamp.body`, decoded `whsec_` key, ±300 s',
  messageId: { header: 'webhook-id' },
  eventType: { bodyField: 'event_type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: lithicScheme,
  generateSecret: () => generateStandardSecret(),
  sampleEvent: jsonEvent(() => ({
    event_type: 'account_holder.created',
    token: randomUUID(),
    created: new Date().toISOString(),
  })),
});

/** Lithic webhooks. @publicApi */
export const lithicProvider = provider;

/**
 * Lithic: Standard Webhooks (`whsec_` secret), `webhook-id` as the message id.
 * @publicApi
 * @example endpoints: { lithic: lithic({ secret: process.env.LITHIC_WEBHOOK_SECRET }) }
 */
export const lithic = preset;
