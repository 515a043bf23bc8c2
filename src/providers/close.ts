import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Close CRM: `close-sig-hash` is the hex HMAC-SHA256 of `<timestamp><body>` (no separator), keyed
 * with the hex-decoded `signature_key` the Subscription API returned (so the secret is given as those
 * 64 hex digits); `close-sig-timestamp` in Unix seconds. Close states no window: it is signed, so the
 * usual 300 s applies. The event's `event.id` is the message id.
 */
const TOLERANCE_SECONDS = 300;

const closeScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new HmacScheme({
    name: 'close',
    header: 'close-sig-hash',
    template: '{timestamp}{body}',
    timestampHeader: 'close-sig-timestamp',
    keyEncoding: 'hex',
    idField: 'event.id',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'close',
  displayName: 'Close',
  docsUrl: 'https://developer.close.com/topics/webhooks/',
  presetName: 'closeCrm',
  secretOption: 'secret',
  verification: '`close-sig-hash`: hex HMAC-SHA256 of timestamp + body, key hex-decoded, within 300 s',
  messageId: { bodyField: 'event.id' },
  eventType: { bodyField: 'event.action' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: closeScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({
    subscription_id: `whsub_${randomBytes(11).toString('hex')}`,
    event: {
      id: `ev_${randomBytes(11).toString('hex')}`,
      object_type: 'lead',
      action: 'created',
      date_created: new Date().toISOString(),
      data: {},
    },
  })),
});

/** Close CRM webhooks. @publicApi */
export const closeCrmProvider = provider;

/**
 * Close webhooks: hex `close-sig-hash` over timestamp + body with the hex-decoded signature key,
 * `event.id` as the message id.
 * @publicApi
 * @example endpoints: { close: closeCrm({ secret: process.env.CLOSE_SIGNATURE_KEY }) }
 */
export const closeCrm = preset;
