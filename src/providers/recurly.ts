import { TimestampedListScheme } from '../core/engines/timestamped-list.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Recurly signs `<timestamp>.<body>` (JSON webhooks only: its XML webhooks are unsigned) with the
 * endpoint secret in `recurly-signature: <unix ms>,<hex>[,<hex>]`: positional, the timestamp first,
 * then one signature per live secret (two during a 24 h rotation). Recurly's Go client allows 5
 * minutes and checks only staleness; the window here is 300 s both ways.
 */
const TOLERANCE_SECONDS = 300;

const recurlyScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new TimestampedListScheme({
    name: 'recurly',
    header: 'recurly-signature',
    positional: true,
    timestampFormat: 'unix-milliseconds',
    idField: 'id',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'recurly',
  displayName: 'Recurly',
  docsUrl: 'https://docs.recurly.com/recurly-subscriptions/docs/signature-verification',
  presetName: 'recurly',
  secretOption: 'secret',
  verification:
    '`recurly-signature: <ms>,<hex>[,<hex>]`: HMAC-SHA256 of `ts.body` (JSON webhooks; XML ones are unsigned)',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'event_type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: recurlyScheme,
  generateSecret: () => randomAlphanumeric(64).toLowerCase(),
  sampleEvent: jsonEvent(() => ({
    id: randomAlphanumeric(12).toLowerCase(),
    object_type: 'account',
    site_id: randomAlphanumeric(12).toLowerCase(),
    event_type: 'created',
    event_time: new Date().toISOString(),
    account_code: randomAlphanumeric(10),
  })),
});

/** Recurly webhooks (JSON). @publicApi */
export const recurlyProvider = provider;

/**
 * Recurly: `recurly-signature` over `ts.body`, the timestamp in milliseconds, `id` as the message id.
 * @publicApi
 * @example endpoints: { recurly: recurly({ secret: process.env.RECURLY_WEBHOOK_SECRET }) }
 */
export const recurly = preset;
