import { randomUUID } from 'node:crypto';
import { WebhookConfigurationError } from '../core/errors';
import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import { FetchedKeyScheme } from '../core/engines/fetched-keys';
import { KeyResolver, type KeySourceOptions } from '../core/engines/key-resolver';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider, type ProviderSettings } from './provider';

/** @publicApi */
export interface FalAiPresetOptions extends PresetOptions {
  /**
   * Your fal user id. Every fal account's deliveries are signed with the same keys, so without it a
   * delivery another fal user points at your URL verifies too: set it, and only yours do (it is signed).
   */
  readonly userId?: string;
  /** Instead of fetching fal's JWKS: its public key(s), PEM or base64 SPKI. */
  readonly publicKey?: SecretOrSecrets;
  /** @default 300 */
  readonly toleranceSeconds?: number;
}

/** The user id `sign()` writes when no `userId` is configured (tests, `hookwarden send`). */
const SAMPLE_USER_ID = 'hookwarden-test-user';

/**
 * fal.ai signs `request-id \n user-id \n timestamp \n hex SHA-256(body)` with Ed25519 (hex in
 * `X-Fal-Webhook-Signature`); the Unix-seconds timestamp is signed and checked within ±5 min.
 */
function falAiScheme(settings: ProviderSettings & { readonly userId?: string } = {}): AsymmetricScheme {
  const { userId } = settings;
  // A configured user id is written into what is signed: a delivery signed for another user fails.
  if (userId !== undefined && !/^[\x21-\x7a\x7c\x7e]{1,256}$/.test(userId)) {
    throw new WebhookConfigurationError('The fal.ai userId must be 1–256 visible ASCII characters.');
  }
  return asymmetricSignature({
    name: 'fal-ai',
    algorithm: 'ed25519',
    header: 'x-fal-webhook-signature',
    encoding: 'hex',
    template: `{id}\n${userId ?? '{header:x-fal-webhook-user-id}'}\n{timestamp}\n{body.sha256}`,
    signedHeaderValues: { 'x-fal-webhook-user-id': userId ?? SAMPLE_USER_ID },
    idHeader: 'x-fal-webhook-request-id',
    idExcludes: '\n',
    timestampHeader: 'x-fal-webhook-timestamp',
    toleranceSeconds: settings.toleranceSeconds ?? 300,
    publicKey: {
      encoding: 'spki',
      label: 'A fal.ai public key',
      hint: 'fal’s JWKS, rest.alpha.fal.ai/.well-known/jwks.json',
    },
  });
}

/** fal's JWKS: Ed25519 (OKP) keys, every one tried; cached a day as fal suggests. @internal */
export const FAL_AI_KEY_SOURCE: KeySourceOptions = {
  name: 'fal.ai',
  hosts: ['rest.alpha.fal.ai'],
  url: 'https://rest.alpha.fal.ai/.well-known/jwks.json',
  format: { type: 'jwks' },
  ttlSeconds: 86_400,
};

/**
 * fal.ai: Ed25519 of the request id, user id, timestamp and body digest, with fal's keys, given or
 * fetched from its JWKS.
 * @publicApi
 * @example endpoints: { fal: falAi({ userId: process.env.FAL_USER_ID }) }
 */
export function falAi(options: FalAiPresetOptions = {}): WebhookEndpointDefinition {
  const scheme = falAiScheme({ userId: options.userId, toleranceSeconds: options.toleranceSeconds });
  return definePreset(
    {
      provider: 'fal-ai',
      // A configured key (`publicKey`, or one added through the admin API) is used instead of fetching.
      scheme: new FetchedKeyScheme(scheme, new KeyResolver(FAL_AI_KEY_SOURCE)),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey('fal.ai publishes its keys in its JWKS: send one as `secret` (PEM).'),
    },
    options,
  );
}

/** @publicApi */
export const falAiProvider = defineProvider<FalAiPresetOptions>({
  id: 'fal-ai',
  displayName: 'fal.ai',
  docsUrl: 'https://docs.fal.ai/model-endpoints/webhooks',
  presetName: 'falAi',
  presetOptions: '{ userId?, publicKey? }',
  verification:
    'Ed25519 of `request-id\\nuser-id\\ntimestamp\\nsha256hex(body)` in `X-Fal-Webhook-Signature` (hex); keys from fal’s JWKS',
  messageId: { header: 'x-fal-webhook-request-id' },
  toleranceSeconds: 300,
  vectors: 'self-computed',
  scheme: falAiScheme,
  preset: falAi,
  testKey: () => falAiScheme().generateTestKey(),
  sampleEvent: () => {
    const requestId = randomUUID();
    return {
      contentType: 'application/json',
      body: JSON.stringify({ request_id: requestId, gateway_request_id: requestId, status: 'OK', payload: {} }),
    };
  },
});
