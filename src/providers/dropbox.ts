import type { ChallengeStrategy } from '../core/challenge-strategy';
import { TokenEchoStrategy } from '../core/challenges/token-echo.strategy';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import { answeredWithText, freshChallenge } from './challenge-answers';
import type { ProviderChallengeOptions } from './challenges/provider-challenge-options';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider } from './provider';

/**
 * Dropbox: `X-Dropbox-Signature: <hex HMAC-SHA256 of the body>`, keyed with the app secret. No
 * prefix, timestamp or message id.
 */
const SIGNATURE: HmacSchemeOptions = { name: 'dropbox', header: 'x-dropbox-signature' };

/**
 * Dropbox's verification when a webhook URI is added: a `GET` with a `challenge` query parameter,
 * answered `200` with the raw challenge as `text/plain` (with `X-Content-Type-Options: nosniff`, as
 * Dropbox asks). Dropbox waits up to 10 s and does not retry.
 * @publicApi
 */
export function dropboxChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { method: 'GET' },
    token: { from: 'query', name: 'challenge' },
    respondWith: 'text',
    signed: options.signed ?? false,
    tokenSafety: options.tokenSafety,
  });
}

/** @publicApi */
export interface DropboxPresetOptions extends PresetOptions {
  /** The app secret (App Console), or several during a rotation. */
  readonly appSecret?: SecretOrSecrets;
}

/**
 * Dropbox webhooks: hex `X-Dropbox-Signature` over the body (no timestamp or id), and
 * `dropboxChallenge()` for the `GET ?challenge=` echo. Identical notifications are each handled:
 * Dropbox sends the same body for distinct changes, so no content deduplication.
 * @publicApi
 * @example endpoints: { dropbox: dropbox({ appSecret: process.env.DROPBOX_APP_SECRET }) }
 */
export function dropbox(options: DropboxPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'dropbox',
      scheme: dropboxProvider.scheme(),
      secrets: options.appSecret,
      challenge: dropboxChallenge(),
      // A notification only says "these accounts changed": identical bodies are distinct changes, and
      // handling one again is harmless (the handler fetches changes with its cursor). Not deduplicated.
      dedupeSignedContent: false,
    },
    options,
  );
}

/** @publicApi */
export const dropboxProvider = defineProvider<DropboxPresetOptions>({
  id: 'dropbox',
  displayName: 'Dropbox',
  docsUrl: 'https://www.dropbox.com/developers/reference/webhooks',
  presetName: 'dropbox',
  presetOptions: '{ appSecret }',
  verification: '`X-Dropbox-Signature` hex HMAC-SHA256 of the body, keyed with the app secret',
  challenge: '`dropboxChallenge()`: GET `?challenge=` → the challenge as text',
  scheme: () => new HmacScheme(SIGNATURE),
  preset: dropbox,
  testKey: () => {
    // App secrets are 15 lower-case letters and digits.
    const secret = randomAlphanumeric(15).toLowerCase();
    return { secret, signingKey: secret };
  },
  // A notification names accounts, not an event: it carries no id or type.
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({ list_folder: { accounts: ['dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc'] } }),
  }),
  challengeRequest: () => {
    const challenge = freshChallenge();
    return { method: 'GET', query: { challenge }, headers: {}, check: answeredWithText(challenge) };
  },
});
