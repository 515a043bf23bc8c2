import { LinearScheme } from '../core/schemes/linear.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface LinearPresetOptions extends PresetOptions {
  /** The webhook's signing secret, or several during a rotation. */
  readonly secret?: SecretOrSecrets;
  /**
   * How far the body's `webhookTimestamp` may be from the time of receipt.
   * @default 60
   */
  readonly toleranceSeconds?: number;
}

/**
 * Linear webhooks: hex `Linear-Signature` over the body, the signed `webhookTimestamp` within
 * 60 s, `Linear-Delivery` as the message id.
 * @publicApi
 * @example endpoints: { linear: linear({ secret: process.env.LINEAR_WEBHOOK_SECRET }) }
 */
export function linear(options: LinearPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'linear',
      scheme: new LinearScheme({ toleranceSeconds: options.toleranceSeconds }),
      secrets: options.secret,
    },
    options,
  );
}
