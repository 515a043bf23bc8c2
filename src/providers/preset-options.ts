import { randomBytes } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import type { SignatureScheme } from '../core/signature-scheme';
import { toSecretList, type SecretInput, type WebhookEndpointDefinition } from './endpoint-definition';

/**
 * Options every provider preset accepts besides its own secret.
 * @publicApi
 */
export interface PresetOptions {
  /**
   * More authenticators every request must pass as well (`ipAllowList()`, `mutualTls()`,
   * `basicAuth({ credentials })`, …). They run before the provider's scheme, so a request from a
   * refused address costs no signature check. Give them their own credentials: the endpoint's
   * secrets belong to the provider's scheme.
   * @example github({ secret, also: [ipAllowList({ allow: ['192.30.252.0/22'] })] })
   */
  readonly also?: readonly SignatureScheme[];
  /**
   * Replaces the preset's URL verification strategy, or `false` for none. Only routes marked
   * `@WebhookChallenge()` answer challenges.
   */
  readonly challenge?: ChallengeStrategy | false;
  /**
   * How long a message id is remembered to drop duplicates when the provider signs no timestamp.
   * @default 86400
   */
  readonly dedupeWindowSeconds?: number;
}

/**
 * One secret, or several live ones during a rotation, oldest first. `undefined` (an unset
 * environment variable) is none, as if left out, so `process.env.X` type-checks under
 * `exactOptionalPropertyTypes`; an endpoint without a secret refuses every delivery.
 * @publicApi
 */
export type SecretOrSecrets = SecretInput | readonly SecretInput[] | undefined;

/** What a preset file declares about its provider. @internal */
export interface PresetParts {
  readonly provider: string;
  readonly scheme: SignatureScheme;
  readonly secrets?: SecretOrSecrets;
  readonly challenge?: ChallengeStrategy;
  readonly namedSecrets?: WebhookEndpointDefinition['namedSecrets'];
  readonly generateSecret?: () => string;
  readonly allowSecretReplacement?: boolean;
  readonly dedupeSignedContent?: boolean;
}

/**
 * Assembles an endpoint definition from a preset's parts and the user's {@link PresetOptions},
 * leaving out what is not set so the definition stays plain data.
 * @internal
 */
export function definePreset(parts: PresetParts, options: PresetOptions = {}): WebhookEndpointDefinition {
  const challenge = options.challenge === false ? undefined : (options.challenge ?? parts.challenge);
  const namedSecrets = Object.entries(parts.namedSecrets ?? {}).filter(([, value]) => value !== undefined);
  return {
    provider: parts.provider,
    schemes: [...(options.also ?? []), parts.scheme],
    secrets: toSecretList(parts.secrets),
    ...(challenge ? { challenge } : {}),
    ...(namedSecrets.length > 0 ? { namedSecrets: Object.fromEntries(namedSecrets) } : {}),
    ...(options.dedupeWindowSeconds !== undefined ? { dedupeWindowSeconds: options.dedupeWindowSeconds } : {}),
    ...(parts.generateSecret ? { generateSecret: parts.generateSecret } : {}),
    ...(parts.allowSecretReplacement !== undefined ? { allowSecretReplacement: parts.allowSecretReplacement } : {}),
    ...(parts.dedupeSignedContent !== undefined ? { dedupeSignedContent: parts.dedupeSignedContent } : {}),
  };
}

/** 32 random bytes as 64 hex digits: for secrets you choose and paste into the provider. @internal */
export const randomHexSecret = (): string => randomBytes(32).toString('hex');

/** 32 random bytes as 43 URL-safe characters: for tokens that travel in headers or URLs. @internal */
export const randomUrlSafeSecret = (): string => randomBytes(32).toString('base64url');

/** 16 random bytes as 32 hex digits: the format of Slack signing secrets and Meta app secrets. @internal */
export const random32Hex = (): string => randomBytes(16).toString('hex');

/** 16 random bytes as 22 URL-safe characters: the format of Zoom secret tokens and Square signature keys. @internal */
export const random22UrlSafe = (): string => randomBytes(16).toString('base64url');

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` letters and digits, each drawn uniformly (bytes ≥ 248 are redrawn, 248 = 4 × 62). @internal */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

/**
 * For providers that issue a public key: there is nothing to generate. The admin API answers 400
 * `secret_required` with this message instead of storing random bytes as a "key".
 * @internal
 */
export function providerIssuesKey(message: string): () => never {
  return () => {
    throw new Error(message);
  };
}
