import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import type { ProviderSettings } from './provider';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Cashfree documents no window; a signed timestamp makes one possible, so 300 s both ways (set
 * `toleranceSeconds` to widen it if retries keep the original timestamp).
 */
const TOLERANCE_SECONDS = 300;

/**
 * Cashfree Payments: `x-webhook-signature: <base64 HMAC-SHA256 of timestamp + body>` (no separator),
 * `x-webhook-timestamp` in Unix milliseconds, keyed with the PG client secret as text. Cashfree's
 * SDK throws on a mismatch instead of returning false; here a mismatch is a 401 with a code.
 */
const cashfreeScheme = ({ toleranceSeconds = TOLERANCE_SECONDS }: ProviderSettings = {}) =>
  new HmacScheme({
    name: 'cashfree',
    header: 'x-webhook-signature',
    encoding: 'base64',
    template: '{timestamp}{body}',
    timestampHeader: 'x-webhook-timestamp',
    timestampFormat: 'unix-milliseconds',
    toleranceSeconds,
  });

const { provider, preset } = sharedSecretProvider({
  id: 'cashfree',
  displayName: 'Cashfree Payments',
  docsUrl: 'https://www.cashfree.com/docs/payments/online/webhooks/signature-verification',
  presetName: 'cashfree',
  secretOption: 'clientSecret',
  verification:
    '`x-webhook-signature`: base64 HMAC-SHA256 of `x-webhook-timestamp` (ms) + body, keyed with the client secret, ±300 s',
  eventType: { bodyField: 'type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: cashfreeScheme,
  generateSecret: () => `cfsk_ma_test_${randomAlphanumeric(40).toLowerCase()}`,
  sampleEvent: jsonEvent(() => ({
    data: {
      order: { order_id: `order_${randomBytes(6).toString('hex')}` },
      payment: { payment_status: 'SUCCESS' },
    },
    type: 'PAYMENT_SUCCESS_WEBHOOK',
    event_time: new Date().toISOString(),
  })),
});

/** Cashfree Payments webhooks. @publicApi */
export const cashfreeProvider = provider;

/**
 * Cashfree Payments: base64 `x-webhook-signature` over timestamp (ms) + body, a 300 s window.
 * @publicApi
 * @example endpoints: { cashfree: cashfree({ clientSecret: process.env.CASHFREE_CLIENT_SECRET }) }
 */
export const cashfree = preset;
