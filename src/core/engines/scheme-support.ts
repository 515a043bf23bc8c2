import { createSecretKey, type KeyObject } from 'node:crypto';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import { headerValue, type WebhookRequest } from '../request';
import { memoizeKey, type WebhookSecret } from '../secret';
import { jsonField } from './json-field';

// Parsing and error helpers shared by the provider schemes, so that every scheme refuses the same
// malformed input with the same code and never puts a secret, a signature or a digest in a message.

/** A provider message id: 1–256 visible ASCII characters (it is stored and shown, so no control bytes). */
const MESSAGE_ID = /^[\x21-\x7e]{1,256}$/;
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const LOWER_HEX = /^[0-9a-f]*$/;
const ANY_CASE_HEX = /^[0-9a-fA-F]*$/;
/** RFC 3339 date-time with seconds, an optional fraction of up to 9 digits and a zone (`Z` or `±hh:mm`). */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/** @internal */
export function missingHeader(name: string): WebhookVerificationError {
  return new WebhookVerificationError(WebhookErrorCode.MissingHeader, `The ${name} header is missing.`);
}

/** @internal */
export function invalidHeader(name: string, expected: string): WebhookVerificationError {
  return new WebhookVerificationError(WebhookErrorCode.InvalidHeader, `The ${name} header must be ${expected}.`);
}

/** @internal */
export function noMatchingSignature(
  message = 'No signature in the request matches a live secret of this endpoint.',
): WebhookVerificationError {
  return new WebhookVerificationError(WebhookErrorCode.NoMatchingSignature, message);
}

/** A header that must be present and non-empty (`missing_header` otherwise). @internal */
export function requireHeader(request: WebhookRequest, name: string): string {
  const value = headerValue(request, name);
  if (value === undefined || value === '') throw missingHeader(name);
  return value;
}

/** Fails closed before any work when the endpoint has no live secret. @internal */
export function assertHasSecrets(secrets: readonly WebhookSecret[]): void {
  if (secrets.length === 0) {
    throw new WebhookVerificationError(
      WebhookErrorCode.NoSecretConfigured,
      'No live secret is configured for this endpoint.',
    );
  }
}

/**
 * Decodes an encoded digest of exactly `bytes` bytes, or returns `undefined`. Hex may be in either
 * case; base64 must be standard and canonical (`+/`, padded), as every provider here sends it.
 * @internal
 */
export function decodeDigest(value: string, encoding: 'hex' | 'base64', bytes: number): Buffer | undefined {
  const text = digestText(value, encoding, bytes);
  return text === undefined ? undefined : Buffer.from(text, encoding);
}

/**
 * The digest text as the HMAC would print it (`hmac.digest(encoding)`), or `undefined` when it is not
 * a digest of exactly `bytes` bytes: hex in either case comes back lower-case; base64 must be
 * standard, padded and canonical (no stray bits in its last character), like {@link decodeDigest}.
 * @internal
 */
export function digestText(value: string, encoding: 'hex' | 'base64' | 'base64url', bytes: number): string | undefined {
  if (encoding === 'hex') return value.length === bytes * 2 ? lowerCaseHex(value) : undefined;
  if (encoding === 'base64url') return canonicalBase64Url(value, bytes);
  if (value.length !== Math.ceil(bytes / 3) * 4 || !BASE64.test(value)) return undefined;
  const padding = (3 - (bytes % 3)) % 3;
  const dataEnd = value.length - padding;
  if (value.slice(dataEnd) !== '='.repeat(padding) || value[dataEnd - 1] === '=') return undefined;
  // With padding, the last character carries 2 (one '=') or 4 (two) bits beyond the data: they must be 0.
  const last = BASE64_ALPHABET.indexOf(value[dataEnd - 1]);
  return (last & ((1 << (padding * 2)) - 1)) === 0 ? value : undefined;
}

/** Unpadded base64url of exactly `bytes` bytes with no stray bits in its last character, or `undefined`. */
function canonicalBase64Url(value: string, bytes: number): string | undefined {
  if (value.length !== Math.ceil((bytes * 4) / 3) || !/^[A-Za-z0-9_-]*$/.test(value)) return undefined;
  return Buffer.from(value, 'base64url').toString('base64url') === value ? value : undefined;
}

/** Hex digits in lower case, or `undefined` when a character is not one (a regular expression costs half a JS loop). */
function lowerCaseHex(value: string): string | undefined {
  if (LOWER_HEX.test(value)) return value;
  return ANY_CASE_HEX.test(value) ? value.toLowerCase() : undefined;
}

/** Like {@link decodeDigest} but a malformed value is `invalid_header`. @internal */
export function requireDigest(value: string, encoding: 'hex' | 'base64', bytes: number, header: string): Buffer {
  const digest = decodeDigest(value, encoding, bytes);
  if (!digest) throw invalidHeader(header, `a ${bytes}-byte digest in ${encoding}`);
  return digest;
}

/** Base64 of any length (standard alphabet, padded); `undefined` when not. @internal */
export function decodeBase64(value: string): Buffer | undefined {
  return value.length > 0 && value.length % 4 === 0 && BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/**
 * Parses an RFC 3339 timestamp (`2019-11-16T10:11:12.634234626Z`, `2020-01-01T00:00:00-07:00`) to
 * whole seconds since the epoch. Strict: no other ISO 8601 spelling, no out-of-range fields.
 * @internal
 */
export function parseRfc3339Seconds(value: string, header: string): number {
  const match = RFC3339.exec(value);
  const fail = () => invalidHeader(header, 'an RFC 3339 date-time such as 2020-01-01T00:00:00Z');
  if (!match) throw fail();
  const [, year, month, day, hour, minute, second, , zone] = match;
  const date = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
  const check = new Date(date);
  // Date.UTC rolls 2020-02-31 over to March; a field out of range is malformed, not another day.
  if (check.getUTCDate() !== +day || check.getUTCMonth() !== +month - 1 || +hour > 23 || +minute > 59 || +second > 59) {
    throw fail();
  }
  let offset = 0;
  if (zone.toUpperCase() !== 'Z') {
    const [hours, minutes] = zone.slice(1).split(':').map(Number);
    if (hours > 23 || minutes > 59) throw fail();
    offset = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60;
  }
  return Math.floor(date / 1000) - offset;
}

/**
 * Reads a message id header: absent is `undefined` (or `missing_header` when required); present but
 * not 1–256 visible ASCII characters is `invalid_header`.
 * @internal
 */
export function readIdHeader(request: WebhookRequest, name: string, required: boolean): string | undefined {
  const value = headerValue(request, name);
  if (value === undefined || value === '') {
    if (required) throw missingHeader(name);
    return undefined;
  }
  if (!MESSAGE_ID.test(value)) throw invalidHeader(name, '1–256 visible ASCII characters');
  return value;
}

/**
 * A field of the JSON body used as the message id (`id`, or a path such as `['event', 'id']`), read
 * without parsing the rest of the body ({@link jsonField}). Call it only once the signature matched.
 * A body that is not JSON, a missing field or one that is not a short printable string or integer
 * gives `undefined`: the delivery is authentic, it only cannot be deduplicated.
 * @internal
 */
export function jsonMessageId(rawBody: Buffer, path: readonly string[]): string | undefined {
  const value = jsonField(rawBody, path);
  return messageIdText(typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value);
}

/** The value when it is a usable message id (1–256 visible ASCII characters), else `undefined`. @internal */
export function messageIdText(value: unknown): string | undefined {
  return typeof value === 'string' && MESSAGE_ID.test(value) ? value : undefined;
}

/** The body parsed as a JSON object, or `undefined` (never throws). @internal */
export function parseJsonObject(rawBody: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(rawBody.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `'a.b'` or `['a', 'b']` as a path. @internal */
export function toPath(field: string | readonly string[]): readonly string[] {
  return typeof field === 'string' ? field.split('.') : field;
}

/** The secret's bytes: a string is used as its UTF-8 text (as most providers key their HMAC). @internal */
export function utf8SecretBytes(value: string | Buffer): Buffer {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  if (bytes.length === 0) throw new WebhookConfigurationError('A webhook secret must not be empty.');
  return bytes;
}

/** HMAC keys made once per secret object (a `KeyObject` skips re-importing the key per request). @internal */
export const utf8HmacKey: (secret: WebhookSecret) => KeyObject = memoizeKey((secret) =>
  createSecretKey(utf8SecretBytes(secret.value)),
);

/**
 * Checks a configured public URL (Twilio, Square, Trello sign it): absolute `http:` or `https:`.
 * The string is kept as given, since providers sign it byte for byte.
 * @internal
 */
export function assertPublicUrl(url: string | undefined, option: string, scheme: string): string {
  let parsed: URL | undefined;
  try {
    parsed = url ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!url || !parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new WebhookConfigurationError(
      `The ${scheme} scheme needs \`${option}\`: the absolute public URL the provider calls, exactly as registered ` +
        '(the Host header cannot be trusted behind a proxy, so it is never used).',
    );
  }
  return url;
}

/** A positive whole number of seconds, or a configuration error. @internal */
export function assertTolerance(seconds: number, scheme: string): number {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new WebhookConfigurationError(`The ${scheme} tolerance must be a positive whole number of seconds.`);
  }
  return seconds;
}
