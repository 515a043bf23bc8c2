import { BoxScheme } from '../core/schemes/box.scheme';
import type { SecretInput, WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions } from './preset-options';

/** @publicApi */
export interface BoxPresetOptions extends PresetOptions {
  /** The app's primary signature key (Developer Console → Webhooks → Manage signature keys). */
  readonly primaryKey?: SecretInput;
  /** The secondary key: Box signs with both, so either can be regenerated without a gap. */
  readonly secondaryKey?: SecretInput;
  /**
   * How far `BOX-DELIVERY-TIMESTAMP` may be from the time of receipt.
   * @default 600
   */
  readonly toleranceSeconds?: number;
}

/**
 * Box webhooks v2: `BOX-SIGNATURE-PRIMARY` / `-SECONDARY` over body + delivery timestamp, a
 * 10-minute window, `BOX-DELIVERY-ID` as the message id. Both keys are live secrets.
 * @publicApi
 * @example box({ primaryKey: env.BOX_PRIMARY_KEY, secondaryKey: env.BOX_SECONDARY_KEY })
 */
export function box(options: BoxPresetOptions = {}): WebhookEndpointDefinition {
  const keys = [options.primaryKey, options.secondaryKey].filter((key): key is SecretInput => key !== undefined);
  return definePreset(
    { provider: 'box', scheme: new BoxScheme({ toleranceSeconds: options.toleranceSeconds }), secrets: keys },
    options,
  );
}
