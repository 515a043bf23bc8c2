import { HeaderCodeStrategy } from '../../core/challenges/header-code.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

/**
 * Asana's webhook handshake: a `POST` with header `X-Hook-Secret`, sent while the webhook is being
 * created. The module stores that value as the endpoint's signing secret (used for the later
 * `X-Hook-Signature` checks) and answers `200` with the same `X-Hook-Secret` response header. A
 * second handshake for an endpoint that already has a secret is refused unless the endpoint sets
 * `allowSecretReplacement`.
 * @publicApi
 */
export function asanaChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new HeaderCodeStrategy({
    requestHeader: 'X-Hook-Secret',
    match: { method: 'POST', headers: { 'x-hook-secret': true } },
    deliversSecret: true,
    signed: options.signed ?? false,
    tokenSafety: options.tokenSafety,
  });
}
