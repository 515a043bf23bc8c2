import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

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

const { provider, preset } = sharedSecretProvider<'secret', LinearPresetOptions>({
  id: 'linear',
  vectors: 'self-computed',
  displayName: 'Linear',
  docsUrl: 'https://linear.app/developers/webhooks#securing-webhooks',
  presetName: 'linear',
  secretOption: 'secret',
  testSecret: () => `lin_wh_${randomAlphanumeric(32)}`,
  verification: '`Linear-Signature`: hex HMAC-SHA256 of the body; its `webhookTimestamp` within ±60 s',
  messageId: { header: 'linear-delivery' },
  eventType: { bodyField: 'type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  scheme: linearScheme,
  // The signed body carries its own time: sign it soon after.
  sampleEvent: jsonEvent(() => ({
    action: 'create',
    type: 'Issue',
    data: { id: randomUUID(), title: 'hookwarden test' },
    webhookTimestamp: Date.now(),
  })),
});

/** Linear webhooks. @publicApi */
export const linearProvider = provider;

/**
 * Linear webhooks: hex `Linear-Signature` over the body, the signed `webhookTimestamp` within
 * 60 s, `Linear-Delivery` as the message id.
 * @publicApi
 * @example endpoints: { linear: linear({ secret: process.env.LINEAR_WEBHOOK_SECRET }) }
 */
export const linear = preset;
