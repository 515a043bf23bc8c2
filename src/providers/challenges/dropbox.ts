import { TokenEchoStrategy } from '../../core/challenges/token-echo.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

/**
 * Dropbox's verification when a webhook URI is added: a `GET` with a `challenge` query parameter,
 * answered `200` with the raw challenge as `text/plain` (with `X-Content-Type-Options: nosniff`, as
 * Dropbox asks). Dropbox waits up to 10 s and does not retry.
 * @publicApi
 */
export function dropboxChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { method: 'GET' },
    token: { from: 'query', name: 'challenge' },
    respondWith: 'text',
    signed: options.signed ?? false,
    tokenSafety: options.tokenSafety,
  });
}
