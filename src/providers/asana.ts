import { AsanaScheme } from '../core/schemes/asana.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { asanaChallenge } from './challenges';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface AsanaPresetOptions extends PresetOptions {
  /** Usually absent: the handshake delivers the secret and the module stores it. */
  readonly secret?: SecretOrSecrets;
  /**
   * Accept a new handshake for an endpoint that already has a secret (re-creating the webhook),
   * replacing it. Off by default, so a forged handshake cannot swap the secret of a working endpoint.
   * @default false
   */
  readonly allowSecretReplacement?: boolean;
}

/**
 * Asana webhooks: `asanaChallenge()` stores the `X-Hook-Secret` of the creation handshake, which
 * then keys the hex `X-Hook-Signature` of every event. No timestamp or message id.
 * @publicApi
 * @example endpoints: { asana: asana() }
 */
export function asana(options: AsanaPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'asana',
      scheme: new AsanaScheme(),
      secrets: options.secret,
      challenge: asanaChallenge(),
      allowSecretReplacement: options.allowSecretReplacement,
    },
    options,
  );
}
