import { randomUUID } from 'node:crypto';
import { ApiKeyScheme } from '../core/auth/api-key.scheme';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { TokenEchoStrategy } from '../core/challenges/token-echo.strategy';
import { answeredWithJson, freshChallenge } from './challenge-answers';
import { challengeOptions, type ProviderChallengeOptions } from './challenges/provider-challenge-options';
import { randomUrlSafeSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/** @publicApi */
export interface OktaPresetOptions extends PresetOptions {
  /** The value of the hook's authentication header (`channel.config.authScheme.value`), or several. */
  readonly secret?: SecretOrSecrets;
  /**
   * The header Okta sends it in (`channel.config.authScheme.key`).
   * @default 'authorization'
   */
  readonly header?: string;
}

/**
 * Okta Event Hooks sign nothing: each request carries the authorization header configured on the
 * hook (`channel.config.authScheme`, usually `Authorization: <secret>`), an API key compared in
 * constant time with the endpoint's live secrets (rotatable); missing or wrong is `bad_credentials`.
 * The body's `eventId` is the message id.
 */
const oktaScheme = (header = 'authorization') => new ApiKeyScheme({ name: 'okta', header, idField: 'eventId' });

/**
 * Okta Event Hooks' one-time verification: a `GET` with header `X-Okta-Verification-Challenge`,
 * answered `200` with JSON `{"verification": …}`. Okta waits 3 s and retries once. The request
 * also carries the hook's configured authorization header; set `signed: true` to have the
 * endpoint's schemes check it before answering.
 * @publicApi
 */
export function oktaChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { method: 'GET' },
    token: { from: 'header', name: 'x-okta-verification-challenge' },
    respondWith: { json: 'verification' },
    ...challengeOptions(options, false),
  });
}

const { provider, preset } = sharedSecretProvider<'secret', OktaPresetOptions>({
  id: 'okta',
  displayName: 'Okta',
  docsUrl: 'https://developer.okta.com/docs/guides/secure-hooks/',
  presetName: 'okta',
  secretOption: 'secret',
  generateSecret: randomUrlSafeSecret,
  challengeStrategy: () => oktaChallenge({ signed: true }),
  fromOptions: (options) => ({ scheme: oktaScheme(options.header) }),
  signsBody: false,
  verification: '`Authorization` value, constant time',
  challenge: 'GET `X-Okta-Verification-Challenge` → `{"verification": …}` (header checked)',
  messageId: { bodyField: 'eventId' },
  eventType: { bodyField: 'eventType' },
  scheme: () => oktaScheme(),
  sampleEvent: jsonEvent(() => ({
    eventType: 'com.okta.event_hook',
    eventTypeVersion: '1.0',
    eventId: randomUUID(),
    eventTime: new Date().toISOString(),
    contentType: 'application/json',
    data: { events: [{ eventType: 'user.session.start', uuid: randomUUID() }] },
  })),
  challengeRequest: (input) => {
    const challenge = freshChallenge();
    return {
      method: 'GET',
      headers: { 'x-okta-verification-challenge': challenge, authorization: input.secret ?? '' },
      check: answeredWithJson({ verification: challenge }),
    };
  },
});

/** @publicApi */
export const oktaProvider = provider;

/**
 * Okta Event Hooks: the configured authorization header compared in constant time (Okta signs
 * nothing), the body's `eventId` as the message id, and `oktaChallenge()` for the one-time
 * verification, which carries the same header and is checked before it is answered. A rotation
 * generates a 43-character value to configure on the hook.
 * @publicApi
 * @example endpoints: { okta: okta({ secret: process.env.OKTA_HOOK_SECRET }) }
 */
export const okta = preset;
