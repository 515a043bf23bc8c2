import { randomUUID } from 'node:crypto';
import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider } from './provider';

/** @publicApi */
export interface WisePresetOptions extends PresetOptions {
  /**
   * Wise's public key for the environment (PEM), as published in its docs: sandbox and production
   * have different keys.
   */
  readonly publicKey?: SecretOrSecrets;
}

/**
 * Wise signs the raw body with RSA PKCS#1 v1.5 + SHA-256 in `X-Signature-SHA256` (base64), checked
 * with Wise's static public key for the environment (no key is fetched). No timestamp is signed;
 * `X-Delivery-Id` names the delivery (unsigned, so the signed content is what dedupes).
 */
function wiseScheme(): AsymmetricScheme {
  return asymmetricSignature({
    name: 'wise',
    algorithm: 'rsa-sha256',
    header: 'x-signature-sha256',
    encoding: 'base64',
    idHeader: 'x-delivery-id',
    publicKey: { encoding: 'spki', label: 'A Wise public key', hint: 'Wise docs → Webhooks → event handling' },
  });
}

/**
 * Wise: RSA-SHA256 `X-Signature-SHA256` over the body with Wise's published public key,
 * `X-Delivery-Id` as the message id.
 * @publicApi
 * @example endpoints: { wise: wise({ publicKey: process.env.WISE_WEBHOOK_PUBLIC_KEY }) }
 */
export function wise(options: WisePresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'wise',
      scheme: wiseScheme(),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey('Wise publishes its public key (one per environment): send it as `secret`.'),
    },
    options,
  );
}

/** @publicApi */
export const wiseProvider = defineProvider<WisePresetOptions>({
  id: 'wise',
  displayName: 'Wise',
  docsUrl: 'https://docs.wise.com/guides/developer/webhooks/event-handling',
  presetName: 'wise',
  presetOptions: '{ publicKey }',
  verification: "RSA-SHA256 of the body in `X-Signature-SHA256` (base64), Wise's published public key",
  messageId: { header: 'x-delivery-id' },
  eventType: { bodyField: 'event_type' },
  vectors: 'verified',
  scheme: wiseScheme,
  preset: wise,
  testKey: () => wiseScheme().generateTestKey(),
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      data: {
        resource: { id: 49983981, profile_id: 16055450, account_id: 14124090, type: 'transfer' },
        current_state: 'processing',
        previous_state: 'incoming_payment_waiting',
        occurred_at: new Date().toISOString(),
      },
      subscription_id: randomUUID(),
      event_type: 'transfers#state-change',
      schema_version: '2.0.0',
      sent_at: new Date().toISOString(),
    }),
  }),
});
