import { randomInt } from 'node:crypto';
import { ApiKeyScheme } from '../core/auth/api-key.scheme';
import { HmacScheme } from '../core/engines/hmac.engine';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider } from './provider';
import { jsonEvent, sameKey, sharedSecretProvider } from './provider-kit';

/** The "Secret Hash" chosen in Dashboard → Settings → Webhooks (not the API secret key). */
const secretHash = () => randomAlphanumeric(32);

const sampleEvent = jsonEvent(() => ({
  event: 'charge.completed',
  data: { id: randomInt(1, 2 ** 40), tx_ref: `tx-${randomAlphanumeric(12)}`, status: 'successful' },
}));

/**
 * Flutterwave (current deliveries): `flutterwave-signature: <base64 HMAC-SHA256 of the body>`,
 * keyed with the Secret Hash as text. No timestamp and no delivery id: identical bodies are
 * deduplicated, and Flutterwave advises re-verifying the transaction through its API before
 * fulfilling it.
 */
const flutterwaveScheme = () =>
  new HmacScheme({ name: 'flutterwave', header: 'flutterwave-signature', encoding: 'base64' });

const { provider, preset } = sharedSecretProvider({
  id: 'flutterwave',
  displayName: 'Flutterwave',
  docsUrl: 'https://developer.flutterwave.com/docs/webhooks',
  presetName: 'flutterwave',
  secretOption: 'secretHash',
  verification: '`flutterwave-signature`: base64 HMAC-SHA256 of the body, keyed with the Secret Hash',
  eventType: { bodyFields: ['event', 'type'] },
  vectors: 'self-computed',
  scheme: flutterwaveScheme,
  generateSecret: secretHash,
  sampleEvent,
});

/** Flutterwave webhooks (signed body). @publicApi */
export const flutterwaveProvider = provider;

/**
 * Flutterwave: base64 `flutterwave-signature` over the body, keyed with the Secret Hash.
 * @publicApi
 * @example endpoints: { flutterwave: flutterwave({ secretHash: process.env.FLW_SECRET_HASH }) }
 */
export const flutterwave = preset;

/**
 * Flutterwave's legacy `verif-hash` header: the Secret Hash itself, sent verbatim. It is a shared
 * token, compared in constant time, that says nothing about the body (anyone who saw one delivery
 * can send any body): prefer {@link flutterwave} wherever deliveries carry `flutterwave-signature`.
 */
const verifHashScheme = () => new ApiKeyScheme({ name: 'flutterwave-verif-hash', header: 'verif-hash' });

/** @publicApi */
export interface FlutterwaveVerifHashPresetOptions extends PresetOptions {
  /** The Secret Hash, or several during a change. */
  readonly secretHash?: SecretOrSecrets;
}

/**
 * Flutterwave, legacy and weaker: the `verif-hash` header must equal the Secret Hash. The body is
 * not authenticated. Recorded as provider `flutterwave`.
 * @publicApi
 * @example endpoints: { flutterwave: flutterwaveVerifHash({ secretHash: process.env.FLW_SECRET_HASH }) }
 */
export function flutterwaveVerifHash(options: FlutterwaveVerifHashPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    { provider: 'flutterwave', scheme: verifHashScheme(), secrets: options.secretHash, generateSecret: secretHash },
    options,
  );
}

/** Flutterwave's legacy `verif-hash` token (no body integrity). @publicApi */
export const flutterwaveVerifHashProvider = defineProvider<FlutterwaveVerifHashPresetOptions>({
  id: 'flutterwave-verif-hash',
  displayName: 'Flutterwave (legacy verif-hash, weaker)',
  docsUrl: 'https://developer.flutterwave.com/v3.0/docs/webhooks',
  presetName: 'flutterwaveVerifHash',
  presetOptions: '{ secretHash }',
  verification: '`verif-hash` equals the Secret Hash (a static token: the body is not authenticated)',
  eventType: { bodyField: 'event' },
  signsBody: false,
  scheme: verifHashScheme,
  preset: flutterwaveVerifHash,
  testKey: () => sameKey(secretHash()),
  sampleEvent,
});
