import { ZoomScheme } from '../core/schemes/zoom.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { zoomChallenge } from './challenges';
import { definePreset, random22UrlSafe, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface ZoomPresetOptions extends PresetOptions {
  /** The app's Secret Token (Features → Event Subscriptions), or several during a rotation. */
  readonly secretToken?: SecretOrSecrets;
  /**
   * How far `x-zm-request-timestamp` may be from the time of receipt.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

/**
 * Zoom webhooks: `x-zm-signature` (v0) with a 300 s window, and `zoomChallenge()` for the
 * `endpoint.url_validation` CRC, answered with the HMAC of `plainToken` under the Secret Token.
 * @publicApi
 * @example endpoints: { zoom: zoom({ secretToken: process.env.ZOOM_SECRET_TOKEN }) }
 */
export function zoom(options: ZoomPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'zoom',
      scheme: new ZoomScheme({ toleranceSeconds: options.toleranceSeconds }),
      secrets: options.secretToken,
      generateSecret: random22UrlSafe, // a Zoom secret token is 22 URL-safe characters
      challenge: zoomChallenge(),
    },
    options,
  );
}
