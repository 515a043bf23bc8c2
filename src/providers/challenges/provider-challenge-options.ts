import type { TokenSafetyOptions } from '../../core/challenges/token-safety';

/**
 * Options every provider challenge factory accepts.
 * @publicApi
 */
export interface ProviderChallengeOptions {
  /** Bounds on the echoed token, when the provider's tokens outgrow the defaults. */
  readonly tokenSafety?: TokenSafetyOptions;
  /**
   * Overrides whether the challenge must pass the endpoint's signature schemes first. The presets
   * follow the provider (Slack, Zoom and Twitch sign their challenges); turning it off for them
   * answers unverified challenges.
   */
  readonly signed?: boolean;
}

/**
 * What a factory passes on to its strategy: `signed` as the caller set it or the provider's default
 * (whether the provider signs its challenges), and the token bounds.
 * @internal
 */
export function challengeOptions(
  options: ProviderChallengeOptions,
  signedByDefault: boolean,
): { readonly signed: boolean; readonly tokenSafety?: TokenSafetyOptions } {
  return { signed: options.signed ?? signedByDefault, tokenSafety: options.tokenSafety };
}
