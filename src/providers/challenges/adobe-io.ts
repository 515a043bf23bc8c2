import { TokenEchoStrategy } from '../../core/challenges/token-echo.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

/**
 * Adobe I/O Events' registration check: a `GET` with a `challenge` query parameter, answered `200`
 * with JSON `{"challenge": …}`.
 * @publicApi
 */
export function adobeIoChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { method: 'GET' },
    token: { from: 'query', name: 'challenge' },
    respondWith: { json: 'challenge' },
    signed: options.signed ?? false,
    tokenSafety: options.tokenSafety,
  });
}
