import { ComputedHmacStrategy } from '../../core/challenges/computed-hmac.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

/**
 * Zoom's `endpoint.url_validation`: a signed `POST` with `{"payload":{"plainToken":…},"event":
 * "endpoint.url_validation"}`, answered `200` with JSON `{"plainToken": …, "encryptedToken":
 * hex(HMAC-SHA256(secret token, plainToken))}` keyed with the endpoint's newest secret. Zoom waits
 * 3 s and re-validates every 72 hours.
 * @publicApi
 */
export function zoomChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new ComputedHmacStrategy({
    match: { method: 'POST', body: { event: 'endpoint.url_validation' } },
    token: { from: 'body', name: ['payload', 'plainToken'] },
    algorithm: 'sha256',
    encoding: 'hex',
    tokenField: 'plainToken',
    digestField: 'encryptedToken',
    signed: options.signed ?? true,
    tokenSafety: options.tokenSafety,
  });
}
