import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { isTokenShaped } from '../challenges/computed-token';
import { WebhookConfigurationError } from '../errors';
import { memoizeKey, type WebhookSecret } from '../secret';
import {
  DIGEST_BYTES,
  parseTemplate as parseSigningTemplate,
  signedValuesKey,
  type HmacAlgorithm,
} from './engine-parts';
import { assertPublicUrl, utf8SecretBytes } from './scheme-support';

// What the HMAC engines share: a template of what is signed, parsed once, and the key, the
// algorithm and the encoding that turn it into the digest a provider writes. `verify` and `sign`
// both go through `HmacTemplate.digest`, so they cannot drift apart.

export type { HmacAlgorithm, TimestampFormat } from './engine-parts';

/** How an HMAC is computed: the fields both HMAC engines take. @publicApi */
export interface HmacDigestOptions {
  /**
   * Shown in logs and the admin API.
   * @default 'hmac'
   */
  readonly name?: string;
  /** @default 'sha256' */
  readonly algorithm?: HmacAlgorithm;
  /** @default 'hex'. `base64url` is unpadded (RFC 4648 §5), as Sanity writes it. */
  readonly encoding?: 'hex' | 'base64' | 'base64url';
  /**
   * What is signed: literal text and the placeholders `{body}` (the raw bytes), `{id}` and
   * `{timestamp}` (the values exactly as received) and `{url}` (the configured `url`).
   * It must contain `{body}`: a signature that does not cover the body authenticates nothing.
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
  /**
   * Hook, instead of `keyEncoding`, for a provider whose secret has its own format: returns the key
   * bytes or throws a `WebhookConfigurationError` (Standard Webhooks: `whsec_` + base64 of 24–64 bytes).
   */
  readonly decodeKey?: (secret: string | Buffer) => Buffer;
  /**
   * Hook run by `validateSecret` only (at start-up and when a secret is added), for a format the
   * provider issues although the key is the text as is (Stripe's `whsec_…`, keyed whole).
   */
  readonly checkSecret?: (secret: string | Buffer) => void;
}

/** @internal */
export type Placeholder = 'body' | 'id' | 'timestamp' | 'url';
/** The request's values a template can sign, exactly as received. @internal */
export interface SignedValues {
  readonly body: Buffer;
  readonly id?: string;
  readonly timestamp?: string;
  /** Values of the headers the template names with `{header:NAME}`, by lower-case name. */
  readonly headers?: Readonly<Record<string, string>>;
}
/** A piece of the string to sign: literal text, a value of the request, or a header's value. */
type Part = { readonly text: string } | { readonly value: Placeholder } | { readonly header: string };

/** What an engine lets its template do besides the placeholders it lists. @internal */
export interface HmacTemplateFeatures {
  /** `{header:NAME}` parts. */
  readonly headers?: boolean;
  /** A template without `{body}`, for an engine told the body is not signed. */
  readonly bodyOptional?: boolean;
}

/** A character no computed challenge token holds (see `COMPUTED_TOKEN_PATTERN`). */
const NOT_TOKEN_CHARACTER = /[^A-Za-z0-9_+/=-]/;

const keyDecoders = {
  utf8: utf8SecretBytes,
  base64: (secret: string | Buffer) => decodeKey(secret, 'base64'),
  hex: (secret: string | Buffer) => decodeKey(secret, 'hex'),
};
/** Shared across schemes so that one secret object is imported once per encoding. */
const sharedKeys = {
  utf8: memoizeKey((secret: WebhookSecret) => createSecretKey(keyDecoders.utf8(secret.value))),
  base64: memoizeKey((secret: WebhookSecret) => createSecretKey(keyDecoders.base64(secret.value))),
  hex: memoizeKey((secret: WebhookSecret) => createSecretKey(keyDecoders.hex(secret.value))),
};

/** A parsed template with its key, algorithm and encoding. @internal */
export class HmacTemplate {
  readonly name: string;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: 'hex' | 'base64' | 'base64url';
  readonly digestBytes: number;
  /** The key of a configured secret, memoized per secret object. */
  readonly keyOf: (secret: WebhookSecret) => KeyObject;
  /**
   * Whether a literal of the template holds a character no computed challenge token can (`v0:`'s
   * colon, a URL's): then no string to sign is token-shaped and the per-request check is skipped.
   */
  readonly literalsRuleOutTokens: boolean;
  private readonly parts: readonly Part[];
  private readonly toKeyBytes: (secret: string | Buffer) => Buffer;

  constructor(
    private readonly options: HmacDigestOptions,
    allowed: readonly Placeholder[],
    defaultTemplate: string,
    features: HmacTemplateFeatures = {},
  ) {
    this.name = options.name ?? 'hmac';
    this.algorithm = options.algorithm ?? 'sha256';
    if (!(this.algorithm in DIGEST_BYTES)) {
      throw new WebhookConfigurationError(`The ${this.name} scheme's algorithm must be sha1, sha256 or sha512.`);
    }
    this.encoding = options.encoding ?? 'hex';
    if (this.encoding !== 'hex' && this.encoding !== 'base64' && this.encoding !== 'base64url') {
      throw new WebhookConfigurationError(`The ${this.name} scheme's encoding must be hex, base64 or base64url.`);
    }
    const keyEncoding = options.keyEncoding ?? 'utf8';
    if (!(keyEncoding in keyDecoders)) {
      throw new WebhookConfigurationError(`The ${this.name} scheme's keyEncoding must be utf8, base64 or hex.`);
    }
    const decode = options.decodeKey;
    this.toKeyBytes = decode ?? keyDecoders[keyEncoding];
    this.keyOf = decode ? memoizeKey((secret) => createSecretKey(decode(secret.value))) : sharedKeys[keyEncoding];
    this.digestBytes = DIGEST_BYTES[this.algorithm];
    this.parts = parseTemplate(options.template ?? defaultTemplate, this.name, allowed, features);
    if (this.uses('url')) assertPublicUrl(options.url, 'url', this.name);
    this.literalsRuleOutTokens = this.parts.some(
      (part) => ('text' in part && NOT_TOKEN_CHARACTER.test(part.text)) || ('value' in part && part.value === 'url'),
    );
  }

  uses(placeholder: Placeholder): boolean {
    return this.parts.some((part) => 'value' in part && part.value === placeholder);
  }

  /** The headers the template signs (`{header:NAME}`), lower-cased, each once. */
  signedHeaders(): string[] {
    return [...new Set(this.parts.flatMap((part) => ('header' in part ? [part.header] : [])))];
  }

  /**
   * A key naming what is signed, for deduplicating a scheme that does not sign the body: SHA-256
   * over each signed value with its length, so that no two different contents share a key.
   */
  contentKey(values: SignedValues): string {
    return signedValuesKey(this.parts.flatMap((part) => ('text' in part ? [] : [this.valueOf(part, values)])));
  }

  /** The key bytes of a secret or a signing key; throws `WebhookConfigurationError` when unusable. */
  keyBytes(secret: string | Buffer): Buffer {
    return this.toKeyBytes(secret);
  }

  validateSecret(secret: string | Buffer): void {
    this.toKeyBytes(secret);
    this.options.checkSecret?.(secret);
  }

  /** The digest as the provider writes it (hex in lower case, canonical base64, or unpadded base64url). */
  digest(key: KeyObject | Buffer, values: SignedValues): string {
    const hmac = createHmac(this.algorithm, key);
    // Adjacent text (Stripe's "<t>." before its body) goes in one update: each call into the
    // native hash costs ~0.15 µs, a tenth of an HMAC of 1 KiB.
    let text = '';
    for (const part of this.parts) {
      const value = 'text' in part ? part.text : this.valueOf(part, values);
      if (typeof value === 'string') {
        text += value;
        continue;
      }
      if (text !== '') hmac.update(text, 'utf8');
      text = '';
      hmac.update(value);
    }
    if (text !== '') hmac.update(text, 'utf8');
    return hmac.digest(this.encoding);
  }

  private valueOf(part: Exclude<Part, { readonly text: string }>, values: SignedValues): Buffer | string {
    if ('header' in part) return values.headers![part.header];
    if (part.value === 'body') return values.body;
    if (part.value === 'id') return values.id!;
    if (part.value === 'timestamp') return values.timestamp!;
    return this.options.url!;
  }

  /**
   * Whether the string to sign is made only of token characters: it could then be a computed
   * challenge answer's input (X's CRC signs crc_token with the consumer secret).
   */
  signsTokenShaped(values: SignedValues): boolean {
    if (this.literalsRuleOutTokens) return false;
    const pieces: Array<string | Buffer | undefined> = [];
    for (const part of this.parts) {
      if ('text' in part) pieces.push(part.text);
      else if ('header' in part) pieces.push(values.headers?.[part.header]);
      else if (part.value === 'body') pieces.push(values.body);
      else if (part.value === 'id') pieces.push(values.id);
      else if (part.value === 'timestamp') pieces.push(values.timestamp);
    }
    return isTokenShaped(...pieces);
  }
}

// Moved to engine-parts.ts, which every engine shares; still exported from here for the engines built on it.
export { formatTimestamp, parseTimestamp } from './engine-parts';

/** The HMAC templates: `{header:…}` only where the engine allows it, and only `{body}` covers the body. */
function parseTemplate(
  template: string,
  name: string,
  allowed: readonly Placeholder[],
  features: HmacTemplateFeatures,
): Part[] {
  return parseSigningTemplate(template, name, allowed, features) as Part[];
}

function decodeKey(secret: string | Buffer, encoding: 'base64' | 'hex'): Buffer {
  if (Buffer.isBuffer(secret)) return utf8SecretBytes(secret);
  const valid = encoding === 'hex' ? /^(?:[0-9a-fA-F]{2})+$/.test(secret) : /^[A-Za-z0-9+/]+={0,2}$/.test(secret);
  if (!valid || (encoding === 'base64' && secret.length % 4 !== 0)) {
    throw new WebhookConfigurationError(`A webhook secret for this scheme must be ${encoding}.`);
  }
  return Buffer.from(secret, encoding);
}
