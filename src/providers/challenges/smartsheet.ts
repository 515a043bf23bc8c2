import { HeaderCodeStrategy } from '../../core/challenges/header-code.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

/**
 * Smartsheet's verification: a `POST` with header `Smartsheet-Hook-Challenge` (and the same value
 * as `challenge` in the JSON body), sent when the webhook is enabled and again every 100 callbacks.
 * Answered `200` with both forms Smartsheet accepts: the `Smartsheet-Hook-Response` header and the
 * JSON body `{"smartsheetHookResponse": …}`.
 * @publicApi
 */
export function smartsheetChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new HeaderCodeStrategy({
    requestHeader: 'Smartsheet-Hook-Challenge',
    responseHeader: 'Smartsheet-Hook-Response',
    jsonField: 'smartsheetHookResponse',
    match: { method: 'POST', headers: { 'smartsheet-hook-challenge': true } },
    signed: options.signed ?? false,
    tokenSafety: options.tokenSafety,
  });
}
