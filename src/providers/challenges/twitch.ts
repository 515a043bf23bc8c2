import { TokenEchoStrategy } from '../../core/challenges/token-echo.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

/**
 * Twitch EventSub's `webhook_callback_verification`: a signed `POST` with header
 * `Twitch-Eventsub-Message-Type: webhook_callback_verification` and a JSON body with `challenge`,
 * answered `200` with the raw challenge as `text/plain`. Verified with the endpoint's signature
 * scheme first.
 * @publicApi
 */
export function twitchChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { method: 'POST', headers: { 'twitch-eventsub-message-type': 'webhook_callback_verification' } },
    token: { from: 'body', name: 'challenge' },
    respondWith: 'text',
    signed: options.signed ?? true,
    tokenSafety: options.tokenSafety,
  });
}
