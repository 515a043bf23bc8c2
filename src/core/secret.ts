import { randomBytes } from 'node:crypto';
import { WebhookConfigurationError } from './errors';

/**
 * One live version of an endpoint's secret. A store hands these out; schemes derive their keys
 * from `value` and report the `version` that matched.
 * @publicApi
 */
export interface WebhookSecret {
  readonly version: number;
  /** The secret as the provider gives it (`whsec_…`, an app secret, a PEM public key) or raw bytes. */
  readonly value: string | Buffer;
}

const STANDARD_PREFIX = 'whsec_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** The Standard Webhooks spec asks for keys of 24 to 64 random bytes. */
export const STANDARD_SECRET_MIN_BYTES = 24;
export const STANDARD_SECRET_MAX_BYTES = 64;

/**
 * Decodes a Standard Webhooks symmetric secret: `whsec_<base64>` or the bare base64, or raw bytes.
 * Refuses an empty key, a bare `whsec_`, invalid base64 and a decoded length outside 24–64 bytes.
 * @publicApi
 */
export function decodeStandardSecret(secret: string | Buffer): Buffer {
  if (Buffer.isBuffer(secret)) {
    if (secret.length === 0) throw new WebhookConfigurationError('A webhook secret must not be empty.');
    return secret;
  }
  const encoded = secret.startsWith(STANDARD_PREFIX) ? secret.slice(STANDARD_PREFIX.length) : secret;
  if (encoded.length === 0) throw new WebhookConfigurationError('A webhook secret must not be empty.');
  if (!BASE64.test(encoded)) {
    throw new WebhookConfigurationError(
      'A Standard Webhooks secret must be "whsec_" followed by standard base64 (or the base64 alone).',
    );
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < STANDARD_SECRET_MIN_BYTES || key.length > STANDARD_SECRET_MAX_BYTES) {
    throw new WebhookConfigurationError(
      `A Standard Webhooks secret must decode to ${STANDARD_SECRET_MIN_BYTES}–${STANDARD_SECRET_MAX_BYTES} bytes (got ${key.length}).`,
    );
  }
  return key;
}

/**
 * Refuses a text secret that starts with `whsec_` but whose rest is not standard base64 of 24–64
 * bytes, whatever the scheme: Stripe (`whsec_` and 32 letters and digits, or 64 hex digits from its
 * CLI), Svix and Standard Webhooks all issue such secrets, so anything else is a placeholder (the
 * README's `whsec_…`), a truncated paste or a typo — which Stripe's scheme, keyed with the whole
 * string, would otherwise accept. Other secrets pass unchecked. Never quotes the secret.
 * @internal
 */
export function assertWhsecFormat(secret: string | Buffer): void {
  if (typeof secret !== 'string' || !secret.startsWith(STANDARD_PREFIX)) return;
  const encoded = secret.slice(STANDARD_PREFIX.length);
  const bytes = BASE64.test(encoded) ? Buffer.from(encoded, 'base64').length : -1;
  if (bytes < STANDARD_SECRET_MIN_BYTES || bytes > STANDARD_SECRET_MAX_BYTES) {
    throw new WebhookConfigurationError(
      `A "whsec_" secret is "whsec_" followed by standard base64 of ${STANDARD_SECRET_MIN_BYTES}–` +
        `${STANDARD_SECRET_MAX_BYTES} bytes, as the provider issues it; this one is not (${
          bytes < 0 ? `${encoded.length} characters, not all base64` : `${bytes} bytes`
        }): a placeholder or an incomplete copy?`,
    );
  }
}

/**
 * Generates a new Standard Webhooks secret, `whsec_` and 32 random bytes in base64.
 * @publicApi
 */
export function generateStandardSecret(bytes = 32): string {
  if (bytes < STANDARD_SECRET_MIN_BYTES || bytes > STANDARD_SECRET_MAX_BYTES) {
    throw new WebhookConfigurationError(`A generated secret must be 24–64 bytes (asked for ${bytes}).`);
  }
  return STANDARD_PREFIX + randomBytes(bytes).toString('base64');
}

/**
 * Derives a key from a secret once and remembers it for as long as the secret object lives, so the
 * hot path never decodes base64 again. Secrets from a store are long-lived, stable objects.
 * @internal
 */
export function memoizeKey<K>(derive: (secret: WebhookSecret) => K): (secret: WebhookSecret) => K {
  const cache = new WeakMap<WebhookSecret, K>();
  return (secret) => {
    let key = cache.get(secret);
    if (key === undefined) {
      key = derive(secret);
      cache.set(secret, key);
    }
    return key;
  };
}

/**
 * Refuses a placeholder left in a copied command or example (`<auth token>`): stored, it would be a
 * signing secret anyone reading the same page knows. The message never quotes the value.
 * @internal
 */
export function assertNotPlaceholder(secret: string | Buffer): void {
  if (typeof secret === 'string' && /^\s*<[^<>]*>\s*$/.test(secret)) {
    throw new WebhookConfigurationError(
      'The secret is a placeholder in angle brackets (<…>): paste the value the provider gives you.',
    );
  }
}
