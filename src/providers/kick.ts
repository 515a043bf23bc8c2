import { randomBytes } from 'node:crypto';
import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import { FetchedKeyScheme } from '../core/engines/fetched-keys';
import { KeyResolver, type KeySourceOptions } from '../core/engines/key-resolver';
import { providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { sharedSecretProvider } from './provider-kit';

/** @publicApi */
export interface KickPresetOptions extends PresetOptions {
  /**
   * Kick's public key (PEM), as published in its docs. Absent: fetched from
   * `https://api.kick.com/public/v1/public-key` and cached for an hour.
   */
  readonly publicKey?: SecretOrSecrets;
  /** @default 300 */
  readonly toleranceSeconds?: number;
}

/**
 * Kick signs `message-id.timestamp.body` with RSA PKCS#1 v1.5 / SHA-256 (base64 in
 * `Kick-Event-Signature`); the timestamp is RFC 3339 and signed, the ULID message id too.
 */
function kickScheme(settings: ProviderSettings = {}): AsymmetricScheme {
  return asymmetricSignature({
    name: 'kick',
    algorithm: 'rsa-sha256',
    header: 'kick-event-signature',
    encoding: 'base64',
    template: '{id}.{timestamp}.{body}',
    idHeader: 'kick-event-message-id',
    idExcludes: '.',
    timestampHeader: 'kick-event-message-timestamp',
    timestampFormat: 'rfc3339',
    toleranceSeconds: settings.toleranceSeconds ?? 300,
    publicKey: { encoding: 'spki', label: 'The Kick public key', hint: 'docs.kick.com → Webhook security' },
  });
}

/** Where Kick publishes its key: one fixed URL, `{ data: { public_key: PEM } }`. @internal */
export const KICK_KEY_SOURCE: KeySourceOptions = {
  name: 'Kick',
  hosts: ['api.kick.com'],
  url: 'https://api.kick.com/public/v1/public-key',
  format: { type: 'pem', field: 'data.public_key' },
};

/** A ULID-shaped id (26 Crockford base-32 characters). */
const ulid = () => [...randomBytes(26)].map((byte) => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[byte % 32]).join('');

const { provider, preset } = sharedSecretProvider<'publicKey', KickPresetOptions>({
  id: 'kick',
  displayName: 'Kick',
  docsUrl: 'https://docs.kick.com/events/webhook-security',
  presetName: 'kick',
  secretOption: 'publicKey',
  generateSecret: providerIssuesKey('Kick publishes its public key (docs.kick.com): send it as `secret`.'),
  // A configured key (`publicKey`, or one added through the admin API) is used instead of fetching.
  fromOptions: (options) => ({
    scheme: new FetchedKeyScheme(
      kickScheme({ toleranceSeconds: options.toleranceSeconds }),
      new KeyResolver(KICK_KEY_SOURCE),
    ),
  }),
  presetOptions: '{ publicKey? }',
  verification:
    'RSA-SHA256 of `id.timestamp.body` in `Kick-Event-Signature` (base64); Kick’s key given or fetched from api.kick.com',
  messageId: { header: 'kick-event-message-id' },
  eventType: { header: 'kick-event-type' },
  toleranceSeconds: 300,
  vectors: 'self-computed',
  scheme: kickScheme,
  testKey: () => kickScheme().generateTestKey(),
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      broadcaster: { user_id: 123456789, username: 'hookwarden', channel_slug: 'hookwarden' },
      is_live: true,
      title: `Stream ${ulid()}`,
    }),
  }),
});

/** @publicApi */
export const kickProvider = provider;

/**
 * Kick: RSA-SHA256 of `message-id.timestamp.body`, with Kick's public key, given or fetched.
 * @publicApi
 * @example endpoints: { kick: kick() }
 */
export const kick = preset;
