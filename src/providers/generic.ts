import { ApiKeyScheme, type ApiKeyOptions } from '../core/auth/api-key.scheme';
import { BasicAuthScheme, type BasicAuthOptions } from '../core/auth/basic-auth.scheme';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** Options every generic endpoint factory takes. @publicApi */
export interface GenericEndpointOptions extends PresetOptions {
  /** The provider's name, recorded in the event log and shown by the admin API. */
  readonly provider: string;
  /** The secret(s), oldest first. */
  readonly secret?: SecretOrSecrets;
  /** Makes a new secret in the provider's format for rotations through the admin API. */
  readonly generateSecret?: () => string;
  /**
   * Secrets a challenge rule reads by name (`{ from: 'named', name }`), e.g. a verify token beside
   * the signing secret; rotatable through the admin API with `?name=`.
   * @example namedSecrets: { 'verification-token': process.env.ACME_VERIFY_TOKEN }
   */
  readonly namedSecrets?: WebhookEndpointDefinition['namedSecrets'];
}

/** @publicApi */
export type HmacEndpointOptions = GenericEndpointOptions & Omit<HmacSchemeOptions, 'name'>;

/**
 * An endpoint for any provider that signs with an HMAC, described as data: header, prefix,
 * algorithm, encoding, what is signed, and where the id and timestamp are.
 * @publicApi
 * @example
 * endpoints: {
 *   acme: hmacEndpoint({
 *     provider: 'acme',
 *     secret: process.env.ACME_SECRET,
 *     header: 'x-acme-signature',
 *     prefix: 'sha256=',
 *     template: '{timestamp}.{body}',
 *     timestampHeader: 'x-acme-timestamp',
 *     idHeader: 'x-acme-delivery',
 *   }),
 * }
 */
export function hmacEndpoint(options: HmacEndpointOptions): WebhookEndpointDefinition {
  const { provider, secret, generateSecret, namedSecrets, also, challenge, dedupeWindowSeconds, ...scheme } = options;
  return definePreset(
    { provider, scheme: new HmacScheme({ ...scheme, name: provider }), secrets: secret, generateSecret, namedSecrets },
    { also, challenge, dedupeWindowSeconds },
  );
}

/** @publicApi */
export type ApiKeyEndpointOptions = GenericEndpointOptions & Omit<ApiKeyOptions, 'name' | 'keys'>;

/**
 * An endpoint for a provider that sends a static key in a header or query parameter; the
 * endpoint's secrets are the accepted keys (rotatable through the admin API).
 * @publicApi
 * @example apiKeyEndpoint({ provider: 'acme', header: 'x-api-key', secret: process.env.ACME_KEY })
 */
export function apiKeyEndpoint(options: ApiKeyEndpointOptions): WebhookEndpointDefinition {
  const { provider, secret, generateSecret, namedSecrets, also, challenge, dedupeWindowSeconds, ...scheme } = options;
  return definePreset(
    {
      provider,
      scheme: new ApiKeyScheme({ ...scheme, name: provider }),
      secrets: secret,
      generateSecret,
      namedSecrets,
    },
    { also, challenge, dedupeWindowSeconds },
  );
}

/** @publicApi */
export type BasicAuthEndpointOptions = GenericEndpointOptions;

/**
 * An endpoint for a provider that sends HTTP Basic credentials; the endpoint's secrets are the
 * accepted `username:password` pairs (rotatable through the admin API).
 * @publicApi
 * @example basicAuthEndpoint({ provider: 'legacy-crm', secret: `hooks:${process.env.CRM_HOOK_PASSWORD}` })
 */
export function basicAuthEndpoint(options: BasicAuthEndpointOptions): WebhookEndpointDefinition {
  const { provider, secret, generateSecret, namedSecrets, also, challenge, dedupeWindowSeconds } = options;
  const schemeOptions: BasicAuthOptions = { name: provider };
  return definePreset(
    { provider, scheme: new BasicAuthScheme(schemeOptions), secrets: secret, generateSecret, namedSecrets },
    { also, challenge, dedupeWindowSeconds },
  );
}
