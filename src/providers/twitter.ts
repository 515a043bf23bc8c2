import { TwitterScheme } from '../core/schemes/twitter.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { twitterChallenge } from './challenges';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface TwitterPresetOptions extends PresetOptions {
  /** The app's consumer secret (API key secret), not the bearer token; or several during a rotation. */
  readonly consumerSecret?: SecretOrSecrets;
}

/**
 * X (Twitter) Account Activity API: `x-twitter-webhooks-signature` over the body, and
 * `twitterChallenge()` for the CRC (`GET ?crc_token=`), answered with the HMAC under the consumer
 * secret. No timestamp or message id.
 * @publicApi
 * @example endpoints: { x: twitter({ consumerSecret: process.env.X_CONSUMER_SECRET }) }
 */
export function twitter(options: TwitterPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'twitter',
      scheme: new TwitterScheme(),
      secrets: options.consumerSecret,
      challenge: twitterChallenge(),
    },
    options,
  );
}
