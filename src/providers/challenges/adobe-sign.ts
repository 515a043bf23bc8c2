import { HeaderCodeStrategy } from '../../core/challenges/header-code.strategy';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import type { ProviderChallengeOptions } from './provider-challenge-options';

/** The named secret holding your Acrobat Sign API application's client id. @publicApi */
export const ADOBE_SIGN_CLIENT_ID_SECRET = 'client-id';

/** @publicApi */
export interface AdobeSignChallengeOptions extends ProviderChallengeOptions {
  /**
   * Answer only when `X-AdobeSign-ClientId` equals your application's client id, compared in
   * constant time with the named secret `client-id` (or the one named here). Off by default: any
   * client id is echoed.
   * @default false
   */
  readonly verifyClientId?: boolean | string;
}

/**
 * Acrobat Sign's (Adobe Sign) verification of intent: a `GET` with header `X-AdobeSign-ClientId`,
 * answered `200` with the same client id in the `X-AdobeSign-ClientId` response header and in the
 * JSON body `{"xAdobeSignClientId": …}`.
 * @publicApi
 */
export function adobeSignChallenge(options: AdobeSignChallengeOptions = {}): ChallengeStrategy {
  const { verifyClientId } = options;
  return new HeaderCodeStrategy({
    requestHeader: 'X-AdobeSign-ClientId',
    jsonField: 'xAdobeSignClientId',
    match: { method: 'GET', headers: { 'x-adobesign-clientid': true } },
    expectSecret:
      typeof verifyClientId === 'string' ? verifyClientId : verifyClientId ? ADOBE_SIGN_CLIENT_ID_SECRET : undefined,
    signed: options.signed ?? false,
    tokenSafety: options.tokenSafety,
  });
}
