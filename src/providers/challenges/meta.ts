import { TokenEchoStrategy, DEFAULT_VERIFY_TOKEN_SECRET } from '../../core/challenges/token-echo.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

/** @publicApi */
export interface VerifyTokenChallengeOptions extends ProviderChallengeOptions {
  /**
   * The named secret holding the verify token you entered in the provider's dashboard (seed it with
   * the endpoint's `namedSecrets`, rotate it through the admin API).
   * @default 'verify-token'
   */
  readonly secretName?: string;
}

/**
 * Meta's subscription check for Facebook, Messenger, Instagram and WhatsApp Cloud API webhooks: a
 * `GET` with `hub.mode=subscribe`, `hub.challenge` and `hub.verify_token`. The verify token is
 * compared in constant time with the named secret `verify-token`; on a match the raw
 * `hub.challenge` is echoed as `text/plain` with `200`, otherwise the check is refused (401).
 * @publicApi
 */
export function metaChallenge(options: VerifyTokenChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { method: 'GET', query: { 'hub.mode': 'subscribe' } },
    token: { from: 'query', name: 'hub.challenge' },
    verifyToken: {
      field: { from: 'query', name: 'hub.verify_token' },
      secretName: options.secretName ?? DEFAULT_VERIFY_TOKEN_SECRET,
    },
    respondWith: 'text',
    signed: options.signed ?? false,
    tokenSafety: options.tokenSafety,
  });
}
