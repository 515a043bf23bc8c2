import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider, type ProviderSettings } from './provider';

/** Linear's SDK refuses a `webhookTimestamp` further than a minute from now. */
const TOLERANCE_SECONDS = 60;

/**
 * Linear: `Linear-Signature: <hex HMAC-SHA256 of the body>`, keyed with the webhook's signing
 * secret. The timestamp travels inside the signed body (`webhookTimestamp`, milliseconds) and is
 * checked once the signature matched; a body without one is refused. `Linear-Delivery` is the id.
 */
const linearScheme = (settings: ProviderSettings = {}) =>
  new HmacScheme({
    name: 'linear',
    header: 'linear-signature',
    idHeader: 'linear-delivery',
    bodyTimestamp: { field: 'webhookTimestamp', format: 'unix-milliseconds' },
    toleranceSeconds: settings.toleranceSeconds ?? TOLERANCE_SECONDS,
  });

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
      scheme: linearScheme({ toleranceSeconds: options.toleranceSeconds }),
      secrets: options.secret,
    },
    options,
  );
}

/** Linear webhooks. @publicApi */
export const linearProvider = defineProvider<LinearPresetOptions>({
  id: 'linear',
  displayName: 'Linear',
  docsUrl: 'https://linear.app/developers/webhooks#securing-webhooks',
  presetName: 'linear',
  presetOptions: '{ secret }',
  verification: '`Linear-Signature`: hex HMAC-SHA256 of the body; its `webhookTimestamp` within ±60 s',
  messageId: { header: 'linear-delivery' },
  eventType: { bodyField: 'type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  scheme: linearScheme,
  preset: linear,
  testKey: () => {
    const secret = `lin_wh_${randomAlphanumeric(32)}`;
    return { secret, signingKey: secret };
  },
  // The signed body carries its own time: sign it soon after.
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      action: 'create',
      type: 'Issue',
      data: { id: randomUUID(), title: 'hookwarden test' },
      webhookTimestamp: Date.now(),
    }),
  }),
});
