import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { fireblocksSampleEvent } from './fireblocks';
import { defineProvider } from './provider';

/**
 * The key Fireblocks publishes for v1 webhooks of production (US) workspaces, from
 * developers.fireblocks.com/reference/validate-requests-v2. EU/EU2 and sandbox workspaces have their
 * own keys on that page: configure those as `publicKey`.
 */
export const FIREBLOCKS_US_PRODUCTION_KEY = `-----BEGIN PUBLIC KEY-----
MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA0+6wd9OJQpK60ZI7qnZG
jjQ0wNFUHfRv85Tdyek8+ahlg1Ph8uhwl4N6DZw5LwLXhNjzAbQ8LGPxt36RUZl5
YlxTru0jZNKx5lslR+H4i936A4pKBjgiMmSkVwXD9HcfKHTp70GQ812+J0Fvti/v
4nrrUpc011Wo4F6omt1QcYsi4GTI5OsEbeKQ24BtUd6Z1Nm/EP7PfPxeb4CP8KOH
clM8K7OwBUfWrip8Ptljjz9BNOZUF94iyjJ/BIzGJjyCntho64ehpUYP8UJykLVd
CGcu7sVYWnknf1ZGLuqqZQt4qt7cUUhFGielssZP9N9x7wzaAIFcT3yQ+ELDu1SZ
dE4lZsf2uMyfj58V8GDOLLE233+LRsRbJ083x+e2mW5BdAGtGgQBusFfnmv5Bxqd
HgS55hsna5725/44tvxll261TgQvjGrTxwe7e5Ia3d2Syc+e89mXQaI/+cZnylNP
SwCCvx8mOM847T0XkVRX3ZrwXtHIA25uKsPJzUtksDnAowB91j7RJkjXxJcz3Vh1
4k182UFOTPRW9jzdWNSyWQGl/vpe9oQ4c2Ly15+/toBo4YXJeDdDnZ5c/O+KKadc
IMPBpnPrH/0O97uMPuED+nI6ISGOTMLZo35xJ96gPBwyG5s2QxIkKPXIrhgcgUnk
tSM7QYNhlftT4/yVvYnk0YcCAwEAAQ==
-----END PUBLIC KEY-----
`;

/** @publicApi */
export interface FireblocksLegacyPresetOptions extends PresetOptions {
  /** The workspace's published key (PEM). @default the US production key */
  readonly publicKey?: SecretOrSecrets;
}

/** Fireblocks v1 (deprecated, sent beside v2 during the migration): base64 RSA PKCS#1 v1.5 / SHA-512 of the raw body. */
function fireblocksLegacyScheme(): AsymmetricScheme {
  return asymmetricSignature({
    name: 'fireblocks-legacy',
    algorithm: 'rsa-sha512',
    header: 'fireblocks-signature',
    encoding: 'base64',
    publicKey: { encoding: 'spki', label: 'The Fireblocks webhook public key', hint: 'developers.fireblocks.com' },
  });
}

/**
 * Fireblocks v1 webhooks: `Fireblocks-Signature`, RSA-SHA512 of the raw body (not of a re-serialised
 * `req.body`, as Fireblocks' own example does), with the published static key.
 * @publicApi
 * @example endpoints: { fireblocks: fireblocksLegacy() }
 */
export function fireblocksLegacy(options: FireblocksLegacyPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'fireblocks-legacy',
      scheme: fireblocksLegacyScheme(),
      secrets: options.publicKey ?? FIREBLOCKS_US_PRODUCTION_KEY,
      generateSecret: providerIssuesKey(
        'Fireblocks publishes its v1 webhook keys (developers.fireblocks.com): send one as `secret`.',
      ),
    },
    options,
  );
}

/** @publicApi */
export const fireblocksLegacyProvider = defineProvider<FireblocksLegacyPresetOptions>({
  id: 'fireblocks-legacy',
  displayName: 'Fireblocks (v1)',
  docsUrl: 'https://developers.fireblocks.com/reference/validate-requests-v2',
  presetName: 'fireblocksLegacy',
  presetOptions: '{ publicKey? }',
  verification:
    'RSA-SHA512 of the body in `Fireblocks-Signature` (base64); Fireblocks’ published key (US production by default)',
  eventType: { bodyField: 'type' },
  vectors: 'self-computed',
  scheme: fireblocksLegacyScheme,
  preset: fireblocksLegacy,
  testKey: () => fireblocksLegacyScheme().generateTestKey(),
  sampleEvent: fireblocksSampleEvent,
});
