import { createHash, type KeyObject } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import { headerValue, type WebhookRequest } from '../request';
import { memoizeKey, type WebhookSecret } from '../secret';
import type {
  SignatureScheme,
  SignatureVerification,
  SignedDelivery,
  SignInput,
  VerifyContext,
} from '../signature-scheme';
import { assertWithinTolerance } from '../timestamp';
import {
  formatTimestamp,
  MAX_LIST_ENTRIES,
  parseTemplate as parseSigningTemplate,
  parseTimestamp,
  type TemplatePart,
} from './engine-parts';
import {
  createSignature,
  generateTestKeyPair,
  readPrivateKey,
  readPublicKey,
  verifySignature,
  type AsymmetricAlgorithm,
  type PublicKeyFormat,
  type TestKeyPair,
} from './public-keys';
import {
  assertHasSecrets,
  assertTolerance,
  decodeBase64,
  decodeDigest,
  invalidHeader,
  jsonMessageId,
  missingHeader,
  noMatchingSignature,
  readIdHeader,
  requireHeader,
  toPath,
} from './scheme-support';

/**
 * A provider's public-key signature described as data: the engine verifies with the endpoint's
 * configured public keys and signs (for tests and `hookwarden send`) with the private key.
 * @publicApi
 * @example
 * // Discord: X-Signature-Ed25519 = hex Ed25519 of timestamp + body, key = 64 hex digits
 * { name: 'discord', algorithm: 'ed25519', header: 'x-signature-ed25519', encoding: 'hex',
 *   template: '{timestamp}{body}', timestampHeader: 'x-signature-timestamp', idField: 'id',
 *   publicKey: { encoding: 'hex', label: 'A Discord public key' } }
 */
export interface AsymmetricSchemeOptions {
  /** Shown in logs and the admin API. */
  readonly name: string;
  readonly algorithm: AsymmetricAlgorithm;
  /**
   * How ECDSA signatures are written: DER, or raw r‖s (64 bytes, WebCrypto's form).
   * @default 'der'
   */
  readonly ecdsaFormat?: 'der' | 'raw';
  /**
   * The header that carries the signature, or several that may each carry one (Adobe's `-1` and
   * `-2`): at least one must be present, and any one verifying is enough. `sign()` fills the first.
   */
  readonly header: string | readonly string[];
  /** Text before each signature (`v1a,`); a single value without it is malformed. */
  readonly prefix?: string;
  /**
   * For a header listing several signatures (Standard Webhooks' `v1a,<b64> v1a,<b64>`): the
   * separator. Entries without the prefix (other versions) or malformed are skipped.
   */
  readonly separator?: string;
  readonly encoding: 'hex' | 'base64';
  /**
   * What is signed: literal text and the placeholders `{body}` (the raw bytes), `{body.sha256}`
   * (their lowercase hex SHA-256), `{body.crc32}` (their CRC-32/IEEE in unsigned decimal: not a
   * cryptographic digest, a body can be altered keeping it; only for providers that sign nothing
   * better), `{id}`, `{timestamp}` and `{header:NAME}` (header values exactly as received). It must
   * contain one of the body placeholders.
   * @default '{body}'
   */
  readonly template?: string;
  /**
   * For `sign()`: the value written in each header the template names with `{header:NAME}` (a test
   * value: a delivery carries the provider's). Required for every such header.
   */
  readonly signedHeaderValues?: Readonly<Record<string, string>>;
  /**
   * The body is `application/x-www-form-urlencoded` and what is signed in place of `{body}` is the
   * decoded value of this one field (Travis CI's `payload`); a body without it exactly once is malformed.
   */
  readonly signedFormField?: string;
  /** Header with the signed timestamp; then a request outside `toleranceSeconds` is refused. */
  readonly timestampHeader?: string;
  /** @default 'unix-seconds' */
  readonly timestampFormat?: 'unix-seconds' | 'unix-milliseconds' | 'rfc3339';
  /** @default 300 */
  readonly toleranceSeconds?: number;
  /** Header with the message id. Required when `{id}` is signed. */
  readonly idHeader?: string;
  /** Characters a header id may not hold, as they separate it from what follows in the template (`.,`). */
  readonly idExcludes?: string;
  /** Instead of `idHeader`: the field of the JSON body holding the message id, read once a signature verified. */
  readonly idField?: string | readonly string[];
  /** How the endpoint's secrets (the public keys) are written; `sign()` reads private keys alike. */
  readonly publicKey: PublicKeyFormat;
  /**
   * A provider-specific check of an authentic body, run only after a signature verified: it throws
   * a `WebhookVerificationError` to refuse a delivery signed for someone else (Adobe's
   * `recipient_client_id`).
   */
  readonly checkBody?: (rawBody: Buffer) => void;
}

type Placeholder = 'body' | 'body.sha256' | 'body.crc32' | 'id' | 'timestamp';
type Part = TemplatePart<Placeholder>;
const BODY_PLACEHOLDERS: readonly Placeholder[] = ['body', 'body.sha256', 'body.crc32'];
/** What a header named by `{header:NAME}` may hold: visible ASCII and spaces. */
const SIGNED_HEADER_VALUE = /^[\x20-\x7e]{1,1024}$/;
/** Signature sizes: Ed25519 and raw ECDSA are exact; DER ECDSA is at most 72 bytes, RSA-4096 512. */
const FIXED_BYTES = 64;
const MAX_DER_ECDSA_BYTES = 72;
const MAX_RSA_BYTES = 512;

/**
 * The asymmetric signature engine: Ed25519, ECDSA P-256/SHA-256 and RSA-SHA256 (PKCS#1 v1.5 or
 * PSS) over a template of the body, the id and the timestamp. Every live public key is tried
 * against every signature; `sign()` builds the headers from the same definition.
 * @publicApi
 */
export class AsymmetricScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = true;
  /** Public-key signatures: no HMAC keyed with the secret. */
  readonly refusesChallengeAnswers = true;
  /** Only set when a timestamp is signed: it bounds how long message ids are remembered. */
  readonly toleranceSeconds?: number;
  private readonly headers: readonly string[];
  private readonly prefix: string;
  private readonly parts: readonly Part[];
  private readonly dsaEncoding: 'der' | 'ieee-p1363';
  private readonly idHeader?: string;
  private readonly idPath?: readonly string[];
  private readonly timestampHeader?: string;
  private readonly signsId: boolean;
  private readonly publicKeyOf: (secret: WebhookSecret) => KeyObject;

  constructor(private readonly options: AsymmetricSchemeOptions) {
    const { name } = options;
    this.name = name;
    this.headers = (typeof options.header === 'string' ? [options.header] : options.header).map((h) => h.toLowerCase());
    if (this.headers.length === 0 || this.headers.some((h) => !h)) {
      throw new WebhookConfigurationError(`The ${name} scheme needs a signature header.`);
    }
    if (options.publicKey.encoding !== 'spki' && options.algorithm !== 'ed25519') {
      throw new WebhookConfigurationError(`The ${name} scheme reads raw keys, which only Ed25519 has: use spki.`);
    }
    this.prefix = options.prefix ?? '';
    this.dsaEncoding = options.ecdsaFormat === 'raw' ? 'ieee-p1363' : 'der';
    this.parts = parseTemplate(options.template ?? '{body}', name);
    this.signsId = this.uses('id');
    if (this.signsId && !options.idHeader) {
      throw new WebhookConfigurationError(`The ${name} scheme signs {id}, so it needs \`idHeader\`.`);
    }
    if (options.idHeader && options.idField) {
      throw new WebhookConfigurationError(`The ${name} scheme takes \`idHeader\` or \`idField\`, not both.`);
    }
    if (this.uses('timestamp') !== Boolean(options.timestampHeader)) {
      // An unsigned timestamp can be rewritten by anyone, so a window on it would protect nothing.
      throw new WebhookConfigurationError(
        `The ${name} scheme needs \`timestampHeader\` exactly when it signs {timestamp}.`,
      );
    }
    if (options.timestampHeader) this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, name);
    for (const part of this.parts) {
      if ('header' in part && options.signedHeaderValues?.[part.header] === undefined) {
        throw new WebhookConfigurationError(
          `The ${name} scheme signs the header ${part.header}, so it needs its \`signedHeaderValues\` for sign().`,
        );
      }
    }
    this.idHeader = options.idHeader?.toLowerCase();
    this.timestampHeader = options.timestampHeader?.toLowerCase();
    if (options.idField !== undefined) this.idPath = toPath(options.idField);
    this.publicKeyOf = memoizeKey((secret) => readPublicKey(secret.value, options.publicKey, options.algorithm));
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const signatures = this.readSignatures(request);
    const id = this.idHeader ? this.readId(request, this.idHeader) : undefined;
    const timestamp = this.timestampHeader ? requireHeader(request, this.timestampHeader) : undefined;
    const signedAt = timestamp === undefined ? undefined : this.parseTimestamp(timestamp);
    assertHasSecrets(secrets);
    if (signedAt !== undefined) {
      assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds!);
    }
    const signedHeaders = this.readSignedHeaders(request);
    const signed = this.signedBody(request.rawBody);
    if (signatures.length > 0) {
      const message = this.message(signed, id, timestamp, (name) => signedHeaders.get(name)!);
      const { algorithm } = this.options;
      for (const secret of secrets) {
        const key = this.publicKeyOf(secret);
        if (signatures.some((signature) => verifySignature(algorithm, message, key, signature, this.dsaEncoding))) {
          this.options.checkBody?.(request.rawBody);
          const messageId = this.idPath ? jsonMessageId(request.rawBody, this.idPath) : id;
          return {
            secretVersion: secret.version,
            ...(messageId !== undefined ? { messageId } : {}),
            ...(signedAt !== undefined ? { signedAt: new Date(signedAt * 1000) } : {}),
            // An id header the template does not sign can be rewritten: dedupe on what is signed.
            ...(id !== undefined && !this.signsId ? { unsignedMessageId: true } : {}),
          };
        }
      }
    }
    throw noMatchingSignature();
  }

  /**
   * Signs as the provider does. `key` is the private key: PEM, or for raw Ed25519 keys the provider's
   * own form, the 32-byte seed written like the public key (Discord: 64 hex digits; Standard
   * Webhooks: `whsk_` + base64).
   */
  sign(input: SignInput): SignedDelivery {
    const { algorithm, publicKey } = this.options;
    const key = readPrivateKey(input.key, publicKey, algorithm);
    const timestamp = this.timestampHeader ? this.formatTimestamp(input.timestamp) : undefined;
    const id = this.idHeader ? input.id : undefined;
    const values = this.options.signedHeaderValues ?? {};
    const message = this.message(this.signedBody(input.body), id, timestamp, (name) => values[name]);
    const signature = createSignature(algorithm, message, key, this.dsaEncoding);
    const headers: Record<string, string> = {
      [this.headers[0]]: this.prefix + signature.toString(this.options.encoding),
    };
    for (const part of this.parts) if ('header' in part) headers[part.header] = values[part.header];
    if (this.idHeader) headers[this.idHeader] = input.id;
    if (this.timestampHeader) headers[this.timestampHeader] = timestamp!;
    return { headers };
  }

  validateSecret(secret: string | Buffer): void {
    readPublicKey(secret, this.options.publicKey, this.options.algorithm);
  }

  /** A fresh key pair: the public key as the endpoint is configured, the private key as `sign()` reads it. */
  generateTestKey(): TestKeyPair {
    return generateTestKeyPair(this.options.publicKey, this.options.algorithm);
  }

  /** The signatures of every signature header present; none present is `missing_header`. */
  private readSignatures(request: WebhookRequest): Buffer[] {
    const signatures: Buffer[] = [];
    let present = false;
    for (const name of this.headers) {
      const value = headerValue(request, name);
      if (value === undefined || value === '') continue;
      present = true;
      if (this.options.separator === undefined) {
        const signature = value.startsWith(this.prefix) ? this.decode(value.slice(this.prefix.length)) : undefined;
        if (!signature) throw invalidHeader(name, this.expectedSignature());
        signatures.push(signature);
        continue;
      }
      const entries = value.split(this.options.separator);
      if (entries.length > MAX_LIST_ENTRIES) {
        throw invalidHeader(name, `a list of at most ${MAX_LIST_ENTRIES} signatures`);
      }
      for (const raw of entries) {
        const entry = raw.trim();
        const signature = entry.startsWith(this.prefix) ? this.decode(entry.slice(this.prefix.length)) : undefined;
        if (signature) signatures.push(signature);
      }
    }
    if (!present) throw missingHeader(this.headers[0]);
    return signatures;
  }

  /** An encoded signature of a size the algorithm can produce, or `undefined`. */
  private decode(text: string): Buffer | undefined {
    const { algorithm, encoding } = this.options;
    if (algorithm === 'ed25519' || this.dsaEncoding === 'ieee-p1363') return decodeDigest(text, encoding, FIXED_BYTES);
    const maxBytes = algorithm === 'ecdsa-p256-sha256' ? MAX_DER_ECDSA_BYTES : MAX_RSA_BYTES;
    if (encoding === 'hex') {
      return text.length <= maxBytes * 2 && /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined;
    }
    return text.length <= Math.ceil(maxBytes / 3) * 4 ? decodeBase64(text) : undefined;
  }

  private expectedSignature(): string {
    const prefix = this.prefix ? `"${this.prefix}" followed by ` : '';
    return `${prefix}a ${this.options.encoding} ${this.options.algorithm} signature`;
  }

  private readId(request: WebhookRequest, name: string): string | undefined {
    const id = readIdHeader(request, name, this.signsId);
    const excluded = this.options.idExcludes;
    if (id !== undefined && excluded && [...excluded].some((c) => id.includes(c))) {
      const list = [...excluded].map((c) => `'${c}'`).join(', ');
      throw invalidHeader(name, `1–256 visible ASCII characters without ${list}`);
    }
    return id;
  }

  /** The values of the headers the template signs with `{header:NAME}`: each required, of visible ASCII. */
  private readSignedHeaders(request: WebhookRequest): Map<string, string> {
    const values = new Map<string, string>();
    for (const part of this.parts) {
      if (!('header' in part)) continue;
      const value = requireHeader(request, part.header);
      if (!SIGNED_HEADER_VALUE.test(value)) throw invalidHeader(part.header, '1–1024 visible ASCII characters');
      values.set(part.header, value);
    }
    return values;
  }

  /** The bytes `{body}` stands for: the raw body, or the decoded value of `signedFormField`. */
  private signedBody(rawBody: Buffer): Buffer {
    const field = this.options.signedFormField;
    if (field === undefined) return rawBody;
    const values = new URLSearchParams(rawBody.toString('utf8')).getAll(field);
    if (values.length !== 1) {
      throw new WebhookVerificationError(
        WebhookErrorCode.InvalidBody,
        `The ${this.name} body must be a form with one "${field}" field.`,
      );
    }
    return Buffer.from(values[0], 'utf8');
  }

  /** What is signed, as bytes. */
  private message(
    body: Buffer,
    id: string | undefined,
    timestamp: string | undefined,
    header: (name: string) => string,
  ): Buffer {
    return Buffer.concat(
      this.parts.map((part) => {
        if ('text' in part) return Buffer.from(part.text, 'utf8');
        if ('header' in part) return Buffer.from(header(part.header), 'utf8');
        switch (part.value) {
          case 'body':
            return body;
          case 'body.sha256':
            return Buffer.from(createHash('sha256').update(body).digest('hex'), 'ascii');
          case 'body.crc32':
            return Buffer.from(String(crc32(body)), 'ascii');
          default:
            return Buffer.from((part.value === 'id' ? id : timestamp)!, 'utf8');
        }
      }),
    );
  }

  private uses(placeholder: Placeholder): boolean {
    return this.parts.some((part) => 'value' in part && part.value === placeholder);
  }

  private parseTimestamp(value: string): number {
    return parseTimestamp(value, this.options.timestampFormat ?? 'unix-seconds', this.timestampHeader!);
  }

  /** Unix seconds written the way `parseTimestamp` reads them back. */
  private formatTimestamp(seconds: number): string {
    return formatTimestamp(seconds, this.options.timestampFormat ?? 'unix-seconds');
  }
}

/**
 * Builds an {@link AsymmetricScheme} from data.
 * @publicApi
 */
export function asymmetricSignature(options: AsymmetricSchemeOptions): AsymmetricScheme {
  return new AsymmetricScheme(options);
}

function parseTemplate(template: string, name: string): Part[] {
  return parseSigningTemplate(template, name, [...BODY_PLACEHOLDERS, 'id', 'timestamp'], {
    headers: true,
    bodyPlaceholders: BODY_PLACEHOLDERS,
  });
}
