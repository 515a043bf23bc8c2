import { TokenEchoStrategy, DEFAULT_VERIFY_TOKEN_SECRET } from '../../core/challenges/token-echo.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { VerifyTokenChallengeOptions } from './meta';

/**
 * Strava's push subscription check: a `GET` with `hub.mode=subscribe`, `hub.challenge` and
 * `hub.verify_token`, sent while the subscription is created. The verify token is compared in
 * constant time with the named secret `verify-token`; on a match the answer is `200` with JSON
 * `{"hub.challenge": …}`. Strava waits only 2 s.
 * @publicApi
 */
export function stravaChallenge(options: VerifyTokenChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { method: 'GET', query: { 'hub.mode': 'subscribe' } },
    token: { from: 'query', name: 'hub.challenge' },
    verifyToken: {
      field: { from: 'query', name: 'hub.verify_token' },
      secretName: options.secretName ?? DEFAULT_VERIFY_TOKEN_SECRET,
    },
    respondWith: { json: 'hub.challenge' },
    signed: options.signed ?? false,
    tokenSafety: options.tokenSafety,
  });
}
