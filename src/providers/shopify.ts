import { randomInt } from 'node:crypto';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import { randomHexSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`, keyed with the app's client
 * secret. No timestamp; `X-Shopify-Webhook-Id` is the message id (unsigned, so duplicates are recognised
 * by the body and the topic header `X-Shopify-Topic`).
 */
const SIGNATURE: HmacSchemeOptions = {
  name: 'shopify',
  header: 'x-shopify-hmac-sha256',
  encoding: 'base64',
  idHeader: 'x-shopify-webhook-id',
  // Shopify sends one body under several topics (orders/create, orders/paid, orders/updated) and
  // names the topic only here: it enters the content dedupe key so that none of them is lost.
  eventTypeHeader: 'x-shopify-topic',
  // Shopify's topics: `orders/create`, `app/uninstalled`, `customer.tags_added`.
  eventTypePattern: /^[a-z][a-z0-9_.]{0,99}(?:\/[a-z][a-z0-9_.]{0,99})?$/,
};

const shopifyScheme = () => new HmacScheme(SIGNATURE);

/** @publicApi */
export interface ShopifyPresetOptions extends PresetOptions {
  /** The app's client secret (API secret key), or several during a rotation. */
  readonly secret?: SecretOrSecrets;
}

const { provider, preset } = sharedSecretProvider<'secret', ShopifyPresetOptions>({
  id: 'shopify',
  vectors: 'verified',
  displayName: 'Shopify',
  docsUrl: 'https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook',
  presetName: 'shopify',
  secretOption: 'secret',
  testSecret: randomHexSecret,
  verification: '`X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the body',
  messageId: { header: 'x-shopify-webhook-id' },
  eventType: { header: 'x-shopify-topic' },
  scheme: shopifyScheme,
  // An `orders/create` payload, trimmed (its topic travels in `X-Shopify-Topic`).
  sampleEvent: jsonEvent(() => ({ id: randomInt(1e12, 9e12), email: 'customer@example.com', total_price: '123.45' })),
});

/** Shopify app webhooks. @publicApi */
export const shopifyProvider = provider;

/**
 * Shopify webhooks: base64 `X-Shopify-Hmac-Sha256` over the body, `X-Shopify-Webhook-Id` as the
 * message id, no timestamp.
 * @publicApi
 * @example endpoints: { shopify: shopify({ secret: process.env.SHOPIFY_CLIENT_SECRET }) }
 */
export const shopify = preset;
