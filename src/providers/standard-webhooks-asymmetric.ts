import { StandardWebhooksAsymmetricScheme } from '../core/schemes/standard-webhooks-asymmetric.scheme';
import type { StandardWebhooksOptions } from '../core/schemes/standard-webhooks.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface StandardWebhooksAsymmetricPresetOptions extends PresetOptions, StandardWebhooksOptions {
  /** The sender's public key, `whpk_…` (or several during a rotation, oldest first). */
  readonly publicKey?: SecretOrSecrets;
}

/**
 * An endpoint that receives Standard Webhooks signed with Ed25519 (`v1a`), verified with the
 * sender's `whpk_` public key; the headers, id and 300 s window are those of `standardWebhooks()`.
 * @publicApi
 * @example endpoints: { events: standardWebhooksAsymmetric({ publicKey: process.env.SENDER_PUBLIC_KEY }) }
 */
export function standardWebhooksAsymmetric(
  options: StandardWebhooksAsymmetricPresetOptions = {},
): WebhookEndpointDefinition {
  const { publicKey, headerPrefix, toleranceSeconds } = options;
  return definePreset(
    {
      provider: headerPrefix === 'svix' ? 'svix' : 'standard-webhooks',
      scheme: new StandardWebhooksAsymmetricScheme({ headerPrefix, toleranceSeconds }),
      secrets: publicKey,
      generateSecret: providerIssuesKey('The sender issues the `whpk_` public key: send it as `secret`.'),
    },
    options,
  );
}
