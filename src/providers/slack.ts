import { randomBytes } from 'node:crypto';
import { anyOf } from '../core/challenges/any-of.strategy';
import { StatusOnlyStrategy } from '../core/challenges/status-only.strategy';
import { TokenEchoStrategy } from '../core/challenges/token-echo.strategy';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { HmacScheme } from '../core/engines/hmac.engine';
import { answeredWithText, freshChallenge } from './challenge-answers';
import type { ProviderChallengeOptions } from './challenges/provider-challenge-options';
import { random32Hex, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { sharedSecretProvider, signedJsonHeaders } from './provider-kit';

/** Slack's SDKs refuse a request timestamp further than this from now. */
const TOLERANCE_SECONDS = 300;

/**
 * Slack's v0 request signing: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">`
 * with `X-Slack-Request-Timestamp`, keyed with the app's Signing Secret. Covers Events API JSON,
 * slash commands and interactivity forms alike, since the raw bytes are signed. The Events API's
 * `event_id` is the message id (forms carry none).
 */
const slackScheme = (settings: ProviderSettings = {}) =>
  new HmacScheme({
    name: 'slack',
    header: 'x-slack-signature',
    prefix: 'v0=',
    template: 'v0:{timestamp}:{body}',
    timestampHeader: 'x-slack-request-timestamp',
    toleranceSeconds: settings.toleranceSeconds ?? TOLERANCE_SECONDS,
    idField: 'event_id',
  });

/** @publicApi */
export interface SlackChallengeOptions extends ProviderChallengeOptions {
  /**
   * Slack accepts the challenge as plain text or as `{"challenge": …}`.
   * @default 'text'
   */
  readonly respondWith?: 'text' | 'json';
}

/**
 * Slack's Events API `url_verification` (a signed `POST` whose JSON body has `type` and
 * `challenge`; answered `200` with the challenge) and the slash-command `ssl_check` (a signed form
 * `POST` with `ssl_check=1`; answered with a bare `200`). Slack expects an answer within 3 s.
 * Both are verified with the endpoint's signature scheme before they are answered.
 * @publicApi
 */
export function slackChallenge(options: SlackChallengeOptions = {}): ChallengeStrategy {
  const signed = options.signed ?? true;
  return anyOf(
    new TokenEchoStrategy({
      match: { method: 'POST', body: { type: 'url_verification' } },
      token: { from: 'body', name: 'challenge' },
      respondWith: options.respondWith === 'json' ? { json: 'challenge' } : 'text',
      signed,
      tokenSafety: options.tokenSafety,
    }),
    new StatusOnlyStrategy({ match: { method: 'POST', body: { ssl_check: '1' } }, signed }),
  );
}

/** @publicApi */
export interface SlackPresetOptions extends PresetOptions {
  /** The app's Signing Secret (Basic Information → App Credentials), or several during a rotation. */
  readonly signingSecret?: SecretOrSecrets;
  /**
   * How far `X-Slack-Request-Timestamp` may be from the time of receipt.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

const json = (event: unknown) => ({ contentType: 'application/json', body: JSON.stringify(event) });
const eventId = () => `Ev${randomBytes(5).toString('hex').toUpperCase()}`;

const { provider, preset } = sharedSecretProvider<'signingSecret', SlackPresetOptions>({
  id: 'slack',
  vectors: 'verified',
  displayName: 'Slack',
  docsUrl: 'https://docs.slack.dev/authentication/verifying-requests-from-slack',
  presetName: 'slack',
  secretOption: 'signingSecret',
  generateSecret: random32Hex, // a Slack signing secret is 32 hex digits
  challengeStrategy: slackChallenge,
  verification: '`X-Slack-Signature: v0=` hex HMAC-SHA256 of `v0:timestamp:body`, ±300 s',
  challenge: 'signed POST `url_verification` → `challenge` as text; `ssl_check` → 200',
  messageId: { bodyField: 'event_id' },
  eventType: { bodyField: 'event.type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  scheme: slackScheme,
  sampleEvent: () =>
    json({ event_id: eventId(), type: 'event_callback', event: { type: 'app_mention', text: 'hookwarden test' } }),
  challengeRequest: ({ secret }) => {
    const challenge = freshChallenge();
    const body = JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge, type: 'url_verification' });
    const headers = signedJsonHeaders(slackScheme(), body, secret, eventId());
    return {
      method: 'POST',
      headers,
      body,
      check: answeredWithText(challenge),
    };
  },
});

/** Slack's Events API, slash commands and interactivity. @publicApi */
export const slackProvider = provider;

/**
 * Slack Events API, slash commands and interactivity: v0 signatures over the raw body (JSON or
 * form), a 300 s window, the Events API `event_id` as the message id, and `slackChallenge()` for
 * `url_verification` and `ssl_check` (verified before they are answered).
 * @publicApi
 * @example endpoints: { slack: slack({ signingSecret: process.env.SLACK_SIGNING_SECRET }) }
 */
export const slack = preset;
