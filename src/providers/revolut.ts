import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Revolut (Business and Merchant APIs) signs `v1.<timestamp>.<body>` with the signing secret
 * (`wsk_…`, used whole as UTF-8) in `Revolut-Signature: v1=<hex>`, comma-separated while two secrets
 * are live; `Revolut-Request-Timestamp` is in milliseconds, and Revolut asks for a 5-minute window.
 * No event id is sent.
 */
const TOLERANCE_SECONDS = 300;

const revolutScheme = ({ toleranceSeconds = TOLERANCE_SECONDS } = {}) =>
  new HmacScheme({
    name: 'revolut',
    header: 'revolut-signature',
    prefix: 'v1=',
    separator: ',',
    template: 'v1.{timestamp}.{body}',
    timestampHeader: 'revolut-request-timestamp',
    timestampFormat: 'unix-milliseconds',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'revolut',
  displayName: 'Revolut',
  docsUrl: 'https://developer.revolut.com/docs/guides/manage-accounts/webhooks/verify-the-payload-signature',
  presetName: 'revolut',
  secretOption: 'secret',
  verification: '`Revolut-Signature: v1=…`: hex HMAC-SHA256 of `v1.<ms timestamp>.body`, `wsk_` secret',
  eventType: { bodyField: 'event' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'verified',
  scheme: revolutScheme,
  generateSecret: () => `wsk_${randomAlphanumeric(32)}`,
  sampleEvent: jsonEvent(() => ({
    event: 'TransactionStateChanged',
    timestamp: new Date().toISOString(),
    data: { id: randomUUID(), old_state: 'pending', new_state: 'completed' },
  })),
});

/** Revolut Business and Merchant webhooks. @publicApi */
export const revolutProvider = provider;

/**
 * Revolut: `Revolut-Signature` over `v1.<timestamp>.<body>`, the timestamp in milliseconds.
 * @publicApi
 * @example endpoints: { revolut: revolut({ secret: process.env.REVOLUT_SIGNING_SECRET }) }
 */
export const revolut = preset;
