import { randomBytes, randomUUID } from 'node:crypto';
import { TokenEchoStrategy } from '../core/challenges/token-echo.strategy';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { constantTimeEqualString } from '../core/constant-time';
import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import { noMatchingSignature, parseJsonObject } from '../core/engines/scheme-support';
import { WebhookConfigurationError } from '../core/errors';
import { challengeOptions, type ProviderChallengeOptions } from './challenges/provider-challenge-options';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider, type ProviderSettings } from './provider';

/** @publicApi */
export interface AdobeIoPresetOptions extends PresetOptions {
  /**
   * Adobe I/O Events' public key(s), PEM: download them once from `https://static.adobeioevents.com`
   * and configure them here. Keys are never fetched from a path the request names.
   */
  readonly publicKey?: SecretOrSecrets;
  /** Your project's client id; when set, `recipient_client_id` must equal it. */
  readonly clientId?: string;
}

/** What the Adobe I/O scheme is built from besides the public keys. */
interface AdobeIoSettings extends ProviderSettings {
  /**
   * Your project's client id (API key). When set, the payload's `recipient_client_id` must equal it,
   * as Adobe asks, so an event signed for another Adobe customer is refused.
   */
  readonly clientId?: string;
}

/**
 * Adobe I/O Events: `x-adobe-digital-signature-1` and `-2` each carry a base64 RSA-SHA256
 * (PKCS#1 v1.5) signature of the body; one verifying with a configured public key is enough.
 * The public keys are the endpoint's secrets (PEM, or base64 of the PEM), given in configuration:
 * the `x-adobe-public-key*-path` headers are ignored, because a key fetched from a location the
 * request names would let the sender choose the key that verifies it. When Adobe rotates its keys,
 * add the new one as a secret before the old one is retired. The legacy `x-adobe-signature` HMAC is
 * not accepted. `sign()` takes the private key as PEM.
 */
function adobeIoScheme(settings: AdobeIoSettings = {}): AsymmetricScheme {
  const { clientId } = settings;
  if (clientId !== undefined && clientId.length === 0) {
    throw new WebhookConfigurationError('The adobe-io clientId must not be empty.');
  }
  return asymmetricSignature({
    name: 'adobe-io',
    algorithm: 'rsa-sha256',
    header: ['x-adobe-digital-signature-1', 'x-adobe-digital-signature-2'],
    encoding: 'base64',
    idField: 'event_id',
    publicKey: { encoding: 'spki', label: 'An Adobe I/O Events public key', minRsaBits: 2048 },
    ...(clientId === undefined ? {} : { checkBody: (rawBody: Buffer) => assertRecipient(rawBody, clientId) }),
  });
}

function assertRecipient(rawBody: Buffer, clientId: string): void {
  const recipient = parseJsonObject(rawBody)?.['recipient_client_id'];
  if (typeof recipient !== 'string' || !constantTimeEqualString(recipient, clientId)) {
    throw noMatchingSignature('The event is signed by Adobe but addressed to another client id.');
  }
}

/**
 * Adobe I/O Events' registration check: a `GET` with a `challenge` query parameter, answered `200`
 * with JSON `{"challenge": …}`.
 * @publicApi
 */
export function adobeIoChallenge(options: ProviderChallengeOptions = {}): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { method: 'GET' },
    token: { from: 'query', name: 'challenge' },
    respondWith: { json: 'challenge' },
    ...challengeOptions(options, false),
  });
}

/**
 * Adobe I/O Events: RSA-SHA256 `x-adobe-digital-signature-1`/`-2` checked with configured public
 * keys, the optional recipient check, `event_id` as the message id, and `adobeIoChallenge()` for
 * the `GET ?challenge=` registration check.
 * @publicApi
 * @example adobeIo({ publicKey: [env.ADOBE_KEY_1, env.ADOBE_KEY_2], clientId: env.ADOBE_CLIENT_ID })
 */
export function adobeIo(options: AdobeIoPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'adobe-io',
      scheme: adobeIoScheme({ clientId: options.clientId }),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey('Adobe I/O Events publishes the public keys: send the PEM as `secret`.'),
      challenge: adobeIoChallenge(),
    },
    options,
  );
}

/** @publicApi */
export const adobeIoProvider = defineProvider<AdobeIoPresetOptions>({
  id: 'adobe-io',
  vectors: 'verified',
  displayName: 'Adobe I/O Events',
  docsUrl: 'https://developer.adobe.com/events/docs/guides/sdk/sdk_signature_verification',
  presetName: 'adobeIo',
  presetOptions: '{ publicKey, clientId }',
  verification:
    'RSA-SHA256 of the body in `x-adobe-digital-signature-1`/`-2` (base64), configured public keys; optional `recipient_client_id` check',
  challenge: '`GET ?challenge=` answered `{"challenge":…}`',
  messageId: { bodyField: 'event_id' },
  scheme: adobeIoScheme,
  preset: adobeIo,
  testKey: () => adobeIoScheme().generateTestKey(),
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      event_id: randomUUID(),
      event: { type: 'hookwarden.test', sentAt: new Date().toISOString() },
      recipient_client_id: 'hookwarden-test',
    }),
  }),
  challengeRequest: () => {
    const challenge = randomBytes(12).toString('hex');
    return {
      method: 'GET',
      query: { challenge },
      headers: {},
      check: ({ status, text }) =>
        status >= 200 && status < 300 && text.includes(challenge) ? undefined : 'expected the challenge echoed',
    };
  },
});
