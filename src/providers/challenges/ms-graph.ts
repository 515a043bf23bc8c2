import { TokenEchoStrategy } from '../../core/challenges/token-echo.strategy';
import { PRINTABLE_TOKEN_PATTERN } from '../../core/challenges/token-safety';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

/**
 * Microsoft Graph's change-notification endpoint validation: a `POST` (whatever the method, the
 * `validationToken` query parameter decides) to the notification or lifecycle URL, answered within
 * 10 s with `200` and the URL-decoded token as `text/plain`. The token is opaque and reads like
 * `Validation: Testing client application reachability for subscription Request-Id: …`, so spaces
 * and printable punctuation are allowed (markup and quotes are not), up to 1024 characters.
 * @publicApi
 */
export function msGraphChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { query: { validationToken: true } },
    token: { from: 'query', name: 'validationToken' },
    respondWith: 'text',
    signed: options.signed ?? false,
    tokenSafety: { pattern: PRINTABLE_TOKEN_PATTERN, maxLength: 1024, ...options.tokenSafety },
  });
}
