import { DEFAULT_VERIFY_TOKEN_SECRET } from '../core/challenges/token-echo.strategy';
import { StravaScheme } from '../core/schemes/strava.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { stravaChallenge } from './challenges';
import { definePreset, randomUrlSafeSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface StravaPresetOptions extends PresetOptions {
  /**
   * The random token in the callback URL you register with Strava
   * (`https://api.example.com/hooks/strava?token=<token>`), or several during a rotation.
   */
  readonly token?: SecretOrSecrets;
  /**
   * The query parameter holding it.
   * @default 'token'
   */
  readonly tokenParameter?: string;
  /** The `verify_token` given when creating the push subscription, checked by the challenge. */
  readonly verifyToken?: SecretOrSecrets;
  /** When set, each event's `subscription_id` must equal it. */
  readonly subscriptionId?: number;
}

/**
 * Strava webhooks. Strava signs nothing, so this preset fails closed on a secret token carried in
 * the callback URL: without a live token every event is refused. The subscription challenge (the
 * `hub.verify_token` check answered with `{"hub.challenge": …}`) also requires the URL token.
 * A rotation generates a 43-character token for a new subscription's callback URL.
 * @publicApi
 * @example strava({ token: env.STRAVA_URL_TOKEN, verifyToken: env.STRAVA_VERIFY_TOKEN })
 */
export function strava(options: StravaPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'strava',
      scheme: new StravaScheme({ query: options.tokenParameter, subscriptionId: options.subscriptionId }),
      secrets: options.token,
      challenge: stravaChallenge({ signed: true }),
      namedSecrets: { [DEFAULT_VERIFY_TOKEN_SECRET]: options.verifyToken },
      generateSecret: randomUrlSafeSecret,
    },
    options,
  );
}
