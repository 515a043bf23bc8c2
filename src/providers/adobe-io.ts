import { AdobeIoScheme } from '../core/schemes/adobe-io.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { adobeIoChallenge } from './challenges';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface AdobeIoPresetOptions extends PresetOptions {
  /**
   * Adobe I/O Events' public key(s), PEM: download them once from `https://static.adobeioevents.com`
   * and configure them here. Keys are never fetched from a path the request names.
   */
  readonly publicKey?: SecretOrSecrets;
  /** Your project's client id; when set, `recipient_client_id` must equal it. */
  readonly clientId?: string;
}

/**
 * Adobe I/O Events: RSA-SHA256 `x-adobe-digital-signature-1`/`-2` checked with configured public
 * keys, the optional recipient check, `event_id` as the message id, and `adobeIoChallenge()` for
 * the `GET ?challenge=` registration check.
 * @publicApi
 * @example adobeIo({ publicKey: [env.ADOBE_KEY_1, env.ADOBE_KEY_2], clientId: env.ADOBE_CLIENT_ID })
 */
export function adobeIo(options: AdobeIoPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'adobe-io',
      scheme: new AdobeIoScheme({ clientId: options.clientId }),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey('Adobe I/O Events publishes the public keys: send the PEM as `secret`.'),
      challenge: adobeIoChallenge(),
    },
    options,
  );
}
