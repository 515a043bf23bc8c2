import { StripeScheme } from '../core/schemes/stripe.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface StripePresetOptions extends PresetOptions {
  /**
   * The endpoint's signing secret, `whsec_…` (or the old and new one while you roll it in the
   * Dashboard, oldest first). Used whole, as text.
   */
  readonly secret?: SecretOrSecrets;
  /**
   * How far the signed `t` may be from the time of receipt.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

/**
 * Stripe webhooks: `Stripe-Signature` (`t=…,v1=…`), a 300 s window, the event id (`evt_…`) as the
 * message id. Stripe issues the secret: rotate by rolling it in the Dashboard and adding the new
 * `whsec_` through the admin API. A generated one (admin API without `secret`) has Stripe's format,
 * for local tests with `hookwarden send`. A `whsec_` that is not base64 of 24–64 bytes is refused.
 * @publicApi
 * @example endpoints: { stripe: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }) }
 */
export function stripe(options: StripePresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'stripe',
      scheme: new StripeScheme({ toleranceSeconds: options.toleranceSeconds }),
      secrets: options.secret,
      // Stripe's own format (Dashboard secrets are `whsec_` and 32 letters and digits), keyed whole.
      generateSecret: () => `whsec_${randomAlphanumeric(32)}`,
    },
    options,
  );
}
