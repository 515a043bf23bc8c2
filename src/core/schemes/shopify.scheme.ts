import { HmacScheme } from '../auth/hmac.scheme';

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`, keyed with the app's client
 * secret. No timestamp; `X-Shopify-Webhook-Id` is the message id.
 * @publicApi
 */
export class ShopifyScheme extends HmacScheme {
  constructor() {
    super({
      name: 'shopify',
      header: 'x-shopify-hmac-sha256',
      encoding: 'base64',
      idHeader: 'x-shopify-webhook-id',
    });
  }
}
