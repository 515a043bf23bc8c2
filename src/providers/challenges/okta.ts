import { TokenEchoStrategy } from '../../core/challenges/token-echo.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

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
    signed: options.signed ?? false,
    tokenSafety: options.tokenSafety,
  });
}
