import { ComputedHmacStrategy } from '../../core/challenges/computed-hmac.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

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
    signed: options.signed ?? false,
    tokenSafety: options.tokenSafety,
  });
}

/** Same as {@link twitterChallenge}. @publicApi */
export const xChallenge = twitterChallenge;
