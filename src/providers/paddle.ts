import { randomBytes } from 'node:crypto';
import { TimestampedListScheme } from '../core/engines/timestamped-list.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Paddle Billing signs `ts:body` with the notification destination's secret key (`pdl_ntfset_…`,
 * used whole as UTF-8) in `Paddle-Signature: ts=…;h1=…`, one `h1` per live key while it rotates.
 * Paddle's SDK allows 5 s, one-sided; retries keep the original `ts`, so the window here is 300 s
 * both ways (set `toleranceSeconds` to tighten it).
 */
const TOLERANCE_SECONDS = 300;

const paddleScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new TimestampedListScheme({
    name: 'paddle',
    header: 'paddle-signature',
    separator: ';',
    timestampKey: 'ts',
    signatureKey: 'h1',
    template: '{timestamp}:{body}',
    idField: 'event_id',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'paddle',
  vectors: 'verified',
  displayName: 'Paddle Billing',
  docsUrl: 'https://developer.paddle.com/webhooks/signature-verification',
  presetName: 'paddle',
  secretOption: 'secret',
  verification: '`Paddle-Signature: ts=…;h1=…`: hex HMAC-SHA256 of `ts:body`, keyed with the whole `pdl_ntfset_` key',
  messageId: { bodyField: 'event_id' },
  eventType: { bodyField: 'event_type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  scheme: paddleScheme,
  generateSecret: () => `pdl_ntfset_${randomAlphanumeric(26)}_${randomAlphanumeric(32)}`,
  sampleEvent: jsonEvent(() => ({
    event_id: `evt_${randomBytes(13).toString('hex')}`,
    event_type: 'transaction.completed',
    occurred_at: new Date().toISOString(),
    data: {},
  })),
});

/** Paddle Billing notifications. @publicApi */
export const paddleProvider = provider;

/**
 * Paddle Billing: `Paddle-Signature` over `ts:body`, the body's `event_id` as the message id.
 * @publicApi
 * @example endpoints: { paddle: paddle({ secret: process.env.PADDLE_WEBHOOK_SECRET }) }
 */
export const paddle = preset;
