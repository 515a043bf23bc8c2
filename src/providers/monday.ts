import { randomBytes } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { TokenEchoStrategy } from '../core/challenges/token-echo.strategy';
import { JwtScheme } from '../core/engines/jwt.engine';
import { assertPublicUrl, parseJsonObject } from '../core/engines/scheme-support';
import type { WebhookRequest } from '../core/request';
import { answeredWithJson, freshChallenge } from './challenge-answers';
import { randomUrlSafeSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * monday.com app webhooks and integration calls: `Authorization: <JWT>` (no `Bearer`), HS256 with
 * the app's Signing Secret (board webhooks) or Client Secret (lifecycle webhooks), `aud` = the
 * endpoint's URL, `exp` about 5 minutes after `iat`. The token does not cover the body. Board
 * webhooks made in the UI carry no token at all and cannot be verified.
 */
const LIFETIME_SECONDS = 300;

function mondayScheme(settings: ProviderSettings = {}): JwtScheme {
  return new JwtScheme(
    {
      name: 'monday',
      token: { header: 'authorization' },
      algorithms: ['HS256'],
      claims: { audienceIsUrl: true, expires: { lifetimeSeconds: LIFETIME_SECONDS } },
    },
    { url: assertPublicUrl(settings.url, 'url', 'monday') },
  );
}

/** A body that is exactly `{"challenge": "<string>"}`: the handshake when a webhook is created. */
function isMondayChallenge(request: WebhookRequest): boolean {
  if (request.method !== 'POST') return false;
  const body = parseJsonObject(request.rawBody);
  return body !== undefined && Object.keys(body).length === 1 && typeof body.challenge === 'string';
}

/**
 * monday.com's handshake when a webhook is created: an unsigned `POST {"challenge": "…"}`, answered
 * `200` with the same JSON.
 * @publicApi
 */
export function mondayChallenge(): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: isMondayChallenge,
    token: { from: 'body', name: 'challenge' },
    respondWith: { json: 'challenge' },
  });
}

/** @publicApi */
export interface MondayPresetOptions extends PresetOptions {
  /** The app's Signing Secret (or Client Secret for lifecycle webhooks), or several during a rotation. */
  readonly signingSecret?: SecretOrSecrets;
  /** The endpoint's public URL exactly as registered: the token's `aud`. */
  readonly url: string;
}

const { provider, preset } = sharedSecretProvider<'signingSecret', MondayPresetOptions>({
  id: 'monday',
  displayName: 'monday.com',
  docsUrl: 'https://developer.monday.com/apps/docs/authorization-header',
  presetName: 'monday',
  secretOption: 'signingSecret',
  presetOptions: '{ signingSecret, url }',
  verification: '`Authorization` HS256 JWT, `aud` = the endpoint URL, `exp` checked; the body is not signed',
  challenge: 'unsigned POST `{"challenge"}` → the same JSON',
  signsBody: false,
  requires: ['url'],
  vectors: 'self-computed',
  scheme: mondayScheme,
  fromOptions: (options) => ({ scheme: mondayScheme({ url: options.url }) }),
  challengeStrategy: mondayChallenge,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({
    event: {
      type: 'update_column_value',
      triggerUuid: randomBytes(16).toString('hex'),
      boardId: 1234567890,
      pulseId: 1234567891,
    },
  })),
  challengeRequest: () => {
    const challenge = freshChallenge();
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ challenge }),
      check: answeredWithJson({ challenge }),
    };
  },
});

/** monday.com app webhooks and integration calls. @publicApi */
export const mondayProvider = provider;

/**
 * monday.com: the `Authorization` JWT (HS256, `aud`, `exp`) and `mondayChallenge()`.
 * @publicApi
 * @example endpoints: { monday: monday({ signingSecret: process.env.MONDAY_SIGNING_SECRET, url: 'https://example.com/webhooks/monday' }) }
 */
export const monday = preset;
