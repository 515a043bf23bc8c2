import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../constant-time';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import type { WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type {
  SignatureScheme,
  SignatureVerification,
  SignedDelivery,
  SignInput,
  VerifyContext,
} from '../signature-scheme';
import { assertWithinTolerance } from '../timestamp';
import {
  DIGEST_BYTES,
  formatTimestamp,
  parseTemplate,
  parseTimestamp,
  type FieldPart,
  type HmacAlgorithm,
  type TemplatePart,
  type TimestampFormat,
} from './engine-parts';
import { extendsEarlierMessage } from './length-extension';
import {
  assertHasSecrets,
  assertPublicUrl,
  assertTolerance,
  decodeDigest,
  invalidHeader,
  jsonMessageId,
  noMatchingSignature,
  parseJsonObject,
  requireHeader,
  toPath,
  utf8SecretBytes,
} from './scheme-support';

/**
 * A plain digest (SHA-1/256/512 of a text that contains the secret) described as data. This is the
 * WEAKER scheme some providers still use instead of an HMAC: hashing `message + secret` is not a MAC
 * construction (SHA-1 and SHA-2 allow length extension when the secret comes first, and SHA-1
 * collisions are practical). Prefer the provider's HMAC scheme where it offers one.
 * @publicApi
 * @example
 * // Cloudinary: X-Cld-Signature = hex SHA-1 of body + X-Cld-Timestamp + API secret
 * { name: 'cloudinary', signature: { header: 'x-cld-signature' }, algorithm: 'sha1',
 *   template: '{body}{timestamp}{secret}', timestampHeader: 'x-cld-timestamp', toleranceSeconds: 7200 }
 */
export interface DigestSchemeOptions {
  /** Shown in logs and the admin API. */
  readonly name: string;
  /** Where the digest is: a header (after an optional prefix), or a top-level string field of the JSON body. */
  readonly signature: { readonly header: string; readonly prefix?: string } | { readonly bodyField: string };
  /** @default 'sha256' */
  readonly algorithm?: HmacAlgorithm;
  /** @default 'hex' */
  readonly encoding?: 'hex' | 'base64';
  /**
   * What is hashed: literal text and `{secret}` (the secret's UTF-8 text, required), `{body}` (the
   * raw bytes), `{timestamp}` (as received), `{url}` (the configured URL) and `{field:name}` (a
   * top-level string field of the JSON body, as sent). A template without `{body}` covers only the
   * fields it names: the rest of the body is not authenticated.
   */
  readonly template: string;
  /** The value of `{url}`: the public URL the provider calls, exactly as registered. */
  readonly url?: string;
  /** Header with the hashed timestamp; then a request outside `toleranceSeconds` is refused. */
  readonly timestampHeader?: string;
  /** @default 'unix-seconds' */
  readonly timestampFormat?: TimestampFormat;
  /** @default 300 */
  readonly toleranceSeconds?: number;
  /** Headers that must have exactly this value (HubSpot's `x-hubspot-signature-version: v1`); `sign()` sends them. */
  readonly requiredHeaders?: Readonly<Record<string, string>>;
  /** A field of the JSON body holding the message id, read once the digest matched. */
  readonly idField?: string | readonly string[];
}

type Placeholder = 'secret' | 'body' | 'timestamp' | 'url';
/** Without the `headers` option a template has no `{header:NAME}` part. */
type Part = Exclude<TemplatePart<Placeholder>, { readonly header: string }> | FieldPart;
/** A hashed body field: printable text, bounded. */
const FIELD = /^[\x20-\x7e]{1,256}$/;

/**
 * The plain-digest engine: `hash(template)` with the secret inside the template, compared in
 * constant time with the digest the provider sent. Every live secret is tried. `sign()` writes what
 * `verify()` reads. It is the weaker scheme (see {@link DigestSchemeOptions}); it exists because
 * Cloudinary, HubSpot (v1/v2) and Midtrans sign this way.
 * @publicApi
 */
export class DigestScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = true;
  /** What is hashed holds the secret itself, not an HMAC keyed with it: no challenge answer is one. */
  readonly refusesChallengeAnswers = true;
  readonly toleranceSeconds?: number;
  private readonly parts: readonly Part[];
  private readonly algorithm: HmacAlgorithm;
  private readonly encoding: 'hex' | 'base64';
  private readonly header?: string;
  private readonly prefix: string;
  private readonly timestampHeader?: string;
  private readonly timestampFormat: TimestampFormat;
  private readonly fields: readonly string[];
  private readonly requiredHeaders: ReadonlyArray<readonly [string, string]>;
  private readonly idPath?: readonly string[];

  constructor(private readonly options: DigestSchemeOptions) {
    const { name } = options;
    this.name = name;
    this.algorithm = options.algorithm ?? 'sha256';
    this.encoding = options.encoding ?? 'hex';
    if (!(this.algorithm in DIGEST_BYTES) || (this.encoding !== 'hex' && this.encoding !== 'base64')) {
      throw new WebhookConfigurationError(
        `The ${name} scheme's algorithm must be sha1, sha256 or sha512, in hex or base64.`,
      );
    }
    // The template's own checks below say what it must hold: {secret}, and {body} or body fields.
    this.parts = parseTemplate<Placeholder>(options.template, name, ['secret', 'body', 'timestamp', 'url'], {
      fields: true,
      bodyOptional: true,
    }) as Part[];
    const uses = (value: string) => this.parts.some((part) => 'value' in part && part.value === value);
    this.fields = this.parts.flatMap((part) => ('field' in part ? [part.field] : []));
    if (!uses('secret') || (!uses('body') && this.fields.length === 0)) {
      throw new WebhookConfigurationError(
        `The ${name} scheme's template must contain {secret} and {body} or body fields: otherwise it authenticates nothing.`,
      );
    }
    if ('header' in options.signature) {
      this.header = options.signature.header.toLowerCase();
      this.prefix = options.signature.prefix ?? '';
    } else {
      if (uses('body')) {
        throw new WebhookConfigurationError(`The ${name} scheme cannot hash {body} when the digest travels inside it.`);
      }
      this.prefix = '';
    }
    if (uses('timestamp') !== Boolean(options.timestampHeader)) {
      // An unsigned timestamp can be rewritten by anyone, so a window on it would protect nothing.
      throw new WebhookConfigurationError(
        `The ${name} scheme needs \`timestampHeader\` exactly when it hashes {timestamp}.`,
      );
    }
    if (options.timestampHeader) {
      this.timestampHeader = options.timestampHeader.toLowerCase();
      this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, name);
    }
    this.timestampFormat = options.timestampFormat ?? 'unix-seconds';
    if (uses('url')) assertPublicUrl(options.url, 'url', name);
    this.requiredHeaders = Object.entries(options.requiredHeaders ?? {}).map(([key, value]) => [
      key.toLowerCase(),
      value,
    ]);
    if (options.idField !== undefined) this.idPath = toPath(options.idField);
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const body = this.fields.length > 0 || !this.header ? parseJsonObject(request.rawBody) : undefined;
    const expected = this.readDigest(request, body);
    for (const [name, value] of this.requiredHeaders) {
      if (requireHeader(request, name) !== value) throw invalidHeader(name, value);
    }
    const timestamp = this.timestampHeader ? requireHeader(request, this.timestampHeader) : undefined;
    const signedAt =
      timestamp === undefined ? undefined : parseTimestamp(timestamp, this.timestampFormat, this.timestampHeader!);
    const fields = this.readFields(body);
    assertHasSecrets(secrets);
    if (signedAt !== undefined) {
      assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds!);
    }
    for (const secret of secrets) {
      const secretBytes = utf8SecretBytes(secret.value);
      const digest = this.digest(secretBytes, request.rawBody, timestamp, fields);
      if (constantTimeEqual(digest, expected)) {
        if (this.extended(secretBytes, request.rawBody, timestamp, fields)) {
          throw noMatchingSignature(
            `The body carries the ${this.name} digest's own padding: a signed body extended without the secret.`,
          );
        }
        const messageId = this.idPath ? jsonMessageId(request.rawBody, this.idPath) : undefined;
        return {
          secretVersion: secret.version,
          ...(messageId !== undefined ? { messageId } : {}),
          ...(signedAt !== undefined ? { signedAt: new Date(signedAt * 1000) } : {}),
        };
      }
    }
    throw noMatchingSignature();
  }

  /** Signs as the provider does: the digest header (or body field), the timestamp and required headers. */
  sign(input: SignInput): SignedDelivery {
    const timestamp = this.timestampHeader ? formatTimestamp(input.timestamp, this.timestampFormat) : undefined;
    const json = this.fields.length > 0 || !this.header ? parseJsonObject(input.body) : undefined;
    const fields = this.fields.length > 0 ? this.readFields(json) : new Map<string, string>();
    const digest = this.digest(utf8SecretBytes(input.key), input.body, timestamp, fields).toString(this.encoding);
    if (!this.header) {
      const field = (this.options.signature as { bodyField: string }).bodyField;
      return { headers: {}, body: Buffer.from(JSON.stringify({ ...json, [field]: digest }), 'utf8') };
    }
    const headers: Record<string, string> = { [this.header]: this.prefix + digest };
    for (const [name, value] of this.requiredHeaders) headers[name] = value;
    if (this.timestampHeader) headers[this.timestampHeader] = timestamp!;
    return { headers };
  }

  validateSecret(secret: string | Buffer): void {
    utf8SecretBytes(secret);
  }

  private readDigest(request: WebhookRequest, body: Record<string, unknown> | undefined): Buffer {
    const bytes = DIGEST_BYTES[this.algorithm];
    if (this.header) {
      const value = requireHeader(request, this.header);
      const digest = value.startsWith(this.prefix)
        ? decodeDigest(value.slice(this.prefix.length), this.encoding, bytes)
        : undefined;
      if (!digest) throw invalidHeader(this.header, `a ${bytes}-byte ${this.encoding} digest`);
      return digest;
    }
    const field = (this.options.signature as { bodyField: string }).bodyField;
    const sent = body && Object.prototype.hasOwnProperty.call(body, field) ? body[field] : undefined;
    const digest = typeof sent === 'string' ? decodeDigest(sent, this.encoding, bytes) : undefined;
    if (!digest) {
      // No header to call malformed: a body without its digest is simply unauthenticated.
      throw noMatchingSignature(`The body carries no well-formed ${this.name} digest in "${field}".`);
    }
    return digest;
  }

  /** The hashed body fields, each a short printable string, or the request is refused. */
  private readFields(body: Record<string, unknown> | undefined): Map<string, string> {
    const fields = new Map<string, string>();
    for (const name of this.fields) {
      const value = body && Object.prototype.hasOwnProperty.call(body, name) ? body[name] : undefined;
      if (typeof value !== 'string' || !FIELD.test(value)) {
        throw new WebhookVerificationError(
          WebhookErrorCode.InvalidBody,
          `The ${this.name} body needs "${name}" as a string of printable characters.`,
        );
      }
      fields.set(name, value);
    }
    return fields;
  }

  /**
   * Whether the body is a length extension of a shorter signed message: possible when the secret
   * is hashed before the body (HubSpot v1 and v2). See {@link extendsEarlierMessage}.
   */
  private extended(secret: Buffer, body: Buffer, timestamp: string | undefined, fields: ReadonlyMap<string, string>) {
    const bytes = (part: Part): Buffer => {
      if ('text' in part) return Buffer.from(part.text, 'utf8');
      if ('field' in part) return Buffer.from(fields.get(part.field)!, 'utf8');
      if (part.value === 'secret') return secret;
      if (part.value === 'body') return body;
      return Buffer.from(part.value === 'timestamp' ? timestamp! : this.options.url!, 'utf8');
    };
    const at = this.parts.findIndex((part) => 'value' in part && part.value === 'body');
    const secretAt = this.parts.findIndex((part) => 'value' in part && part.value === 'secret');
    if (at < 0 || secretAt > at) return false;
    const bodyStart = this.parts.slice(0, at).reduce((length, part) => length + bytes(part).length, 0);
    // The padding starts in the body, but its length field may run on into what is hashed after it
    // (a timestamp of digits takes the last byte): the check covers the message to its end.
    const after = this.parts.slice(at + 1).map(bytes);
    const tail = after.length > 0 ? Buffer.concat([body, ...after]) : body;
    return extendsEarlierMessage(this.algorithm, bodyStart, tail);
  }

  private digest(secret: Buffer, body: Buffer, timestamp: string | undefined, fields: ReadonlyMap<string, string>) {
    const hash = createHash(this.algorithm);
    for (const part of this.parts) {
      if ('text' in part) hash.update(part.text, 'utf8');
      else if ('field' in part) hash.update(fields.get(part.field)!, 'utf8');
      else if (part.value === 'secret') hash.update(secret);
      else if (part.value === 'body') hash.update(body);
      else if (part.value === 'timestamp') hash.update(timestamp!, 'utf8');
      else hash.update(this.options.url!, 'utf8');
    }
    return hash.digest();
  }
}

/**
 * Builds a {@link DigestScheme} from data.
 * @publicApi
 */
export function digestSignature(options: DigestSchemeOptions): DigestScheme {
  return new DigestScheme(options);
}
