import { randomUUID } from 'node:crypto';
import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import { FetchedKeyScheme } from '../core/engines/fetched-keys';
import { KeyResolver, type KeySourceOptions } from '../core/engines/key-resolver';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider } from './provider';

/** Circle products whose v2 notifications are signed, and where each publishes its keys. */
const KEY_PATHS = {
  wallets: '/v2/notifications/publicKey/{kid}',
  cpn: '/v2/cpn/notifications/publicKey/{kid}',
  stablefx: '/v2/stablefx/notifications/publicKey/{kid}',
} as const;

/** @publicApi */
export interface CirclePresetOptions extends PresetOptions {
  /**
   * Circle API key: the public key named by each notification's `X-Circle-Key-Id` is fetched with it
   * from api.circle.com and cached (a key id's key never changes).
   */
  readonly apiKey?: string;
  /** Whose key endpoint to ask: Wallets, Contracts and Gateway share `wallets`. @default 'wallets' */
  readonly product?: keyof typeof KEY_PATHS;
  /** Instead of fetching: Circle's public key(s), base64 DER as its API returns them. */
  readonly publicKey?: SecretOrSecrets;
}

/** Circle v2 notifications: ECDSA P-256 / SHA-256 of the raw body, DER, base64 in `X-Circle-Signature`. */
function circleScheme(): AsymmetricScheme {
  return asymmetricSignature({
    name: 'circle',
    algorithm: 'ecdsa-p256-sha256',
    header: 'x-circle-signature',
    encoding: 'base64',
    idField: 'notificationId',
    publicKey: { encoding: 'spki', label: 'A Circle notification public key' },
  });
}

/** Where Circle publishes a key id's key: `{ data: { publicKey: base64 DER } }`, behind the API key. @internal */
export function circleKeySource(apiKey: string, product: keyof typeof KEY_PATHS = 'wallets'): KeySourceOptions {
  return {
    name: 'Circle',
    hosts: ['api.circle.com'],
    url: `https://api.circle.com${KEY_PATHS[product]}`,
    kidPattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    headers: { authorization: `Bearer ${apiKey}` },
    format: { type: 'pem', field: 'data.publicKey' },
    ttlSeconds: 86_400,
  };
}

/**
 * Circle (Wallets, Contracts, Gateway, CPN, StableFX v2 notifications): the key named by
 * `X-Circle-Key-Id`, fetched with `apiKey`, or the `publicKey` given.
 * @publicApi
 * @example endpoints: { circle: circle({ apiKey: process.env.CIRCLE_API_KEY }) }
 */
export function circle(options: CirclePresetOptions = {}): WebhookEndpointDefinition {
  const { apiKey, product } = options;
  return definePreset(
    {
      provider: 'circle',
      // Without an API key only configured keys verify (none: fail closed, no_secret_configured).
      scheme:
        apiKey === undefined
          ? circleScheme()
          : new FetchedKeyScheme(circleScheme(), new KeyResolver(circleKeySource(apiKey, product)), {
              header: 'x-circle-key-id',
            }),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey('Circle publishes its public keys: send one as `secret`, or set `apiKey`.'),
    },
    options,
  );
}

/** @publicApi */
export const circleProvider = defineProvider<CirclePresetOptions>({
  id: 'circle',
  displayName: 'Circle',
  docsUrl: 'https://developers.circle.com/api-reference/verify-webhook-signatures',
  presetName: 'circle',
  presetOptions: '{ apiKey } or { publicKey }',
  verification:
    'ECDSA P-256/SHA-256 of the body in `X-Circle-Signature` (base64 DER); key by `X-Circle-Key-Id` from api.circle.com',
  messageId: { bodyField: 'notificationId' },
  eventType: { bodyField: 'notificationType' },
  vectors: 'verified',
  scheme: circleScheme,
  preset: circle,
  testKey: () => circleScheme().generateTestKey(),
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      subscriptionId: randomUUID(),
      notificationId: randomUUID(),
      notificationType: 'webhooks.test',
      notification: { hello: 'world' },
      timestamp: new Date().toISOString(),
      version: 2,
    }),
  }),
});
