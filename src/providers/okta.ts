import { OktaScheme } from '../core/schemes/okta.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { oktaChallenge } from './challenges';
import { definePreset, randomUrlSafeSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface OktaPresetOptions extends PresetOptions {
  /** The value of the hook's authentication header (`channel.config.authScheme.value`), or several. */
  readonly secret?: SecretOrSecrets;
  /**
   * The header Okta sends it in (`channel.config.authScheme.key`).
   * @default 'authorization'
   */
  readonly header?: string;
}

/**
 * Okta Event Hooks: the configured authorization header compared in constant time (Okta signs
 * nothing), the body's `eventId` as the message id, and `oktaChallenge()` for the one-time
 * verification, which carries the same header and is checked before it is answered. A rotation
 * generates a 43-character value to configure on the hook.
 * @publicApi
 * @example endpoints: { okta: okta({ secret: process.env.OKTA_HOOK_SECRET }) }
 */
export function okta(options: OktaPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'okta',
      scheme: new OktaScheme({ header: options.header }),
      secrets: options.secret,
      challenge: oktaChallenge({ signed: true }),
      generateSecret: randomUrlSafeSecret,
    },
    options,
  );
}
