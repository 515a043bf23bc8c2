import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import type { SecretInput, WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, randomAlphanumeric, type PresetOptions } from './preset-options';
import { defineProvider, type ProviderSettings } from './provider';

/** Box: ten minutes. */
const TOLERANCE_SECONDS = 600;

/**
 * Box webhooks v2: `BOX-SIGNATURE-PRIMARY` and `BOX-SIGNATURE-SECONDARY`, each the base64
 * HMAC-SHA256 of body + `BOX-DELIVERY-TIMESTAMP`, one per signature key of the app. Configure both
 * keys as live secrets: a request is accepted when any live key matches either signature, so
 * rotating one key in the Box console never drops a delivery. `BOX-SIGNATURE-ALGORITHM` must be
 * `HmacSHA256` and `BOX-SIGNATURE-VERSION` `1`, as Box's SDK requires; `BOX-DELIVERY-ID` (unsigned)
 * is the id.
 */
const boxScheme = (settings: ProviderSettings = {}) =>
  new HmacScheme({
    name: 'box',
    header: ['box-signature-primary', 'box-signature-secondary'],
    encoding: 'base64',
    template: '{body}{timestamp}',
    timestampHeader: 'box-delivery-timestamp',
    timestampFormat: 'rfc3339',
    requiredHeaders: { 'box-signature-algorithm': 'HmacSHA256', 'box-signature-version': '1' },
    idHeader: 'box-delivery-id',
    toleranceSeconds: settings.toleranceSeconds ?? TOLERANCE_SECONDS,
  });

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
    { provider: 'box', scheme: boxScheme({ toleranceSeconds: options.toleranceSeconds }), secrets: keys },
    options,
  );
}

/** Box webhooks (v2). @publicApi */
export const boxProvider = defineProvider<BoxPresetOptions>({
  id: 'box',
  vectors: 'verified',
  displayName: 'Box',
  docsUrl: 'https://developer.box.com/guides/webhooks/v2/signatures-v2/',
  presetName: 'box',
  presetOptions: '{ primaryKey, secondaryKey }',
  verification: '`BOX-SIGNATURE-PRIMARY` / `-SECONDARY`: base64 HMAC-SHA256 of body + timestamp, ±10 min',
  messageId: { header: 'box-delivery-id' },
  eventType: { bodyField: 'trigger' },
  toleranceSeconds: TOLERANCE_SECONDS,
  scheme: boxScheme,
  preset: box,
  testKey: () => {
    const secret = randomAlphanumeric(32); // Box signature keys are 32 letters and digits
    return { secret, signingKey: secret };
  },
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      type: 'webhook_event',
      id: randomUUID(),
      trigger: 'FILE.UPLOADED',
      source: { id: '1234567890', type: 'file', name: 'hookwarden-test.txt' },
    }),
  }),
});
