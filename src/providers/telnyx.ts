import { randomUUID } from 'node:crypto';
import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import { providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/** Telnyx's SDKs allow 300 s. */
const TOLERANCE_SECONDS = 300;

/** @publicApi */
export interface TelnyxPresetOptions extends PresetOptions {
  /** The account's public key (Mission Control → Keys & Credentials → Public Key): base64 of 32 bytes. */
  readonly publicKey?: SecretOrSecrets;
  /**
   * How far `telnyx-timestamp` may be from the time of receipt.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

/**
 * Telnyx (API v2): `telnyx-signature-ed25519` is the base64 Ed25519 signature of
 * `<telnyx-timestamp>|<body>`, checked with the account's public key (base64 of the raw 32 bytes).
 * The event's `data.id` is the message id. `sign()` takes the private key as PEM or its seed in hex.
 */
function telnyxScheme(settings: ProviderSettings = {}): AsymmetricScheme {
  return asymmetricSignature({
    name: 'telnyx',
    algorithm: 'ed25519',
    header: 'telnyx-signature-ed25519',
    encoding: 'base64',
    template: '{timestamp}|{body}',
    timestampHeader: 'telnyx-timestamp',
    toleranceSeconds: settings.toleranceSeconds ?? TOLERANCE_SECONDS,
    idField: 'data.id',
    publicKey: { encoding: 'base64', label: 'A Telnyx public key', hint: 'Mission Control → Keys & Credentials' },
  });
}

const { provider, preset } = sharedSecretProvider<'publicKey', TelnyxPresetOptions>({
  id: 'telnyx',
  displayName: 'Telnyx',
  docsUrl: 'https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks',
  presetName: 'telnyx',
  secretOption: 'publicKey',
  generateSecret: providerIssuesKey(
    'Telnyx issues the public key (Mission Control → Keys & Credentials): send it as `secret`.',
  ),
  verification:
    'Ed25519 of timestamp, a pipe and the body in `telnyx-signature-ed25519` (base64), account public key, 300 s',
  messageId: { bodyField: 'data.id' },
  eventType: { bodyField: 'data.event_type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: telnyxScheme,
  testKey: () => telnyxScheme().generateTestKey(),
  sampleEvent: jsonEvent(() => ({
    data: {
      event_type: 'message.received',
      id: randomUUID(),
      occurred_at: new Date().toISOString(),
      record_type: 'event',
      payload: {},
    },
    meta: { attempt: 1, delivered_to: 'https://hooks.example.com/telnyx' },
  })),
});

/** Telnyx webhooks. @publicApi */
export const telnyxProvider = provider;

/**
 * Telnyx webhooks: Ed25519 `telnyx-signature-ed25519` over `timestamp|body` with the account's
 * public key, within 300 s, the event's `data.id` as the message id.
 * @publicApi
 * @example endpoints: { telnyx: telnyx({ publicKey: process.env.TELNYX_PUBLIC_KEY }) }
 */
export const telnyx = preset;
