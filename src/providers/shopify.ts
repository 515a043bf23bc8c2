import { ShopifyScheme } from '../core/schemes/shopify.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface ShopifyPresetOptions extends PresetOptions {
  /** The app's client secret (API secret key), or several during a rotation. */
  readonly secret?: SecretOrSecrets;
}

/**
 * Shopify webhooks: base64 `X-Shopify-Hmac-Sha256` over the body, `X-Shopify-Webhook-Id` as the
 * message id, no timestamp.
 * @publicApi
 * @example endpoints: { shopify: shopify({ secret: process.env.SHOPIFY_CLIENT_SECRET }) }
 */
export function shopify(options: ShopifyPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset({ provider: 'shopify', scheme: new ShopifyScheme(), secrets: options.secret }, options);
}
