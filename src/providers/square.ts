import { SquareScheme } from '../core/schemes/square.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, random22UrlSafe, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface SquarePresetOptions extends PresetOptions {
  /** The subscription's signature key, or several during a rotation. */
  readonly signatureKey?: SecretOrSecrets;
  /**
   * The notification URL exactly as configured in the subscription. Square signs it, and behind a
   * proxy the Host header cannot be trusted, so it is never rebuilt from the request.
   */
  readonly notificationUrl: string;
}

/**
 * Square webhooks: base64 `x-square-hmacsha256-signature` over notification URL + body, the
 * body's `event_id` as the message id.
 * @publicApi
 * @example square({ signatureKey: env.SQUARE_SIGNATURE_KEY, notificationUrl: 'https://api.example.com/hooks/square' })
 */
export function square(options: SquarePresetOptions): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'square',
      scheme: new SquareScheme({ notificationUrl: options?.notificationUrl }),
      secrets: options?.signatureKey,
      generateSecret: random22UrlSafe, // a Square signature key is 22 URL-safe characters
    },
    options,
  );
}
