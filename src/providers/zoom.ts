import { createHmac, randomUUID } from 'node:crypto';
import { ComputedHmacStrategy } from '../core/challenges/computed-hmac.strategy';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { HmacScheme } from '../core/engines/hmac.engine';
import { answeredWithJson, freshChallenge } from './challenge-answers';
import { challengeOptions, type ProviderChallengeOptions } from './challenges/provider-challenge-options';
import { random22UrlSafe, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { jsonEvent, sharedSecretProvider, signedJsonHeaders } from './provider-kit';

/** Zoom documents no window; five minutes is the common choice and matches Slack's identical scheme. */
const TOLERANCE_SECONDS = 300;

/**
 * Zoom: `x-zm-signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">` with
 * `x-zm-request-timestamp`, keyed with the app's Secret Token (the same shape as Slack's).
 */
const zoomScheme = (settings: ProviderSettings = {}) =>
  new HmacScheme({
    name: 'zoom',
    header: 'x-zm-signature',
    prefix: 'v0=',
    template: 'v0:{timestamp}:{body}',
    timestampHeader: 'x-zm-request-timestamp',
    toleranceSeconds: settings.toleranceSeconds ?? TOLERANCE_SECONDS,
    // Zoom sends JSON objects only (and signs `v0:` before the body): never a plainToken.
    jsonObjectBody: true,
  });

/**
 * Zoom's `endpoint.url_validation`: a signed `POST` with `{"payload":{"plainToken":…},"event":
 * "endpoint.url_validation"}`, answered `200` with JSON `{"plainToken": …, "encryptedToken":
 * hex(HMAC-SHA256(secret token, plainToken))}` keyed with the endpoint's newest secret. Zoom waits
 * 3 s and re-validates every 72 hours.
 * @publicApi
 */
export function zoomChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new ComputedHmacStrategy({
    match: { method: 'POST', body: { event: 'endpoint.url_validation' } },
    token: { from: 'body', name: ['payload', 'plainToken'] },
    algorithm: 'sha256',
    encoding: 'hex',
    tokenField: 'plainToken',
    digestField: 'encryptedToken',
    ...challengeOptions(options, true),
  });
}

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

const { provider, preset } = sharedSecretProvider<'secretToken', ZoomPresetOptions>({
  id: 'zoom',
  vectors: 'self-computed',
  displayName: 'Zoom',
  docsUrl: 'https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events',
  presetName: 'zoom',
  secretOption: 'secretToken',
  generateSecret: random22UrlSafe, // a Zoom secret token is 22 URL-safe characters
  challengeStrategy: zoomChallenge,
  verification: '`x-zm-signature: v0=` hex HMAC-SHA256 of `v0:timestamp:body`, ±300 s',
  challenge: 'signed POST `endpoint.url_validation` → JSON `plainToken` + hex HMAC `encryptedToken`',
  eventType: { bodyField: 'event' },
  toleranceSeconds: TOLERANCE_SECONDS,
  scheme: zoomScheme,
  sampleEvent: jsonEvent(() => ({
    event: 'meeting.started',
    event_ts: Date.now(),
    payload: { account_id: randomUUID(), object: { topic: 'hookwarden test' } },
  })),
  challengeRequest: ({ secret }) => {
    const plainToken = freshChallenge();
    const body = JSON.stringify({ payload: { plainToken }, event_ts: Date.now(), event: 'endpoint.url_validation' });
    const headers = signedJsonHeaders(zoomScheme(), body, secret, randomUUID());
    // What Zoom expects back: the token and its HMAC under the Secret Token.
    const encryptedToken = createHmac('sha256', secret ?? '')
      .update(plainToken)
      .digest('hex');
    return {
      method: 'POST',
      headers,
      body,
      check: answeredWithJson({ plainToken, encryptedToken }),
    };
  },
});

/** Zoom app webhooks. @publicApi */
export const zoomProvider = provider;

/**
 * Zoom webhooks: `x-zm-signature` (v0) with a 300 s window, and `zoomChallenge()` for the
 * `endpoint.url_validation` CRC, answered with the HMAC of `plainToken` under the Secret Token.
 * @publicApi
 * @example endpoints: { zoom: zoom({ secretToken: process.env.ZOOM_SECRET_TOKEN }) }
 */
export const zoom = preset;
