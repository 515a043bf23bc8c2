import { HmacScheme } from '../engines/hmac.engine';

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`, keyed with the app's client
 * secret. No timestamp; `X-Shopify-Webhook-Id` is the message id (unsigned, so duplicates are recognised
 * by the body and the topic header `X-Shopify-Topic`).
 * @publicApi
 */
export class ShopifyScheme extends HmacScheme {
  constructor() {
    super({
      name: 'shopify',
      header: 'x-shopify-hmac-sha256',
      encoding: 'base64',
      idHeader: 'x-shopify-webhook-id',
      // Shopify sends one body under several topics (orders/create, orders/paid, orders/updated) and
      // names the topic only here: it enters the content dedupe key so that none of them is lost.
      eventTypeHeader: 'x-shopify-topic',
    });
  }
}
