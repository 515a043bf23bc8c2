import { randomUUID } from 'node:crypto';
import { TokenEchoStrategy } from '../core/challenges/token-echo.strategy';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { HmacScheme } from '../core/engines/hmac.engine';
import { answeredWithText, freshChallenge } from './challenge-answers';
import { challengeOptions, type ProviderChallengeOptions } from './challenges/provider-challenge-options';
import { randomHexSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { jsonEvent, sharedSecretProvider, signedJsonHeaders } from './provider-kit';

/** Twitch: "reject messages older than 10 minutes". */
const TOLERANCE_SECONDS = 600;
const MESSAGE_TYPE = 'twitch-eventsub-message-type';

/**
 * Twitch EventSub (webhook transport): `Twitch-Eventsub-Message-Signature: sha256=<hex HMAC-SHA256
 * of id + timestamp + body>`, no separators, keyed with the subscription's `secret`. The timestamp
 * (RFC 3339 with nanoseconds) is signed exactly as received; `Twitch-Eventsub-Message-Id` is the id.
 */
const twitchScheme = (settings: ProviderSettings = {}) =>
  new HmacScheme({
    name: 'twitch',
    header: 'twitch-eventsub-message-signature',
    prefix: 'sha256=',
    template: '{id}{timestamp}{body}',
    idHeader: 'twitch-eventsub-message-id',
    timestampHeader: 'twitch-eventsub-message-timestamp',
    timestampFormat: 'rfc3339',
    toleranceSeconds: settings.toleranceSeconds ?? TOLERANCE_SECONDS,
  });

/**
 * Twitch EventSub's `webhook_callback_verification`: a signed `POST` with header
 * `Twitch-Eventsub-Message-Type: webhook_callback_verification` and a JSON body with `challenge`,
 * answered `200` with the raw challenge as `text/plain`. Verified with the endpoint's signature
 * scheme first.
 * @publicApi
 */
export function twitchChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { method: 'POST', headers: { [MESSAGE_TYPE]: 'webhook_callback_verification' } },
    token: { from: 'body', name: 'challenge' },
    respondWith: 'text',
    ...challengeOptions(options, true),
  });
}

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

const { provider, preset } = sharedSecretProvider<'secret', TwitchPresetOptions>({
  id: 'twitch',
  vectors: 'self-computed',
  displayName: 'Twitch EventSub',
  docsUrl: 'https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#verifying-the-event-message',
  presetName: 'twitch',
  secretOption: 'secret',
  generateSecret: randomHexSecret,
  challengeStrategy: twitchChallenge,
  verification: '`Twitch-Eventsub-Message-Signature: sha256=` hex HMAC-SHA256 of id + timestamp + body, ±10 min',
  challenge: 'signed POST `webhook_callback_verification` → `challenge` as text',
  messageId: { header: 'twitch-eventsub-message-id' },
  eventType: { bodyField: 'subscription.type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  scheme: twitchScheme,
  sampleEvent: jsonEvent(() => ({
    subscription: { id: randomUUID(), type: 'channel.follow', version: '2', status: 'enabled' },
    event: { user_name: 'hookwarden', followed_at: new Date().toISOString() },
  })),
  challengeRequest: ({ secret }) => {
    const challenge = freshChallenge();
    const body = JSON.stringify({ challenge, subscription: { status: 'webhook_callback_verification_pending' } });
    const headers = signedJsonHeaders(twitchScheme(), body, secret, randomUUID());
    return {
      method: 'POST',
      headers: { ...headers, [MESSAGE_TYPE]: 'webhook_callback_verification' },
      body,
      check: answeredWithText(challenge),
    };
  },
});

/** Twitch EventSub (webhook transport). @publicApi */
export const twitchProvider = provider;

/**
 * Twitch EventSub over webhooks: HMAC over id + timestamp + body, a 10-minute window, the message
 * id for deduplication (Twitch resends the same id), and `twitchChallenge()` for the signed
 * `webhook_callback_verification`. A rotation generates 64 hex digits for the next subscription.
 * @publicApi
 * @example endpoints: { twitch: twitch({ secret: process.env.TWITCH_EVENTSUB_SECRET }) }
 */
export const twitch = preset;
