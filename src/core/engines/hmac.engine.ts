import { tokenShapedDelivery } from '../challenges/computed-token';
import { constantTimeEqualsAnyText } from '../constant-time';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import { headerValue, type WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type {
  SignatureScheme,
  SignatureVerification,
  SignedDelivery,
  SignInput,
  VerifyContext,
} from '../signature-scheme';
import { assertWithinTolerance } from '../timestamp';
import { MAX_LIST_ENTRIES } from './engine-parts';
import { readBodyTimestamp, readSignatureField, withBodyTimestamp, withSignatureField } from './hmac-body';
import {
  formatTimestamp,
  HmacTemplate,
  parseTimestamp,
  type HmacDigestOptions,
  type TimestampFormat,
} from './hmac-template';
import {
  assertHasSecrets,
  assertTolerance,
  digestText,
  invalidHeader,
  jsonMessageId,
  missingHeader,
  noMatchingSignature,
  parseJsonObject,
  readIdHeader,
  requireHeader,
  toPath,
} from './scheme-support';

export type { HmacAlgorithm, HmacDigestOptions, TimestampFormat } from './hmac-template';

/**
 * A provider's HMAC signature described as data. Every field but `header` has a default, so the
 * common "hex HMAC-SHA256 of the body in one header" is `{ header: 'x-signature' }`.
 * @publicApi
 * @example
 * // Slack: X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">
 * { name: 'slack', header: 'x-slack-signature', prefix: 'v0=', template: 'v0:{timestamp}:{body}',
 *   timestampHeader: 'x-slack-request-timestamp', toleranceSeconds: 300 }
 */
export interface HmacSchemeOptions extends HmacDigestOptions {
  /**
   * The header that carries the signature (any case). Several: each present one is read and any
   * signature matching is enough (Box signs with two keys, in `-primary` and `-secondary`); at
   * least one must be present, and `sign()` writes the first.
   */
  readonly header?: string | readonly string[];
  /**
   * Instead of `header`: the field of the JSON object body holding the signature (`'hash'`,
   * `'auth.signature'`). The body then cannot be signed, so it needs `signsBody: false`.
   */
  readonly signatureField?: string | readonly string[];
  /**
   * Declares that the template leaves the body out (it signs headers only, with `{header:NAME}`):
   * a WEAKER scheme, which authenticates what it names but lets the body be altered. Such a scheme
   * dedupes on what it signs, reads no id or timestamp from the body, and does not promise to refuse
   * computed challenge answers (an endpoint with an HMAC challenge keyed with the same secret is
   * refused at start-up). Only for providers that sign nothing else.
   */
  readonly signsBody?: false;
  /** Text before the encoded digest (`sha256=`, `v0=`); a value without it is malformed. */
  readonly prefix?: string;
  /**
   * A single signature may also come without `prefix` (a bare digest): for providers whose own
   * SDK strips an optional prefix (Mollie's `sha256=`). `sign()` still writes the prefix.
   * @default false
   */
  readonly prefixOptional?: boolean;
  /**
   * For headers that list several signatures during a key roll (PagerDuty `v1=…,v1=…`, Standard
   * Webhooks `v1,… v1,…`): the separator. Entries without the prefix, or malformed, are skipped;
   * any one matching is enough.
   */
  readonly separator?: string;
  /** Headers that must have exactly this value (Box's `box-signature-version: 1`); `sign()` sends them. */
  readonly requiredHeaders?: Readonly<Record<string, string>>;
  /** Header with the provider's message id, used to drop duplicates. Required when `{id}` is signed. */
  readonly idHeader?: string;
  /**
   * Characters a message id must not hold besides spaces (`'.,'` for Standard Webhooks, whose
   * `id.timestamp.body` would otherwise be ambiguous).
   */
  readonly idExcludes?: string;
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
  /**
   * The form of the provider's event names in `eventTypeHeader` (GitHub's `pull_request`, Shopify's
   * `orders/create`); another value is refused (`invalid_header`). The header is unsigned and enters
   * the dedupe key: without a form, any made-up or re-cased name made a captured delivery new again.
   */
  readonly eventTypePattern?: RegExp;
  /** Header with the signed timestamp; then a request outside `toleranceSeconds` is refused. */
  readonly timestampHeader?: string;
  /** @default 'unix-seconds' */
  readonly timestampFormat?: TimestampFormat;
  /**
   * Instead of `timestampHeader`: a top-level field of the signed JSON body holding the timestamp
   * (Linear's `webhookTimestamp`, in milliseconds), checked once the signature matched. A body
   * without a usable one is refused (`timestamp_too_old`): its freshness cannot be judged.
   */
  readonly bodyTimestamp?: { readonly field: string; readonly format?: 'unix-seconds' | 'unix-milliseconds' };
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

/**
 * The generic HMAC signature scheme: the schemes of GitHub, Slack, Shopify, Zoom, Twitch, Box,
 * Linear, Standard Webhooks, Meta and most other providers are instances of it, and a new provider
 * can be one too (see `hmacEndpoint()`). Every live secret is tried; the digest is compared with
 * each signature in constant time. `sign()` writes what `verify()` reads, from the same template.
 * @publicApi
 */
export class HmacScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = true;
  /** Refuses a delivery whose string to sign is token-shaped (see verify). */
  readonly refusesChallengeAnswers: boolean;
  /** Only set when a timestamp is signed: it bounds how long message ids are remembered. */
  readonly toleranceSeconds?: number;
  private readonly template: HmacTemplate;
  /** Header names in lower case and what the template signs, worked out once rather than per request. */
  private readonly headers: readonly string[];
  private readonly prefix: string;
  private readonly requiredHeaders: ReadonlyArray<readonly [string, string]>;
  private readonly idPath?: readonly string[];
  private readonly idHeader?: string;
  /** The characters an id header may not hold, one by one. */
  private readonly idExcludes: readonly string[];
  private readonly eventTypeHeader?: string;
  private readonly eventTypePattern?: RegExp;
  private readonly timestampHeader?: string;
  private readonly timestampFormat: TimestampFormat;
  private readonly signsId: boolean;
  /** The headers the template signs with `{header:NAME}`. */
  private readonly signedHeaders: readonly string[];
  private readonly signaturePath?: readonly string[];

  constructor(private readonly options: HmacSchemeOptions) {
    this.name = options.name ?? 'hmac';
    const headers = typeof options.header === 'string' ? [options.header] : (options.header ?? []);
    if (options.signatureField !== undefined) {
      if (headers.length > 0 || options.signsBody !== false || options.separator !== undefined) {
        throw new WebhookConfigurationError(
          `The ${this.name} scheme reads its signature from the body (signatureField): it takes no \`header\` or \`separator\` and needs \`signsBody: false\`.`,
        );
      }
      this.signaturePath = toPath(options.signatureField);
    } else if (headers.length === 0 || headers.some((header) => !header)) {
      throw new WebhookConfigurationError(`The ${this.name} scheme needs a signature header.`);
    }
    if (options.signsBody === false && (options.idField !== undefined || options.bodyTimestamp !== undefined)) {
      throw new WebhookConfigurationError(
        `The ${this.name} scheme does not sign the body, so it cannot read an id or a timestamp from it.`,
      );
    }
    this.headers = headers.map((header) => header.toLowerCase());
    this.prefix = options.prefix ?? '';
    this.template = new HmacTemplate(options, ['body', 'id', 'timestamp', 'url'], '{body}', {
      headers: true,
      bodyOptional: options.signsBody === false,
    });
    if (this.signaturePath && this.template.uses('body')) {
      throw new WebhookConfigurationError(`The ${this.name} scheme cannot sign {body}: the body holds the signature.`);
    }
    this.signedHeaders = this.template.signedHeaders();
    // A scheme that may sign a bare token (a header value) cannot promise what X's CRC needs.
    this.refusesChallengeAnswers = options.signsBody !== false;
    const uses = (placeholder: 'id' | 'timestamp') => this.template.uses(placeholder);
    if (uses('id') && !options.idHeader) {
      throw new WebhookConfigurationError(`The ${this.name} scheme signs {id}, so it needs \`idHeader\`.`);
    }
    if (uses('timestamp') && !options.timestampHeader) {
      throw new WebhookConfigurationError(
        `The ${this.name} scheme signs {timestamp}, so it needs \`timestampHeader\`.`,
      );
    }
    if (options.idHeader && options.idField) {
      throw new WebhookConfigurationError(`The ${this.name} scheme takes \`idHeader\` or \`idField\`, not both.`);
    }
    if (options.timestampHeader && options.bodyTimestamp) {
      throw new WebhookConfigurationError(
        `The ${this.name} scheme takes \`timestampHeader\` or \`bodyTimestamp\`, not both.`,
      );
    }
    if (options.idField !== undefined) this.idPath = toPath(options.idField);
    this.idHeader = options.idHeader?.toLowerCase();
    this.idExcludes = [...(options.idExcludes ?? '')];
    this.eventTypeHeader = options.eventTypeHeader?.toLowerCase();
    this.eventTypePattern = options.eventTypePattern;
    this.timestampHeader = options.timestampHeader?.toLowerCase();
    this.timestampFormat = options.timestampFormat ?? 'unix-seconds';
    this.requiredHeaders = Object.entries(options.requiredHeaders ?? {}).map(([name, value]) => [
      name.toLowerCase(),
      value,
    ]);
    this.signsId = uses('id');
    if (options.timestampHeader || options.bodyTimestamp) {
      this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, this.name);
      if (options.timestampHeader && !uses('timestamp')) {
        // An unsigned timestamp can be rewritten by anyone, so a window on it would protect nothing.
        throw new WebhookConfigurationError(
          `The ${this.name} scheme reads \`timestampHeader\` but its template does not sign {timestamp}.`,
        );
      }
    }
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const signatureValues = this.signaturePath
      ? readSignatureField(request.rawBody, this.signaturePath)
      : this.readSignatureHeaders(request);
    const signedHeaders =
      this.signedHeaders.length === 0
        ? NO_HEADERS
        : Object.fromEntries(this.signedHeaders.map((name) => [name, requireHeader(request, name)]));
    const id = this.idHeader ? this.readId(request, this.idHeader) : undefined;
    const eventType = this.eventTypeHeader ? this.readEventType(request, this.eventTypeHeader) : undefined;
    const timestamp = this.timestampHeader ? requireHeader(request, this.timestampHeader) : undefined;
    for (const [name, expected] of this.requiredHeaders) {
      if (requireHeader(request, name) !== expected) throw invalidHeader(name, expected);
    }
    const signedAt =
      timestamp === undefined ? undefined : parseTimestamp(timestamp, this.timestampFormat, this.timestampHeader!);
    const candidates =
      signatureValues.length === 1
        ? this.parseSignatures(signatureValues[0][0], signatureValues[0][1])
        : signatureValues.flatMap(([header, value]) => this.parseSignatures(header, value));
    const values = { body: request.rawBody, id, timestamp, headers: signedHeaders };
    // A string to sign made only of token characters could be a computed challenge answer's input
    // (X's CRC signs crc_token with the consumer secret): refused, so no answer is ever a signature.
    if (this.refusesChallengeAnswers && this.template.signsTokenShaped(values)) throw tokenShapedDelivery();
    assertHasSecrets(secrets);
    const now = Math.floor(context.receivedAt / 1000);
    if (signedAt !== undefined) assertWithinTolerance(signedAt, now, this.toleranceSeconds!);
    for (const secret of candidates.length > 0 ? secrets : []) {
      const digest = this.template.digest(this.template.keyOf(secret), values);
      if (!constantTimeEqualsAnyText(digest, candidates)) continue;
      if (this.options.jsonObjectBody && parseJsonObject(request.rawBody) === undefined) {
        throw new WebhookVerificationError(
          WebhookErrorCode.InvalidBody,
          `The ${this.name} provider only sends JSON objects; this body is not one.`,
        );
      }
      const bodySignedAt = this.options.bodyTimestamp
        ? readBodyTimestamp(request.rawBody, now, this.options.bodyTimestamp, this.toleranceSeconds!, this.name)
        : undefined;
      const at = signedAt ?? bodySignedAt;
      const verified: Mutable<SignatureVerification> = {
        secretVersion: secret.version,
        messageId: this.idPath ? jsonMessageId(request.rawBody, this.idPath) : id,
        signedAt: at === undefined ? undefined : new Date(at * 1000),
      };
      // An id header the template does not sign can be rewritten: dedupe on what is signed.
      if (id !== undefined && !this.signsId) verified.unsignedMessageId = true;
      if (eventType !== undefined) verified.unsignedEventType = eventType;
      // The body is not signed: a replay is the same signed content whatever body comes with it.
      if (this.options.signsBody === false) verified.signedContentKey = this.template.contentKey(values);
      return verified;
    }
    throw noMatchingSignature();
  }

  /**
   * Signs a delivery as the provider does, from the same template `verify` reads: the signature
   * header (prefix and digest), the required headers, and the id, timestamp and event-type headers
   * this definition names. With `bodyTimestamp`, the JSON object body gets the signed time in that
   * field (re-serialised only when it held another value), since that is what `verify` reads.
   */
  sign(input: SignInput): SignedDelivery {
    const id = this.idHeader ? input.id : undefined;
    const timestamp = this.timestampHeader ? formatTimestamp(input.timestamp, this.timestampFormat) : undefined;
    const body = this.options.bodyTimestamp
      ? withBodyTimestamp(input.body, input.timestamp, this.options.bodyTimestamp)
      : input.body;
    // A signed header the definition does not otherwise write carries the delivery's id (a fresh token).
    const signed = Object.fromEntries(this.signedHeaders.map((name) => [name, input.id]));
    const digest = this.template.digest(this.template.keyBytes(input.key), { body, id, timestamp, headers: signed });
    if (this.signaturePath) {
      return { headers: signed, body: withSignatureField(body, this.signaturePath, this.prefix + digest, this.name) };
    }
    const headers: Record<string, string> = { ...signed, [this.headers[0]]: this.prefix + digest };
    for (const [name, value] of this.requiredHeaders) headers[name] = value;
    if (this.idHeader) headers[this.idHeader] = input.id;
    if (this.timestampHeader) headers[this.timestampHeader] = timestamp!;
    if (this.eventTypeHeader && input.eventType !== undefined) headers[this.eventTypeHeader] = input.eventType;
    return body === input.body ? { headers } : { headers, body };
  }

  validateSecret(secret: string | Buffer): void {
    this.template.validateSecret(secret);
  }

  /** The signature headers present, by name; none is `missing_header` (naming the first). */
  private readSignatureHeaders(request: WebhookRequest): Array<[string, string]> {
    if (this.headers.length === 1) return [[this.headers[0], requireHeader(request, this.headers[0])]];
    const present: Array<[string, string]> = [];
    for (const header of this.headers) {
      const value = headerValue(request, header);
      if (value !== undefined && value !== '') present.push([header, value]);
    }
    if (present.length === 0) throw missingHeader(this.headers[0]);
    return present;
  }

  private readEventType(request: WebhookRequest, header: string): string | undefined {
    const eventType = readIdHeader(request, header, false);
    if (eventType !== undefined && this.eventTypePattern && !this.eventTypePattern.test(eventType)) {
      throw invalidHeader(header, `a ${this.name} event name`);
    }
    return eventType;
  }

  private readId(request: WebhookRequest, header: string): string | undefined {
    const id = readIdHeader(request, header, this.signsId);
    const excluded = this.idExcludes;
    if (id !== undefined && excluded.length > 0 && excluded.some((character) => id.includes(character))) {
      const list = excluded.map((character) => `'${character}'`).join(', ');
      throw invalidHeader(header, `1–256 visible ASCII characters without ${list} or spaces`);
    }
    return id;
  }

  /** One signature: the prefix and a digest of the right size, else `invalid_header`. A list: the usable entries. */
  private parseSignatures(header: string, value: string): string[] {
    const { encoding, digestBytes } = this.template;
    if (this.options.separator === undefined) {
      const bare = value.startsWith(this.prefix)
        ? value.slice(this.prefix.length)
        : this.options.prefixOptional
          ? value
          : undefined;
      const digest = bare === undefined ? undefined : digestText(bare, encoding, digestBytes);
      if (!digest) throw invalidHeader(header, this.expectedSignature());
      return [digest];
    }
    const entries = value.split(this.options.separator);
    if (entries.length > MAX_LIST_ENTRIES) {
      throw invalidHeader(header, `a list of at most ${MAX_LIST_ENTRIES} signatures`);
    }
    const digests: string[] = [];
    for (const raw of entries) {
      const entry = raw.trim();
      if (!entry.startsWith(this.prefix)) continue;
      const digest = digestText(entry.slice(this.prefix.length), encoding, digestBytes);
      if (digest) digests.push(digest);
    }
    return digests;
  }

  private expectedSignature(): string {
    const prefix = this.prefix ? `"${this.prefix}" followed by ` : '';
    return `${prefix}a ${this.template.digestBytes}-byte ${this.template.encoding} digest`;
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

/** No signed headers: one shared object rather than a new one per request. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
