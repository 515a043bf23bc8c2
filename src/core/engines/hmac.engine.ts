import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { constantTimeEqualText } from '../constant-time';
import { isTokenShaped, tokenShapedDelivery } from '../challenges/computed-token';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import type { WebhookRequest } from '../request';
import { memoizeKey, type WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';
import { assertWithinTolerance, parseUnixSeconds } from '../timestamp';
import {
  assertHasSecrets,
  assertPublicUrl,
  assertTolerance,
  digestText,
  invalidHeader,
  jsonMessageId,
  noMatchingSignature,
  parseJsonObject,
  parseRfc3339Seconds,
  readIdHeader,
  requireHeader,
  toPath,
  utf8SecretBytes,
} from './scheme-support';

/** @publicApi */
export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/**
 * A provider's HMAC signature described as data. Every field but `header` has a default, so the
 * common "hex HMAC-SHA256 of the body in one header" is `{ header: 'x-signature' }`.
 * @publicApi
 * @example
 * // Slack: X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">
 * { name: 'slack', header: 'x-slack-signature', prefix: 'v0=', template: 'v0:{timestamp}:{body}',
 *   timestampHeader: 'x-slack-request-timestamp', toleranceSeconds: 300 }
 */
export interface HmacSchemeOptions {
  /**
   * Shown in logs and the admin API.
   * @default 'hmac'
   */
  readonly name?: string;
  /** The header that carries the signature (any case). */
  readonly header: string;
  /** Text before the encoded digest (`sha256=`, `v0=`); a value without it is malformed. */
  readonly prefix?: string;
  /**
   * For headers that list several signatures during a key roll (PagerDuty `v1=…,v1=…`): the
   * separator. Entries without the prefix, or malformed, are skipped; any one matching is enough.
   */
  readonly separator?: string;
  /** @default 'sha256' */
  readonly algorithm?: HmacAlgorithm;
  /** @default 'hex' */
  readonly encoding?: 'hex' | 'base64';
  /**
   * What is signed: literal text and the placeholders `{body}` (the raw bytes), `{id}` and
   * `{timestamp}` (the header values exactly as received) and `{url}` (the configured `url`).
   * It must contain `{body}`: a signature that does not cover the body authenticates nothing.
   * @default '{body}'
   */
  readonly template?: string;
  /**
   * The value of `{url}`: the public URL the provider calls, exactly as registered with it. Behind a
   * proxy the Host header cannot be trusted, so the URL is configuration, never read from the request.
   */
  readonly url?: string;
  /**
   * How the secret string becomes the key: its UTF-8 bytes (most providers), or decoded from
   * base64 or hex. A `Buffer` secret is always used as is.
   * @default 'utf8'
   */
  readonly keyEncoding?: 'utf8' | 'base64' | 'hex';
  /** Header with the provider's message id, used to drop duplicates. Required when `{id}` is signed. */
  readonly idHeader?: string;
  /**
   * Instead of `idHeader`: a field of the JSON body holding the message id (`'id'`, `'event.id'`),
   * read only after the signature matched.
   */
  readonly idField?: string | readonly string[];
  /**
   * Header naming the event type when the provider signs only the body and the body does not name
   * it (Shopify's `x-shopify-topic`, GitHub's `x-github-event`). It becomes part of the dedupe key
   * of the signed content, so one body delivered under two topics is handled twice, not merged.
   */
  readonly eventTypeHeader?: string;
  /** Header with the signed timestamp; then a request outside `toleranceSeconds` is refused. */
  readonly timestampHeader?: string;
  /** @default 'unix-seconds' */
  readonly timestampFormat?: 'unix-seconds' | 'unix-milliseconds' | 'rfc3339';
  /**
   * How far the timestamp may be from the time of receipt, in either direction.
   * @default 300
   */
  readonly toleranceSeconds?: number;
  /**
   * The provider only ever sends a JSON object: any other body is refused (`invalid_body`) once the
   * signature matched. X and Zoom set it, so that no string their challenge answers sign can be a body.
   * @default false
   */
  readonly jsonObjectBody?: boolean;
}

type Placeholder = 'body' | 'id' | 'timestamp' | 'url';
/** A piece of the string to sign: literal text, or a value of the request. */
type Part = { readonly text: string } | { readonly value: Placeholder };
const PLACEHOLDER = /\{([^{}]*)\}/g;
const PLACEHOLDERS: ReadonlySet<string> = new Set<Placeholder>(['body', 'id', 'timestamp', 'url']);
/** At most this many entries of a signature list are looked at; more is malformed. */
const MAX_LIST_ENTRIES = 32;
const DIGEST_BYTES: Readonly<Record<HmacAlgorithm, number>> = { sha1: 20, sha256: 32, sha512: 64 };
const MILLIS = /^[0-9]{1,15}$/;
/** A character no computed challenge token holds (see `COMPUTED_TOKEN_PATTERN`). */
const NOT_TOKEN_CHARACTER = /[^A-Za-z0-9_+/=-]/;

const keyDerivers = {
  utf8: memoizeKey((secret: WebhookSecret) => createSecretKey(utf8SecretBytes(secret.value))),
  base64: memoizeKey((secret: WebhookSecret) => createSecretKey(decodeKey(secret.value, 'base64'))),
  hex: memoizeKey((secret: WebhookSecret) => createSecretKey(decodeKey(secret.value, 'hex'))),
};

/**
 * The generic HMAC signature scheme: the provider schemes of GitHub, Slack, Shopify, Zoom, Twitch,
 * Meta, Dropbox, Trello, Asana, Square, PagerDuty, Linear, Intercom, X and Smartsheet are instances
 * of it, and a new provider can be one too (see `hmacEndpoint()`). Every live secret is tried; the
 * digest is compared with each signature in constant time.
 * @publicApi
 */
export class HmacScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = true;
  /** Refuses a delivery whose string to sign is token-shaped (see verify). */
  readonly refusesChallengeAnswers = true;
  /** Only set when a timestamp is signed: it bounds how long message ids are remembered. */
  readonly toleranceSeconds?: number;
  private readonly header: string;
  private readonly prefix: string;
  private readonly algorithm: HmacAlgorithm;
  private readonly encoding: 'hex' | 'base64';
  private readonly digestBytes: number;
  private readonly parts: readonly Part[];
  private readonly deriveKey: (secret: WebhookSecret) => KeyObject;
  private readonly keyEncoding: 'utf8' | 'base64' | 'hex';
  private readonly idPath?: readonly string[];
  /** Header names in lower case and what the template signs, worked out once rather than per request. */
  private readonly idHeader?: string;
  private readonly eventTypeHeader?: string;
  private readonly timestampHeader?: string;
  private readonly signsId: boolean;
  /**
   * Whether a literal of the template holds a character no computed challenge token can (`v0:`'s
   * colon, a URL's): then no string to sign is token-shaped and the per-request check is skipped.
   */
  private readonly literalsRuleOutTokens: boolean;

  constructor(private readonly options: HmacSchemeOptions) {
    this.name = options.name ?? 'hmac';
    if (!options.header) throw new WebhookConfigurationError(`The ${this.name} scheme needs a signature header.`);
    this.header = options.header.toLowerCase();
    this.prefix = options.prefix ?? '';
    this.algorithm = options.algorithm ?? 'sha256';
    if (!(this.algorithm in DIGEST_BYTES)) {
      throw new WebhookConfigurationError(`The ${this.name} scheme's algorithm must be sha1, sha256 or sha512.`);
    }
    this.encoding = options.encoding ?? 'hex';
    if (this.encoding !== 'hex' && this.encoding !== 'base64') {
      throw new WebhookConfigurationError(`The ${this.name} scheme's encoding must be hex or base64.`);
    }
    this.keyEncoding = options.keyEncoding ?? 'utf8';
    this.deriveKey = keyDerivers[this.keyEncoding];
    if (!this.deriveKey) {
      throw new WebhookConfigurationError(`The ${this.name} scheme's keyEncoding must be utf8, base64 or hex.`);
    }
    this.digestBytes = DIGEST_BYTES[this.algorithm];
    this.parts = parseTemplate(options.template ?? '{body}', this.name);
    if (this.uses('url')) assertPublicUrl(options.url, 'url', this.name);
    if (this.uses('id') && !options.idHeader) {
      throw new WebhookConfigurationError(`The ${this.name} scheme signs {id}, so it needs \`idHeader\`.`);
    }
    if (this.uses('timestamp') && !options.timestampHeader) {
      throw new WebhookConfigurationError(
        `The ${this.name} scheme signs {timestamp}, so it needs \`timestampHeader\`.`,
      );
    }
    if (options.idHeader && options.idField) {
      throw new WebhookConfigurationError(`The ${this.name} scheme takes \`idHeader\` or \`idField\`, not both.`);
    }
    if (options.idField !== undefined) this.idPath = toPath(options.idField);
    this.idHeader = options.idHeader?.toLowerCase();
    this.eventTypeHeader = options.eventTypeHeader?.toLowerCase();
    this.timestampHeader = options.timestampHeader?.toLowerCase();
    this.signsId = this.uses('id');
    this.literalsRuleOutTokens = this.parts.some(
      (part) => ('text' in part && NOT_TOKEN_CHARACTER.test(part.text)) || ('value' in part && part.value === 'url'),
    );
    if (options.timestampHeader) {
      this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, this.name);
      if (!this.uses('timestamp')) {
        // An unsigned timestamp can be rewritten by anyone, so a window on it would protect nothing.
        throw new WebhookConfigurationError(
          `The ${this.name} scheme reads \`timestampHeader\` but its template does not sign {timestamp}.`,
        );
      }
    }
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const signatureValue = requireHeader(request, this.header);
    const id = this.idHeader ? readIdHeader(request, this.idHeader, this.signsId) : undefined;
    const eventType = this.eventTypeHeader ? readIdHeader(request, this.eventTypeHeader, false) : undefined;
    const timestamp = this.timestampHeader ? requireHeader(request, this.timestampHeader) : undefined;
    const signedAt = timestamp === undefined ? undefined : this.parseTimestamp(timestamp);
    const candidates = this.parseSignatures(signatureValue);
    // A string to sign made only of token characters could be a computed challenge answer's input
    // (X's CRC signs crc_token with the consumer secret): refused, so no answer is ever a signature.
    if (!this.literalsRuleOutTokens && this.signsTokenShapedContent(request.rawBody, id, timestamp)) {
      throw tokenShapedDelivery();
    }
    assertHasSecrets(secrets);
    if (signedAt !== undefined) {
      assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds!);
    }
    if (candidates.length > 0) {
      for (const secret of secrets) {
        const digest = this.digest(this.deriveKey(secret), request.rawBody, id, timestamp);
        for (const candidate of candidates) {
          if (constantTimeEqualText(digest, candidate)) {
            if (this.options.jsonObjectBody && parseJsonObject(request.rawBody) === undefined) {
              throw new WebhookVerificationError(
                WebhookErrorCode.InvalidBody,
                `The ${this.name} provider only sends JSON objects; this body is not one.`,
              );
            }
            const messageId = this.idPath ? jsonMessageId(request.rawBody, this.idPath) : id;
            return {
              secretVersion: secret.version,
              messageId,
              signedAt: signedAt === undefined ? undefined : new Date(signedAt * 1000),
              // An id header the template does not sign can be rewritten: dedupe on what is signed.
              ...(id !== undefined && !this.signsId ? { unsignedMessageId: true } : {}),
              ...(eventType !== undefined ? { unsignedEventType: eventType } : {}),
            };
          }
        }
      }
    }
    throw noMatchingSignature();
  }

  validateSecret(secret: string | Buffer): void {
    if (this.keyEncoding === 'utf8') utf8SecretBytes(secret);
    else decodeKey(secret, this.keyEncoding);
  }

  /** The string to sign, piece by piece, tested against the computed token alphabet. */
  private signsTokenShapedContent(body: Buffer, id?: string, timestamp?: string): boolean {
    const pieces: Array<string | Buffer | undefined> = [];
    for (const part of this.parts) {
      if ('text' in part) pieces.push(part.text);
      else if (part.value === 'body') pieces.push(body);
      else if (part.value === 'id') pieces.push(id);
      else if (part.value === 'timestamp') pieces.push(timestamp);
    }
    return isTokenShaped(...pieces);
  }

  private uses(placeholder: Placeholder): boolean {
    return this.parts.some((part) => 'value' in part && part.value === placeholder);
  }

  /** The digest as the provider writes it (hex in lower case, or canonical base64). */
  private digest(key: KeyObject, body: Buffer, id?: string, timestamp?: string): string {
    const hmac = createHmac(this.algorithm, key);
    for (const part of this.parts) {
      if ('text' in part) hmac.update(part.text, 'utf8');
      else if (part.value === 'body') hmac.update(body);
      else if (part.value === 'id') hmac.update(id!, 'utf8');
      else if (part.value === 'timestamp') hmac.update(timestamp!, 'utf8');
      else hmac.update(this.options.url!, 'utf8');
    }
    return hmac.digest(this.encoding);
  }

  private parseTimestamp(value: string): number {
    const header = this.timestampHeader!;
    switch (this.options.timestampFormat ?? 'unix-seconds') {
      case 'rfc3339':
        return parseRfc3339Seconds(value, header);
      case 'unix-milliseconds':
        if (!MILLIS.test(value)) throw invalidHeader(header, 'a Unix timestamp in milliseconds (digits only)');
        return Math.floor(Number(value) / 1000);
      default:
        return parseUnixSeconds(value, header);
    }
  }

  /** One signature: the prefix and a digest of the right size, else `invalid_header`. A list: the usable entries. */
  private parseSignatures(value: string): string[] {
    if (this.options.separator === undefined) {
      const digest = value.startsWith(this.prefix)
        ? digestText(value.slice(this.prefix.length), this.encoding, this.digestBytes)
        : undefined;
      if (!digest) throw invalidHeader(this.header, this.expectedSignature());
      return [digest];
    }
    const entries = value.split(this.options.separator);
    if (entries.length > MAX_LIST_ENTRIES) {
      throw invalidHeader(this.header, `a list of at most ${MAX_LIST_ENTRIES} signatures`);
    }
    const digests: string[] = [];
    for (const raw of entries) {
      const entry = raw.trim();
      if (!entry.startsWith(this.prefix)) continue;
      const digest = digestText(entry.slice(this.prefix.length), this.encoding, this.digestBytes);
      if (digest) digests.push(digest);
    }
    return digests;
  }

  private expectedSignature(): string {
    const prefix = this.prefix ? `"${this.prefix}" followed by ` : '';
    return `${prefix}a ${this.digestBytes}-byte ${this.encoding} digest`;
  }
}

/**
 * Builds an {@link HmacScheme} from data.
 * @publicApi
 * @example hmacSignature({ name: 'acme', header: 'x-acme-signature', prefix: 'sha512=', algorithm: 'sha512' })
 */
export function hmacSignature(options: HmacSchemeOptions): HmacScheme {
  return new HmacScheme(options);
}

function parseTemplate(template: string, name: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  let signsBody = false;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const placeholder = match[1];
    if (!PLACEHOLDERS.has(placeholder)) {
      throw new WebhookConfigurationError(
        `The ${name} scheme's template has an unknown placeholder {${placeholder}} (known: {body}, {id}, {timestamp}, {url}).`,
      );
    }
    if (match.index > last) parts.push({ text: template.slice(last, match.index) });
    parts.push({ value: placeholder as Placeholder });
    signsBody ||= placeholder === 'body';
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ text: template.slice(last) });
  if (!signsBody) {
    throw new WebhookConfigurationError(
      `The ${name} scheme's template must contain {body}: a signature that does not cover the body authenticates nothing.`,
    );
  }
  return parts;
}

function decodeKey(secret: string | Buffer, encoding: 'base64' | 'hex'): Buffer {
  if (Buffer.isBuffer(secret)) return utf8SecretBytes(secret);
  const valid = encoding === 'hex' ? /^(?:[0-9a-fA-F]{2})+$/.test(secret) : /^[A-Za-z0-9+/]+={0,2}$/.test(secret);
  if (!valid || (encoding === 'base64' && secret.length % 4 !== 0)) {
    throw new WebhookConfigurationError(`A webhook secret for this scheme must be ${encoding}.`);
  }
  return Buffer.from(secret, encoding);
}
