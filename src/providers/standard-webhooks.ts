import { generateStandardSecret } from '../core/secret';
import { StandardWebhooksScheme, type StandardWebhooksOptions } from '../core/schemes/standard-webhooks.scheme';
import type { SecretInput, WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions } from './preset-options';

/** @publicApi */
export interface StandardWebhooksPresetOptions extends StandardWebhooksOptions, PresetOptions {
  /** One secret (`whsec_…`) or several live ones during a rotation, oldest first. */
  secret?: SecretInput | readonly SecretInput[];
}

/**
 * An endpoint that receives Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`), the format used by Svix, Resend, Clerk, Lemon Squeezy and others.
 * @publicApi
 * @example endpoints: { billing: standardWebhooks({ secret: process.env.BILLING_SECRET }) }
 */
export function standardWebhooks(options: StandardWebhooksPresetOptions = {}): WebhookEndpointDefinition {
  const { secret, also, challenge, dedupeWindowSeconds, ...schemeOptions } = options;
  return definePreset(
    {
      provider: 'standard-webhooks',
      scheme: new StandardWebhooksScheme(schemeOptions),
      secrets: secret,
      generateSecret: () => generateStandardSecret(),
    },
    { also, challenge, dedupeWindowSeconds },
  );
}

/**
 * An endpoint that receives Svix deliveries (`svix-id`, `svix-timestamp`, `svix-signature`).
 * @publicApi
 */
export function svix(options: Omit<StandardWebhooksPresetOptions, 'headerPrefix'> = {}): WebhookEndpointDefinition {
  return { ...standardWebhooks({ ...options, headerPrefix: 'svix' }), provider: 'svix' };
}
