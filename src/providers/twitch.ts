import { TwitchScheme } from '../core/schemes/twitch.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { twitchChallenge } from './challenges';
import { definePreset, randomHexSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface TwitchPresetOptions extends PresetOptions {
  /** The `secret` given when creating the EventSub subscription (10–100 characters). */
  readonly secret?: SecretOrSecrets;
  /**
   * How far `Twitch-Eventsub-Message-Timestamp` may be from the time of receipt.
   * @default 600
   */
  readonly toleranceSeconds?: number;
}

/**
 * Twitch EventSub over webhooks: HMAC over id + timestamp + body, a 10-minute window, the message
 * id for deduplication (Twitch resends the same id), and `twitchChallenge()` for the signed
 * `webhook_callback_verification`. A rotation generates 64 hex digits for the next subscription.
 * @publicApi
 * @example endpoints: { twitch: twitch({ secret: process.env.TWITCH_EVENTSUB_SECRET }) }
 */
export function twitch(options: TwitchPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'twitch',
      scheme: new TwitchScheme({ toleranceSeconds: options.toleranceSeconds }),
      secrets: options.secret,
      challenge: twitchChallenge(),
      generateSecret: randomHexSecret,
    },
    options,
  );
}
