import { anyOf } from '../../core/challenges/any-of.strategy';
import { StatusOnlyStrategy } from '../../core/challenges/status-only.strategy';
import { TokenEchoStrategy } from '../../core/challenges/token-echo.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

/** @publicApi */
export interface SlackChallengeOptions extends ProviderChallengeOptions {
  /**
   * Slack accepts the challenge as plain text or as `{"challenge": …}`.
   * @default 'text'
   */
  readonly respondWith?: 'text' | 'json';
}

/**
 * Slack's Events API `url_verification` (a signed `POST` whose JSON body has `type` and
 * `challenge`; answered `200` with the challenge) and the slash-command `ssl_check` (a signed form
 * `POST` with `ssl_check=1`; answered with a bare `200`). Slack expects an answer within 3 s.
 * Both are verified with the endpoint's signature scheme before they are answered.
 * @publicApi
 */
export function slackChallenge(options: SlackChallengeOptions = {}): ChallengeStrategy {
  const signed = options.signed ?? true;
  return anyOf(
    new TokenEchoStrategy({
      match: { method: 'POST', body: { type: 'url_verification' } },
      token: { from: 'body', name: 'challenge' },
      respondWith: options.respondWith === 'json' ? { json: 'challenge' } : 'text',
      signed,
      tokenSafety: options.tokenSafety,
    }),
    new StatusOnlyStrategy({ match: { method: 'POST', body: { ssl_check: '1' } }, signed }),
  );
}
