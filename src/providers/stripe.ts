import { randomBytes } from 'node:crypto';
import { TimestampedListScheme } from '../core/engines/timestamped-list.engine';
import { WebhookConfigurationError } from '../core/errors';
import { randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Stripe's SDK refuses only old timestamps (DEFAULT_TOLERANCE, 300 s); ones as far in the future
 * are refused too, which only a wrong clock or a forgery produces.
 */
const TOLERANCE_SECONDS = 300;
const SECRET_PREFIX = 'whsec_';

/** Stripe endpoint secrets always start with `whsec_`; an API key (`sk_…`) here is a common mistake. */
function checkStripeSecret(secret: string | Buffer): void {
  const text = Buffer.isBuffer(secret) ? secret.toString('utf8') : secret;
  if (!text.startsWith(SECRET_PREFIX) || text.length === SECRET_PREFIX.length) {
    throw new WebhookConfigurationError(
      'A Stripe webhook signing secret starts with "whsec_" (Dashboard → Webhooks → Signing secret); an API key does not work here.',
    );
  }
}

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, each `v1` a hex HMAC-SHA256 of
 * `"<t>.<body>"` keyed with the **whole** `whsec_…` string as UTF-8 (it is not base64-decoded, unlike
 * Standard Webhooks). Stripe sends one `v1` per active endpoint secret while you roll it; `v0` and
 * unknown schemes are ignored. The event's `id` (`evt_…`) is the message id.
 */
const stripeScheme = (settings: ProviderSettings = {}) =>
  new TimestampedListScheme({
    name: 'stripe',
    header: 'stripe-signature',
    timestampKey: 't',
    signatureKey: 'v1',
    separator: ',',
    template: '{timestamp}.{body}',
    idField: 'id',
    toleranceSeconds: settings.toleranceSeconds ?? TOLERANCE_SECONDS,
    checkSecret: checkStripeSecret,
  });

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

/** Stripe's own format (Dashboard secrets are `whsec_` and 32 letters and digits), keyed whole. */
const stripeSecret = () => `${SECRET_PREFIX}${randomAlphanumeric(32)}`;

const { provider, preset } = sharedSecretProvider<'secret', StripePresetOptions>({
  id: 'stripe',
  vectors: 'verified',
  displayName: 'Stripe',
  docsUrl: 'https://docs.stripe.com/webhooks#verify-manually',
  presetName: 'stripe',
  secretOption: 'secret',
  verification: '`Stripe-Signature: t=…,v1=…`: hex HMAC-SHA256 of `t.body`, keyed with the whole `whsec_`, ±300 s',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  scheme: stripeScheme,
  generateSecret: stripeSecret,
  sampleEvent: jsonEvent(() => ({
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    type: 'hookwarden.test',
    created: Math.floor(Date.now() / 1000),
    data: { object: {} },
  })),
});

/** Stripe webhooks. @publicApi */
export const stripeProvider = provider;

/**
 * Stripe webhooks: `Stripe-Signature` (`t=…,v1=…`), a 300 s window, the event id (`evt_…`) as the
 * message id. Stripe issues the secret: rotate by rolling it in the Dashboard and adding the new
 * `whsec_` through the admin API. A generated one (admin API without `secret`) has Stripe's format,
 * for local tests with `hookwarden send`. A `whsec_` that is not base64 of 24–64 bytes is refused.
 * @publicApi
 * @example endpoints: { stripe: stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }) }
 */
export const stripe = preset;
