import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Razorpay signs the raw body with the webhook secret set in the dashboard (not the API key
 * secret) in `X-Razorpay-Signature` (hex HMAC-SHA256). No timestamp is signed; the event id is in
 * the unsigned `x-razorpay-event-id` header. Razorpay's Node SDK compares with `===`; the engine
 * compares in constant time.
 */
const razorpayScheme = () =>
  new HmacScheme({ name: 'razorpay', header: 'x-razorpay-signature', idHeader: 'x-razorpay-event-id' });

const { provider, preset } = sharedSecretProvider({
  id: 'razorpay',
  displayName: 'Razorpay',
  docsUrl: 'https://razorpay.com/docs/webhooks/validate-test/',
  presetName: 'razorpay',
  secretOption: 'secret',
  verification: '`X-Razorpay-Signature`: hex HMAC-SHA256 of the body, webhook secret',
  messageId: { header: 'x-razorpay-event-id' },
  eventType: { bodyField: 'event' },
  vectors: 'verified',
  scheme: razorpayScheme,
  generateSecret: () => randomAlphanumeric(32),
  sampleEvent: jsonEvent(() => ({
    entity: 'event',
    account_id: `acc_${randomAlphanumeric(14)}`,
    event: 'payment.captured',
    contains: ['payment'],
    payload: { payment: { entity: { id: `pay_${randomAlphanumeric(14)}` } } },
    created_at: Math.floor(Date.now() / 1000),
    nonce: randomBytes(8).toString('hex'),
  })),
});

/** Razorpay webhooks. @publicApi */
export const razorpayProvider = provider;

/**
 * Razorpay: `X-Razorpay-Signature` over the body, `x-razorpay-event-id` as the message id.
 * @publicApi
 * @example endpoints: { razorpay: razorpay({ secret: process.env.RAZORPAY_WEBHOOK_SECRET }) }
 */
export const razorpay = preset;
