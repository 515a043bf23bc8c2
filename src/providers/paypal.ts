import { randomUUID } from 'node:crypto';
import { WebhookConfigurationError } from '../core/errors';
import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import { FetchedKeyScheme } from '../core/engines/fetched-keys';
import { KeyResolver, type KeySourceOptions } from '../core/engines/key-resolver';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider, type ProviderSettings } from './provider';

/** @publicApi */
export interface PaypalPresetOptions extends PresetOptions {
  /** Your webhook's id (Developer Dashboard → app → Webhooks): it is signed, and not sent. */
  readonly webhookId: string;
  /** Deliveries of PayPal's sandbox (certificates of api(-m).sandbox.paypal.com). @default false */
  readonly sandbox?: boolean;
  /** Instead of fetching the certificate named by `PAYPAL-CERT-URL`: PayPal's public key or certificate (PEM). */
  readonly publicKey?: SecretOrSecrets;
  /**
   * How far `PAYPAL-TRANSMISSION-TIME` may be from now. PayPal documents none; the window bounds
   * the replay of a body altered under the same CRC-32 (see the scheme). @default 300
   */
  readonly toleranceSeconds?: number;
}

/** The webhook id of the research's vector (PayPal's SDK test): what the catalogue's scheme signs for tests. */
const SAMPLE_WEBHOOK_ID = '4JH86294D6297924G';

/**
 * PayPal signs `transmission-id|transmission-time|webhook-id|crc32(body)` with RSA-SHA256 (base64
 * in `PAYPAL-TRANSMISSION-SIG`). The body is covered only by its CRC-32, which anyone can keep while
 * altering a body: the signed transmission time, checked within the window, limits how long a
 * captured delivery can be so reused. The message id is the body's `id` (stable across resends).
 */
function paypalScheme(settings: ProviderSettings & { readonly webhookId?: string } = {}): AsymmetricScheme {
  const webhookId = settings.webhookId ?? SAMPLE_WEBHOOK_ID;
  // PayPal's own format for it (^[a-zA-Z0-9]+$); it is written into the signed string verbatim.
  if (!/^[A-Za-z0-9]{1,64}$/.test(webhookId)) {
    throw new WebhookConfigurationError('The PayPal webhookId must be the letters and digits the dashboard shows.');
  }
  return asymmetricSignature({
    name: 'paypal',
    algorithm: 'rsa-sha256',
    header: 'paypal-transmission-sig',
    encoding: 'base64',
    template: `{header:paypal-transmission-id}|{timestamp}|${webhookId}|{body.crc32}`,
    signedHeaderValues: { 'paypal-transmission-id': 'dfb3be50-fd74-11e4-8bf3-77339302725b' },
    timestampHeader: 'paypal-transmission-time',
    timestampFormat: 'rfc3339',
    toleranceSeconds: settings.toleranceSeconds ?? 300,
    idField: 'id',
    publicKey: { encoding: 'spki', label: 'A PayPal certificate or public key' },
  });
}

/**
 * The certificate `PAYPAL-CERT-URL` names, taken only from PayPal's API hosts and certificate path,
 * chained to a trusted root and issued to PayPal's message-verification name. @internal
 */
export function paypalKeySource(sandbox = false): KeySourceOptions {
  const env = sandbox ? 'sandbox.' : '';
  return {
    name: 'PayPal',
    hosts: [`api.${env}paypal.com`, `api-m.${env}paypal.com`],
    paths: ['/v1/notifications/certs/'],
    format: { type: 'x509', subjects: [`messageverificationcerts.${env}paypal.com`] },
    ttlSeconds: 86_400,
  };
}

/**
 * PayPal REST webhooks: RSA-SHA256 of `transmission-id|time|webhookId|crc32(body)`, with the
 * certificate named by `PAYPAL-CERT-URL` (PayPal's hosts only, chain and name checked), or the
 * `publicKey` given.
 * @publicApi
 * @example endpoints: { paypal: paypal({ webhookId: process.env.PAYPAL_WEBHOOK_ID }) }
 */
export function paypal(options: PaypalPresetOptions): WebhookEndpointDefinition {
  if (options?.webhookId === undefined) {
    throw new WebhookConfigurationError('The PayPal preset needs `webhookId`: PayPal signs it.');
  }
  const scheme = paypalScheme({ webhookId: options.webhookId, toleranceSeconds: options.toleranceSeconds });
  return definePreset(
    {
      provider: 'paypal',
      // A configured key (`publicKey`, or one added through the admin API) is used instead of fetching.
      scheme: new FetchedKeyScheme(scheme, new KeyResolver(paypalKeySource(options.sandbox)), {
        header: 'paypal-cert-url',
      }),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey('PayPal names its certificate in each delivery: send one as `secret` (PEM).'),
    },
    options,
  );
}

/** @publicApi */
export const paypalProvider = defineProvider<PaypalPresetOptions>({
  id: 'paypal',
  displayName: 'PayPal',
  docsUrl: 'https://developer.paypal.com/api/rest/webhooks/',
  presetName: 'paypal',
  presetOptions: '{ webhookId, sandbox? }',
  verification:
    'RSA-SHA256 of `transmission-id|time|webhookId|crc32(body)` in `PAYPAL-TRANSMISSION-SIG`; certificate from `PAYPAL-CERT-URL` on PayPal’s hosts (chain and name checked); the body is covered only by its CRC-32',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'event_type' },
  toleranceSeconds: 300,
  vectors: 'verified',
  scheme: paypalScheme,
  // No default webhook id here: a run-time endpoint without one must be refused, not mounted for a sample id.
  preset: paypal,
  testKey: () => paypalScheme().generateTestKey(),
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      id: `WH-${randomUUID()}`,
      create_time: new Date().toISOString(),
      resource_type: 'sale',
      event_type: 'PAYMENT.SALE.COMPLETED',
      summary: 'Payment completed for $ 20.0 USD',
      resource: { id: randomUUID(), state: 'completed', amount: { total: '20.00', currency: 'USD' } },
    }),
  }),
});
