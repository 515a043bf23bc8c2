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
