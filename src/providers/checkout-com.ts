import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Checkout.com: `Cko-Signature: <hex HMAC-SHA256 of the body>`, keyed with the signature key set on
 * the workflow's webhook action (used as text). No timestamp; the event's `id` (`evt_…`) is the
 * message id (Checkout.com retries up to 8 times over about 30 h).
 */
const checkoutComScheme = () => new HmacScheme({ name: 'checkout-com', header: 'cko-signature', idField: 'id' });

const { provider, preset } = sharedSecretProvider({
  id: 'checkout-com',
  displayName: 'Checkout.com',
  docsUrl: 'https://www.checkout.com/docs/developer-resources/webhooks/manage-webhooks/set-up-your-webhook-receiver',
  presetName: 'checkoutCom',
  secretOption: 'signatureKey',
  verification: '`Cko-Signature`: hex HMAC-SHA256 of the body, keyed with the webhook signature key',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  vectors: 'self-computed',
  scheme: checkoutComScheme,
  generateSecret: () => randomAlphanumeric(32),
  sampleEvent: jsonEvent(() => ({
    id: `evt_${randomBytes(13).toString('hex')}`,
    type: 'payment_captured',
    created_on: new Date().toISOString(),
    data: { id: `pay_${randomBytes(13).toString('hex')}` },
  })),
});

/** Checkout.com webhooks (workflows). @publicApi */
export const checkoutComProvider = provider;

/**
 * Checkout.com: hex `Cko-Signature` over the body, the event's `id` as the message id.
 * @publicApi
 * @example endpoints: { checkout: checkoutCom({ signatureKey: process.env.CKO_WEBHOOK_SIGNATURE_KEY }) }
 */
export const checkoutCom = preset;
