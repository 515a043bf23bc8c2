import { randomUUID } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { TokenEchoStrategy } from '../core/challenges/token-echo.strategy';
import { HmacScheme } from '../core/engines/hmac.engine';
import { answeredWithText, freshChallenge } from './challenge-answers';
import type { ProviderChallengeOptions } from './challenges/provider-challenge-options';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Nylas (API v3): `X-Nylas-Signature` is the hex HMAC-SHA256 of the body, keyed with the
 * `webhook_secret` returned when the webhook was created (UTF-8). Nothing is timestamped; the
 * notification's `id` is the message id.
 */
const nylasScheme = () => new HmacScheme({ name: 'nylas', header: 'x-nylas-signature', idField: 'id' });

/**
 * Nylas's check when a webhook is created or re-activated: `GET <url>?challenge=<value>`, answered
 * within 10 s with `200` and exactly the value as the body. It is unsigned.
 * @publicApi
 */
export function nylasChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { method: 'GET', query: { challenge: true } },
    token: { from: 'query', name: 'challenge' },
    respondWith: 'text',
    signed: options.signed ?? false,
    tokenSafety: options.tokenSafety,
  });
}

const { provider, preset } = sharedSecretProvider({
  id: 'nylas',
  displayName: 'Nylas',
  docsUrl: 'https://developer.nylas.com/docs/v3/notifications/webhooks/',
  presetName: 'nylas',
  secretOption: 'secret',
  verification: '`X-Nylas-Signature`: hex HMAC-SHA256 of the body, keyed with the `webhook_secret`',
  challenge: '`nylasChallenge()`: `GET ?challenge=` → the value as text',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  vectors: 'self-computed',
  scheme: nylasScheme,
  generateSecret: randomUrlSafeSecret,
  challengeStrategy: () => nylasChallenge(),
  sampleEvent: jsonEvent(() => ({
    specversion: '1.0',
    type: 'message.created',
    source: '/google/emails/realtime',
    id: randomUUID(),
    time: Math.floor(Date.now() / 1000),
    data: { application_id: randomUUID(), object: {} },
  })),
  challengeRequest: () => {
    const challenge = freshChallenge();
    return { method: 'GET', query: { challenge }, headers: {}, check: answeredWithText(challenge) };
  },
});

/** Nylas webhooks. @publicApi */
export const nylasProvider = provider;

/**
 * Nylas webhooks: hex `X-Nylas-Signature` over the body, the notification `id` as the message id, and
 * `nylasChallenge()` for the `GET ?challenge=` check when the webhook is created.
 * @publicApi
 * @example endpoints: { nylas: nylas({ secret: process.env.NYLAS_WEBHOOK_SECRET }) }
 */
export const nylas = preset;
