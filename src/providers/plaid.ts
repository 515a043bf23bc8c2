import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { jose } from '../core/engines/jose';
import { WebhookConfigurationError } from '../core/errors';
import { jwtSignature, type JwtScheme } from '../core/engines/jwt.engine';
import { FetchedKeyScheme } from '../core/engines/fetched-keys';
import { KeyResolver, type KeySourceOptions } from '../core/engines/key-resolver';
import { invalidHeader } from '../core/engines/scheme-support';
import { headerValue, type WebhookRequest } from '../core/request';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider, type ProviderSettings } from './provider';

const HEADER = 'plaid-verification';
const HOSTS = { production: 'production.plaid.com', sandbox: 'sandbox.plaid.com' } as const;

/** @publicApi */
export interface PlaidPresetOptions extends PresetOptions {
  /** Your Plaid `client_id` and `secret`: each token's key (by `kid`) is fetched with them and cached. */
  readonly clientId?: string;
  readonly secret?: string;
  /** @default 'production' */
  readonly environment?: keyof typeof HOSTS;
  /** Instead of fetching: Plaid's verification key(s), JWK or PEM. */
  readonly publicKey?: SecretOrSecrets;
  /** How old `iat` may be. @default 300 */
  readonly toleranceSeconds?: number;
}

/**
 * Plaid: `Plaid-Verification` is an ES256 JWT (any other `alg` refused) whose `iat` is within 5
 * minutes and whose `request_body_sha256` is the hex SHA-256 of the raw body.
 */
function plaidScheme(settings: ProviderSettings = {}): JwtScheme {
  return jwtSignature({
    name: 'plaid',
    token: { header: HEADER },
    algorithms: ['ES256'],
    claims: { issuedAt: true, bodyHash: { claim: 'request_body_sha256' } },
    toleranceSeconds: settings.toleranceSeconds ?? 300,
    keyLabel: 'A Plaid webhook verification key',
    // sign() (tests): the header of the research's vector.
    signHeader: { kid: 'test-kid-1', typ: 'JWT' },
  });
}

/** The token's `kid`, which names the key to fetch; a token without one is malformed. */
function keyIdOf(request: WebhookRequest): string {
  try {
    const { kid } = jose().decodeProtectedHeader(headerValue(request, HEADER) ?? '');
    if (typeof kid === 'string' && kid !== '') return kid;
  } catch {
    // Refused below.
  }
  throw invalidHeader(HEADER, 'a JWT whose header names its key ("kid")');
}

/** `POST /webhook_verification_key/get` → `{ key: JWK }`, one key id per call. @internal */
export function plaidKeySource(
  clientId: string,
  secret: string,
  environment: keyof typeof HOSTS = 'production',
): KeySourceOptions {
  const host = HOSTS[environment];
  if (!host) throw new WebhookConfigurationError(`The Plaid environment must be one of ${Object.keys(HOSTS)}.`);
  return {
    name: 'Plaid',
    hosts: [host],
    url: `https://${host}/webhook_verification_key/get`,
    method: 'POST',
    body: (kid) => JSON.stringify({ client_id: clientId, secret, key_id: kid }),
    format: { type: 'jwk', field: 'key' },
  };
}

/**
 * Plaid: the ES256 JWT in `Plaid-Verification`, key by `kid` fetched with `clientId` and `secret`,
 * or the `publicKey` given.
 * @publicApi
 * @example endpoints: { plaid: plaid({ clientId: env.PLAID_CLIENT_ID, secret: env.PLAID_SECRET }) }
 */
export function plaid(options: PlaidPresetOptions = {}): WebhookEndpointDefinition {
  const { clientId, secret, environment } = options;
  if ((clientId === undefined) !== (secret === undefined)) {
    throw new WebhookConfigurationError('The Plaid preset needs both clientId and secret to fetch keys.');
  }
  const scheme = plaidScheme({ toleranceSeconds: options.toleranceSeconds });
  return definePreset(
    {
      provider: 'plaid',
      // Without API credentials only configured keys verify (none: fail closed, no_secret_configured).
      scheme:
        clientId === undefined
          ? scheme
          : new FetchedKeyScheme(scheme, new KeyResolver(plaidKeySource(clientId, secret!, environment)), keyIdOf),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey(
        'Plaid serves its keys by key id: send one as `secret`, or set clientId and secret.',
      ),
    },
    options,
  );
}

/** @publicApi */
export const plaidProvider = defineProvider<PlaidPresetOptions>({
  id: 'plaid',
  displayName: 'Plaid',
  docsUrl: 'https://plaid.com/docs/api/webhooks/webhook-verification/',
  presetName: 'plaid',
  presetOptions: '{ clientId, secret } or { publicKey }',
  verification:
    'ES256 JWT in `Plaid-Verification`: `request_body_sha256` = SHA-256 of the body, `iat` ≤ 5 min; key by `kid` from Plaid’s API',
  eventType: { bodyField: 'webhook_code' },
  toleranceSeconds: 300,
  vectors: 'self-computed',
  scheme: plaidScheme,
  preset: plaid,
  testKey: () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    return {
      secret: JSON.stringify(pair.publicKey.export({ format: 'jwk' })),
      signingKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    };
  },
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      webhook_type: 'ITEM',
      webhook_code: 'WEBHOOK_UPDATE_ACKNOWLEDGED',
      item_id: randomUUID(),
      error: null,
      environment: 'sandbox',
    }),
  }),
});
