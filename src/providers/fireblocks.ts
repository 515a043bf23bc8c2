import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { jose } from '../core/engines/jose';
import { jwtSignature, type JwtScheme } from '../core/engines/jwt.engine';
import { FetchedKeyScheme } from '../core/engines/fetched-keys';
import { KeyResolver, type KeySourceOptions } from '../core/engines/key-resolver';
import { invalidHeader } from '../core/engines/scheme-support';
import { headerValue, type WebhookRequest } from '../core/request';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider } from './provider';
import { jsonEvent } from './provider-kit';

const HEADER = 'fireblocks-webhook-signature';

/** @publicApi */
export interface FireblocksPresetOptions extends PresetOptions {
  /**
   * Instead of fetching Fireblocks' JWKS (US: keys.fireblocks.io): its public key(s), PEM or JWK,
   * e.g. for another region's workspace.
   */
  readonly publicKey?: SecretOrSecrets;
}

/**
 * Fireblocks Webhooks v2: `Fireblocks-Webhook-Signature` is a detached JWS (RFC 7797,
 * `header..signature`), RS512, whose payload is the raw body and whose `kid` names the JWKS key.
 */
function fireblocksScheme(): JwtScheme {
  return jwtSignature({
    name: 'fireblocks',
    token: { header: HEADER },
    algorithms: ['RS512'],
    detached: true,
    keyLabel: 'A Fireblocks webhook public key',
    // sign() (tests): the key id of the research's vector.
    signHeader: { kid: 'test-kid' },
  });
}

/** The `kid` of the detached JWS, which picks the JWKS key; a token without one is malformed. */
function keyIdOf(request: WebhookRequest): string {
  const token = headerValue(request, HEADER) ?? '';
  try {
    const { kid } = jose().decodeProtectedHeader(token);
    if (typeof kid === 'string' && kid !== '') return kid;
  } catch {
    // Refused below.
  }
  throw invalidHeader(HEADER, 'a detached JWS whose protected header names its key ("kid")');
}

/** Fireblocks' US JWKS (it answers `Cache-Control: max-age=3600`). @internal */
export const FIREBLOCKS_KEY_SOURCE: KeySourceOptions = {
  name: 'Fireblocks',
  hosts: ['keys.fireblocks.io'],
  url: 'https://keys.fireblocks.io/.well-known/jwks.json',
  format: { type: 'jwks' },
  ttlSeconds: 3600,
};

/**
 * Fireblocks (Webhooks v2): the detached RS512 JWS of the raw body, key by `kid` from Fireblocks'
 * JWKS, or the `publicKey` given. For v1's `Fireblocks-Signature` see `fireblocksLegacy()`.
 * @publicApi
 * @example endpoints: { fireblocks: fireblocks() }
 */
export function fireblocks(options: FireblocksPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'fireblocks',
      // A configured key (`publicKey`, or one added through the admin API) is used instead of fetching.
      scheme: new FetchedKeyScheme(fireblocksScheme(), new KeyResolver(FIREBLOCKS_KEY_SOURCE), keyIdOf),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey('Fireblocks publishes its keys in its JWKS: send one as `secret`.'),
    },
    options,
  );
}

/** A Fireblocks event (both signatures sign the same payloads). @internal */
export const fireblocksSampleEvent = jsonEvent(() => ({
  type: 'TRANSACTION_CREATED',
  tenantId: randomUUID(),
  timestamp: Date.now(),
  data: { id: randomUUID() },
}));

/** @publicApi */
export const fireblocksProvider = defineProvider<FireblocksPresetOptions>({
  id: 'fireblocks',
  displayName: 'Fireblocks',
  docsUrl: 'https://developers.fireblocks.com/reference/validating-webhooks',
  presetName: 'fireblocks',
  presetOptions: '{ publicKey? }',
  verification:
    'Detached JWS (RS512) of the body in `Fireblocks-Webhook-Signature`; key by `kid` from keys.fireblocks.io’s JWKS',
  vectors: 'self-computed',
  scheme: fireblocksScheme,
  preset: fireblocks,
  testKey: () => rsaTestKey(),
  sampleEvent: fireblocksSampleEvent,
});

/** A fresh RSA-2048 pair: the public key as the endpoint is configured (PEM), the private key as sign() reads it. @internal */
export function rsaTestKey(): { secret: string; signingKey: string } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    secret: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    signingKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}
