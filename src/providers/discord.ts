import { randomBytes } from 'node:crypto';
import { declarativeChallenge } from '../core/challenges/declarative/declarative-challenge.strategy';
import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import { providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { sharedSecretProvider, signedJsonHeaders } from './provider-kit';

/** @publicApi */
export interface DiscordPresetOptions extends PresetOptions {
  /** The application's public key, 64 hex digits (Developer Portal → General Information). */
  readonly publicKey?: SecretOrSecrets;
  /**
   * How far `X-Signature-Timestamp` may be from the time of receipt.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

/**
 * Discord interactions: `X-Signature-Ed25519` (hex) is an Ed25519 signature of
 * `X-Signature-Timestamp` + body, checked with the application's public key (64 hex digits) as the
 * endpoint's secret. Discord documents no window (its own library checks none); interactions are
 * answered within 3 s, so five minutes only refuses replays. `sign()` takes the private key as PEM
 * or as its 32-byte seed in hex.
 */
function discordScheme(settings: ProviderSettings = {}): AsymmetricScheme {
  return asymmetricSignature({
    name: 'discord',
    algorithm: 'ed25519',
    header: 'x-signature-ed25519',
    encoding: 'hex',
    template: '{timestamp}{body}',
    timestampHeader: 'x-signature-timestamp',
    toleranceSeconds: settings.toleranceSeconds ?? 300,
    idField: 'id',
    publicKey: { encoding: 'hex', label: 'A Discord public key', hint: 'Developer Portal → General Information' },
  });
}

/** Discord's URL check as data: the PING (type 1) is answered `{"type":1}`, only once its signature verified. */
const discordPing = () =>
  declarativeChallenge({ detect: 'http_method == "POST" && parsed_body.type == 1', body: { type: 1 }, signed: true });

/** A Discord snowflake: a decimal 63-bit number. */
const snowflake = () => (randomBytes(8).readBigUInt64BE() >> 1n).toString();

const { provider, preset } = sharedSecretProvider<'publicKey', DiscordPresetOptions>({
  id: 'discord',
  vectors: 'self-computed',
  displayName: 'Discord',
  docsUrl:
    'https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers',
  presetName: 'discord',
  secretOption: 'publicKey',
  generateSecret: providerIssuesKey(
    'Discord issues the public key (Developer Portal → General Information): send it as `secret`.',
  ),
  challengeStrategy: discordPing,
  verification: 'Ed25519 of timestamp + body in `X-Signature-Ed25519` (hex), application public key',
  challenge: 'signed `PING` (type 1) answered `{"type":1}`',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'type' },
  toleranceSeconds: 300,
  scheme: discordScheme,
  testKey: () => discordScheme().generateTestKey(),
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      id: snowflake(),
      application_id: snowflake(),
      type: 2,
      token: randomBytes(24).toString('base64url'),
      version: 1,
      data: { id: snowflake(), name: 'hookwarden-test', type: 1 },
    }),
  }),
  // `secret` is the private key that signs the PING (PEM, or the seed in hex), as for `hookwarden send`.
  challengeRequest: ({ secret }) => {
    const body = JSON.stringify({ id: snowflake(), token: randomBytes(24).toString('base64url'), type: 1, version: 1 });
    const headers = signedJsonHeaders(discordScheme(), body, secret);
    return {
      method: 'POST',
      headers,
      body,
      check: ({ status, text }) =>
        status >= 200 && status < 300 && isPong(text) ? undefined : 'expected 2xx with {"type":1}',
    };
  },
});

function isPong(text: string): boolean {
  try {
    return (JSON.parse(text) as { type?: unknown }).type === 1;
  } catch {
    return false;
  }
}

/** @publicApi */
export const discordProvider = provider;

/**
 * Discord interactions: Ed25519 `X-Signature-Ed25519` over timestamp + body with the application's
 * public key, the interaction `id` as the message id. The `PING` (type 1) is answered `{"type":1}`
 * once its signature is verified, as Discord requires before it saves the URL; Discord's deliberate
 * bad signatures get 401.
 * @publicApi
 * @example endpoints: { discord: discord({ publicKey: process.env.DISCORD_PUBLIC_KEY }) }
 */
export const discord = preset;
