import { createHmac } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { ComputedHmacStrategy } from '../core/challenges/computed-hmac.strategy';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import { answeredWithJson, freshChallenge } from './challenge-answers';
import { challengeOptions, type ProviderChallengeOptions } from './challenges/provider-challenge-options';
import { randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * X (Twitter) Account Activity API: `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of
 * the body>`, keyed with the app's consumer secret (API key secret), not the bearer token. X sends
 * JSON objects only; a body equal to a CRC token is then never a delivery.
 */
const SIGNATURE: HmacSchemeOptions = {
  name: 'twitter',
  header: 'x-twitter-webhooks-signature',
  prefix: 'sha256=',
  encoding: 'base64',
  jsonObjectBody: true,
};

/**
 * The X (Twitter) Account Activity API challenge-response check (CRC): a `GET` with `crc_token`,
 * answered `200` with JSON `{"response_token": "sha256=" + base64(HMAC-SHA256(consumer secret,
 * crc_token))}` keyed with the endpoint's newest secret (the app's consumer secret). Sent on
 * registration and about hourly; X waits 3 s.
 * @publicApi
 */
export function twitterChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new ComputedHmacStrategy({
    match: { method: 'GET' },
    token: { from: 'query', name: 'crc_token' },
    algorithm: 'sha256',
    encoding: 'base64',
    prefix: 'sha256=',
    digestField: 'response_token',
    ...challengeOptions(options, false),
  });
}

/** Same as {@link twitterChallenge}. @publicApi */
export const xChallenge = twitterChallenge;

/** @publicApi */
export interface TwitterPresetOptions extends PresetOptions {
  /** The app's consumer secret (API key secret), not the bearer token; or several during a rotation. */
  readonly consumerSecret?: SecretOrSecrets;
}

const { provider, preset } = sharedSecretProvider<'consumerSecret', TwitterPresetOptions>({
  id: 'twitter',
  vectors: 'self-computed',
  displayName: 'X / Twitter',
  docsUrl: 'https://docs.x.com/x-api/webhooks/quickstart',
  presetName: 'twitter',
  secretOption: 'consumerSecret',
  testSecret: () => randomAlphanumeric(50), // consumer secrets are 50 letters and digits
  challengeStrategy: twitterChallenge,
  verification: '`x-twitter-webhooks-signature: sha256=` base64 HMAC-SHA256 of the body; JSON objects only',
  challenge: '`twitterChallenge()` (CRC): GET `?crc_token=` → `{"response_token":"sha256=<base64 HMAC>"}`',
  scheme: () => new HmacScheme(SIGNATURE),
  // The event kind is which array the object holds (`tweet_create_events`, …): no type field, no id.
  sampleEvent: jsonEvent(() => ({ for_user_id: '2244994945', tweet_create_events: [] })),
  challengeRequest: ({ secret }) => {
    const crcToken = freshChallenge();
    // Written out from X's documentation rather than through the strategy, so the probe checks it.
    const responseToken = `sha256=${createHmac('sha256', secret ?? '')
      .update(crcToken)
      .digest('base64')}`;
    return {
      method: 'GET',
      query: { crc_token: crcToken },
      headers: {},
      check: answeredWithJson({ response_token: responseToken }),
    };
  },
});

/** @publicApi */
export const twitterProvider = provider;

/**
 * X (Twitter) Account Activity API: `x-twitter-webhooks-signature` over the body, and
 * `twitterChallenge()` for the CRC (`GET ?crc_token=`), answered with the HMAC under the consumer
 * secret. No timestamp or message id.
 * @publicApi
 * @example endpoints: { x: twitter({ consumerSecret: process.env.X_CONSUMER_SECRET }) }
 */
export const twitter = preset;
