import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Customer.io reporting webhooks: `X-CIO-Signature` is the hex HMAC-SHA256 of `v0:<ts>:<body>`,
 * keyed with the webhook signing key as UTF-8, `X-CIO-Timestamp` in Unix seconds. Customer.io
 * states no window, so the usual 300 s. (Campaign "webhook actions" are signed with a key of
 * Customer.io's own, which customers cannot verify: not this preset.)
 */
const TOLERANCE_SECONDS = 300;

const customerIoScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new HmacScheme({
    name: 'customer-io',
    header: 'x-cio-signature',
    template: 'v0:{timestamp}:{body}',
    timestampHeader: 'x-cio-timestamp',
    idField: 'event_id',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'customer-io',
  displayName: 'Customer.io',
  docsUrl: 'https://docs.customer.io/api/webhooks/',
  presetName: 'customerIo',
  secretOption: 'secret',
  verification: '`X-CIO-Signature`: hex HMAC-SHA256 of `v0:timestamp:body`, `X-CIO-Timestamp` within 300 s',
  messageId: { bodyField: 'event_id' },
  eventType: { bodyField: 'metric' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'verified',
  scheme: customerIoScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({
    event_id: randomUUID().replace(/-/g, ''),
    object_type: 'email',
    metric: 'delivered',
    timestamp: Math.floor(Date.now() / 1000),
    data: {},
  })),
});

/** Customer.io reporting webhooks. @publicApi */
export const customerIoProvider = provider;

/**
 * Customer.io reporting webhooks: `X-CIO-Signature` over `v0:timestamp:body`, the body's
 * `event_id` as the message id.
 * @publicApi
 * @example endpoints: { customerIo: customerIo({ secret: process.env.CUSTOMERIO_WEBHOOK_KEY }) }
 */
export const customerIo = preset;
