import type { ChallengeStrategy } from '../core/challenge-strategy';
import { TokenEchoStrategy } from '../core/challenges/token-echo.strategy';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import { answeredWithText, freshChallenge } from './challenge-answers';
import { challengeOptions, type ProviderChallengeOptions } from './challenges/provider-challenge-options';
import { randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

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
    ...challengeOptions(options, false),
  });
}

/** @publicApi */
export interface DropboxPresetOptions extends PresetOptions {
  /** The app secret (App Console), or several during a rotation. */
  readonly appSecret?: SecretOrSecrets;
}

const { provider, preset } = sharedSecretProvider<'appSecret', DropboxPresetOptions>({
  id: 'dropbox',
  vectors: 'verified',
  displayName: 'Dropbox',
  docsUrl: 'https://www.dropbox.com/developers/reference/webhooks',
  presetName: 'dropbox',
  secretOption: 'appSecret',
  testSecret: () => randomAlphanumeric(15).toLowerCase(), // app secrets: 15 lower-case letters and digits
  challengeStrategy: dropboxChallenge,
  // A notification only says "these accounts changed": identical bodies are distinct changes, and
  // handling one again is harmless (the handler fetches changes with its cursor). Not deduplicated.
  dedupeSignedContent: false,
  verification: '`X-Dropbox-Signature` hex HMAC-SHA256 of the body, keyed with the app secret',
  challenge: '`dropboxChallenge()`: GET `?challenge=` → the challenge as text',
  scheme: () => new HmacScheme(SIGNATURE),
  // A notification names accounts, not an event: it carries no id or type.
  sampleEvent: jsonEvent(() => ({ list_folder: { accounts: ['dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc'] } })),
  challengeRequest: () => {
    const challenge = freshChallenge();
    return { method: 'GET', query: { challenge }, headers: {}, check: answeredWithText(challenge) };
  },
});

/** @publicApi */
export const dropboxProvider = provider;

/**
 * Dropbox webhooks: hex `X-Dropbox-Signature` over the body (no timestamp or id), and
 * `dropboxChallenge()` for the `GET ?challenge=` echo. Identical notifications are each handled:
 * Dropbox sends the same body for distinct changes, so no content deduplication.
 * @publicApi
 * @example endpoints: { dropbox: dropbox({ appSecret: process.env.DROPBOX_APP_SECRET }) }
 */
export const dropbox = preset;
