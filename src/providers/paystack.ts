import { randomInt } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Paystack: `x-paystack-signature: <hex HMAC-SHA512 of the body>`, keyed with the account's secret
 * API key (`sk_live_…` / `sk_test_…`; there is no separate webhook secret, so rolling the API key
 * rolls this one). No timestamp and no event id: identical bodies are deduplicated.
 */
const paystackScheme = () => new HmacScheme({ name: 'paystack', header: 'x-paystack-signature', algorithm: 'sha512' });

const { provider, preset } = sharedSecretProvider({
  id: 'paystack',
  displayName: 'Paystack',
  docsUrl: 'https://paystack.com/docs/payments/webhooks/#verify-event-origin',
  presetName: 'paystack',
  secretOption: 'secretKey',
  verification: '`x-paystack-signature`: hex HMAC-SHA512 of the body, keyed with the secret API key',
  eventType: { bodyField: 'event' },
  vectors: 'self-computed',
  scheme: paystackScheme,
  generateSecret: () => `sk_test_${randomAlphanumeric(40).toLowerCase()}`,
  sampleEvent: jsonEvent(() => ({
    event: 'charge.success',
    data: { id: randomInt(1, 2 ** 40), reference: randomAlphanumeric(10) },
  })),
});

/** Paystack webhooks. @publicApi */
export const paystackProvider = provider;

/**
 * Paystack: hex HMAC-SHA512 `x-paystack-signature` over the body, keyed with the secret API key.
 * @publicApi
 * @example endpoints: { paystack: paystack({ secretKey: process.env.PAYSTACK_SECRET_KEY }) }
 */
export const paystack = preset;
