import { SmartsheetScheme } from '../core/schemes/smartsheet.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { smartsheetChallenge } from './challenges';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface SmartsheetPresetOptions extends PresetOptions {
  /** The webhook's `sharedSecret`, or several during a rotation. */
  readonly sharedSecret?: SecretOrSecrets;
}

/**
 * Smartsheet webhooks: hex `Smartsheet-Hmac-SHA256` over the body, the callback's `nonce` as the
 * message id, and `smartsheetChallenge()` for the verification sent on enabling and every 100
 * callbacks.
 * @publicApi
 * @example endpoints: { smartsheet: smartsheet({ sharedSecret: process.env.SMARTSHEET_SHARED_SECRET }) }
 */
export function smartsheet(options: SmartsheetPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'smartsheet',
      scheme: new SmartsheetScheme(),
      secrets: options.sharedSecret,
      challenge: smartsheetChallenge(),
    },
    options,
  );
}
