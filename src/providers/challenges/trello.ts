import { StatusOnlyStrategy } from '../../core/challenges/status-only.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

/**
 * Trello's check when a webhook is created: a `HEAD` to the callback URL, which must answer `200`
 * or the webhook is not created. It carries no body and no signature. Route it with `@Head()`.
 * @publicApi
 */
export function trelloChallenge(options: Pick<ProviderChallengeOptions, 'signed'> = {}): ChallengeStrategy {
  return new StatusOnlyStrategy({ match: { method: 'HEAD' }, status: 200, signed: options.signed ?? false });
}
