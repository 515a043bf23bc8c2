import { ApiKeyScheme } from '../core/auth/api-key.scheme';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { DEFAULT_VERIFY_TOKEN_SECRET } from '../core/challenges/token-echo.strategy';
import { noMatchingSignature, parseJsonObject } from '../core/engines/scheme-support';
import { WebhookConfigurationError } from '../core/errors';
import type { WebhookRequest } from '../core/request';
import type { WebhookSecret } from '../core/secret';
import type { SignatureVerification, VerifyContext } from '../core/signature-scheme';
import { answeredWithJson, freshChallenge } from './challenge-answers';
import { hubSubscribeChallenge, type VerifyTokenChallengeOptions } from './meta';
import { randomUrlSafeSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

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
 * Strava signs nothing, so a delivery proves nothing by itself. To fail closed, the callback URL
 * registered with Strava carries a random secret (`…/hooks/strava?token=<secret>`), compared in
 * constant time with the endpoint's live secrets (an API key in the query); without one every event
 * is refused. Secrets in URLs reach access logs, so keep the token for this purpose only and rotate
 * it with a new subscription if it leaks. Strava events carry no id. The one addition to the API
 * key: with `subscriptionId`, each event's `subscription_id` must equal it (a consistency check,
 * not authentication).
 */
class StravaTokenScheme extends ApiKeyScheme {
  private readonly subscriptionId?: number;

  constructor(options: { readonly query?: string; readonly subscriptionId?: number } = {}) {
    super({ name: 'strava', query: options.query ?? 'token' });
    if (options.subscriptionId !== undefined && !Number.isSafeInteger(options.subscriptionId)) {
      throw new WebhookConfigurationError('The strava subscriptionId must be an integer.');
    }
    this.subscriptionId = options.subscriptionId;
  }

  override verify(
    request: WebhookRequest,
    secrets: readonly WebhookSecret[],
    context: VerifyContext,
  ): SignatureVerification {
    const verified = super.verify(request, secrets, context);
    // Events carry a JSON body; the bodiless subscription challenge has no subscription_id to check.
    if (
      this.subscriptionId !== undefined &&
      request.rawBody.length > 0 &&
      parseJsonObject(request.rawBody)?.['subscription_id'] !== this.subscriptionId
    ) {
      throw noMatchingSignature('The event belongs to another Strava subscription.');
    }
    return verified;
  }
}

const stravaScheme = (options: { readonly query?: string; readonly subscriptionId?: number } = {}) =>
  new StravaTokenScheme(options);

/**
 * Strava's push subscription check: a `GET` with `hub.mode=subscribe`, `hub.challenge` and
 * `hub.verify_token`, sent while the subscription is created. The verify token is compared in
 * constant time with the named secret `verify-token`; on a match the answer is `200` with JSON
 * `{"hub.challenge": …}`. Strava waits only 2 s.
 * @publicApi
 */
export function stravaChallenge(options: VerifyTokenChallengeOptions = {}): ChallengeStrategy {
  return hubSubscribeChallenge(options, { json: 'hub.challenge' });
}

const { provider, preset } = sharedSecretProvider<'token', StravaPresetOptions>({
  id: 'strava',
  displayName: 'Strava',
  docsUrl: 'https://developers.strava.com/docs/webhooks/',
  presetName: 'strava',
  secretOption: 'token',
  generateSecret: randomUrlSafeSecret,
  challengeStrategy: () => stravaChallenge({ signed: true }),
  fromOptions: (options) => ({
    scheme: stravaScheme({ query: options.tokenParameter, subscriptionId: options.subscriptionId }),
    namedSecrets: { [DEFAULT_VERIFY_TOKEN_SECRET]: options.verifyToken },
  }),
  presetOptions: '{ token, verifyToken }',
  signsBody: false,
  verification: 'Strava signs nothing: a secret `?token=` in the callback URL, constant time (fail closed)',
  challenge: '`hub.verify_token` checked → `{"hub.challenge": …}`',
  // No message id: Strava events carry none. The type is `aspect_type` (create, update, delete) of
  // an `object_type` (activity, athlete).
  eventType: { bodyField: 'aspect_type' },
  scheme: () => stravaScheme(),
  sampleEvent: jsonEvent(() => ({
    aspect_type: 'create',
    event_time: Math.floor(Date.now() / 1000),
    object_id: Number.parseInt(freshChallenge().slice(0, 10), 16),
    object_type: 'activity',
    owner_id: 134815,
    subscription_id: 120475,
    updates: {},
  })),
  challengeRequest: (input) => {
    const challenge = freshChallenge();
    return {
      method: 'GET',
      query: { 'hub.mode': 'subscribe', 'hub.challenge': challenge, 'hub.verify_token': input.verifyToken ?? '' },
      headers: {},
      check: answeredWithJson({ 'hub.challenge': challenge }),
    };
  },
});

/** @publicApi */
export const stravaProvider = provider;

/**
 * Strava webhooks. Strava signs nothing, so this preset fails closed on a secret token carried in
 * the callback URL: without a live token every event is refused. The subscription challenge (the
 * `hub.verify_token` check answered with `{"hub.challenge": …}`) also requires the URL token.
 * A rotation generates a 43-character token for a new subscription's callback URL.
 * @publicApi
 * @example strava({ token: env.STRAVA_URL_TOKEN, verifyToken: env.STRAVA_VERIFY_TOKEN })
 */
export const strava = preset;
