import { escape as escapeQuery } from 'node:querystring';
import { constantTimeEqualText } from '../constant-time';
import { WebhookConfigurationError } from '../errors';
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
  formatTimestamp,
  HmacTemplate,
  parseTimestamp,
  type HmacDigestOptions,
  type TimestampFormat,
} from './hmac-template';
import {
  assertHasSecrets,
  assertPublicUrl,
  assertTolerance,
  digestText,
  invalidHeader,
  noMatchingSignature,
  readIdHeader,
  requireHeader,
} from './scheme-support';

/**
 * An HMAC over a canonical request whose signed headers the request itself lists, as data:
 * `METHOD \n PATH \n name:value;name:value… \n BODY`, the headers named in `signedHeadersHeader`
 * (names lower-cased, values trimmed, sorted by name). Contentful signs this way.
 * @publicApi
 * @example
 * { name: 'contentful', header: 'x-contentful-signature', signedHeadersHeader: 'x-contentful-signed-headers',
 *   timestampHeader: 'x-contentful-timestamp', timestampFormat: 'unix-milliseconds', url }
 */
export interface SignedHeadersSchemeOptions extends Pick<
  HmacDigestOptions,
  'algorithm' | 'encoding' | 'keyEncoding' | 'checkSecret'
> {
  /** Shown in logs and the admin API. */
  readonly name: string;
  /** The header with the digest. */
  readonly header: string;
  /** The header listing the signed headers, comma-separated; the list must name itself and `timestampHeader`. */
  readonly signedHeadersHeader: string;
  /** The signed timestamp header; a request outside `toleranceSeconds` is refused. */
  readonly timestampHeader: string;
  /** @default 'unix-seconds' */
  readonly timestampFormat?: TimestampFormat;
  /** @default 300 */
  readonly toleranceSeconds?: number;
  /**
   * The public URL the provider calls, exactly as registered: its path and query are signed (the
   * query escaped with `querystring.escape`, then the whole with `encodeURI`, as Contentful's
   * toolkit does). Configuration, since a proxy may rewrite what arrives.
   */
  readonly url?: string;
  /** Header with the message id; unsigned unless the request lists it among its signed headers. */
  readonly idHeader?: string;
  /** Header naming the event type; `sign()` signs it when the delivery has one. */
  readonly eventTypeHeader?: string;
}

/** A handful of headers are signed; a longer list is not one a provider sends. */
const MAX_SIGNED_HEADERS = 32;

/**
 * The signed-headers engine: the digest covers the method (`POST`), the configured path, the
 * headers the request lists as signed and the raw body. Every listed header must be present.
 * @publicApi
 */
export class SignedHeadersScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = true;
  /** The canonical request holds newlines, which no computed challenge token does. */
  readonly refusesChallengeAnswers = true;
  readonly toleranceSeconds: number;
  private readonly template: HmacTemplate;
  private readonly header: string;
  private readonly listHeader: string;
  private readonly timestampHeader: string;
  private readonly timestampFormat: TimestampFormat;
  private readonly path: string;

  constructor(private readonly options: SignedHeadersSchemeOptions) {
    const { name } = options;
    this.name = name;
    // The template is only the digest's key, algorithm and encoding; the canonical text is built here.
    this.template = new HmacTemplate({ ...options, template: '{body}' }, ['body'], '{body}');
    this.header = options.header.toLowerCase();
    this.listHeader = options.signedHeadersHeader.toLowerCase();
    this.timestampHeader = options.timestampHeader.toLowerCase();
    this.timestampFormat = options.timestampFormat ?? 'unix-seconds';
    this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, name);
    this.path = canonicalPath(pathOf(assertPublicUrl(options.url, 'url', name)));
    if (!this.header || !this.listHeader || !this.timestampHeader) {
      throw new WebhookConfigurationError(`The ${name} scheme needs its signature, list and timestamp headers.`);
    }
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const { encoding, digestBytes } = this.template;
    const signature = digestText(requireHeader(request, this.header), encoding, digestBytes);
    if (!signature) throw invalidHeader(this.header, `a ${digestBytes}-byte ${encoding} digest`);
    const names = this.readList(requireHeader(request, this.listHeader));
    const timestamp = requireHeader(request, this.timestampHeader);
    const signedAt = parseTimestamp(timestamp, this.timestampFormat, this.timestampHeader);
    const values = new Map<string, string>();
    for (const name of names) {
      values.set(name, name === this.listHeader ? names.join(',') : requireHeader(request, name).trim());
    }
    const id = this.options.idHeader ? readIdHeader(request, this.options.idHeader.toLowerCase(), false) : undefined;
    const canonical = this.canonical(request.method, values, request.rawBody);
    assertHasSecrets(secrets);
    assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds);
    for (const secret of secrets) {
      if (constantTimeEqualText(this.template.digest(this.template.keyOf(secret), { body: canonical }), signature)) {
        const signsId = id !== undefined && names.includes(this.options.idHeader!.toLowerCase());
        return {
          secretVersion: secret.version,
          signedAt: new Date(signedAt * 1000),
          ...(id !== undefined ? { messageId: id } : {}),
          ...(id !== undefined && !signsId ? { unsignedMessageId: true } : {}),
        };
      }
    }
    throw noMatchingSignature();
  }

  /** Signs the list header, the timestamp, the id header and the event type header (when the delivery has one). */
  sign(input: SignInput): SignedDelivery {
    const headers: Record<string, string> = {
      [this.timestampHeader]: formatTimestamp(input.timestamp, this.timestampFormat),
    };
    const eventTypeHeader = this.options.eventTypeHeader?.toLowerCase();
    if (eventTypeHeader && input.eventType !== undefined) headers[eventTypeHeader] = input.eventType;
    if (this.options.idHeader) headers[this.options.idHeader.toLowerCase()] = input.id;
    const names = [...Object.keys(headers), this.listHeader].sort();
    headers[this.listHeader] = names.join(',');
    const values = new Map(names.map((name) => [name, headers[name].trim()]));
    const digest = this.template.digest(this.template.keyBytes(input.key), {
      body: this.canonical('POST', values, input.body),
    });
    return { headers: { ...headers, [this.header]: digest } };
  }

  validateSecret(secret: string | Buffer): void {
    this.template.validateSecret(secret);
  }

  /** The listed names, lower-cased, trimmed, deduplicated and sorted; it must list itself and the timestamp. */
  private readList(value: string): string[] {
    const names = [...new Set(value.split(',').map((name) => name.trim().toLowerCase()))].sort();
    if (
      names.length > MAX_SIGNED_HEADERS ||
      names.some((name) => !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) ||
      !names.includes(this.listHeader) ||
      !names.includes(this.timestampHeader)
    ) {
      throw invalidHeader(
        this.listHeader,
        `a list of header names including ${this.listHeader} and ${this.timestampHeader}`,
      );
    }
    return names;
  }

  /** The request's own method is signed: a webhook's transformation may send PUT, PATCH, DELETE or GET. */
  private canonical(method: string, values: ReadonlyMap<string, string>, body: Buffer): Buffer {
    const headers = [...values].map(([name, value]) => `${name}:${value}`).join(';');
    return Buffer.concat([Buffer.from(`${method.toUpperCase()}\n${this.path}\n${headers}\n`, 'utf8'), body]);
  }
}

/**
 * Builds a {@link SignedHeadersScheme} from data.
 * @publicApi
 */
export function signedHeadersSignature(options: SignedHeadersSchemeOptions): SignedHeadersScheme {
  return new SignedHeadersScheme(options);
}

/** The path and query of an absolute URL exactly as written (no URL parser: it would re-encode them). */
function pathOf(url: string): string {
  const afterScheme = url.indexOf('//') + 2;
  const slash = url.indexOf('/', afterScheme);
  const query = url.indexOf('?', afterScheme);
  if (slash < 0 || (query >= 0 && query < slash)) return query < 0 ? '/' : `/${url.slice(query)}`;
  return url.slice(slash).split('#')[0];
}

/** Contentful's toolkit: the query (up to a second `?`) escaped as a whole, then `encodeURI` of it all. */
function canonicalPath(path: string): string {
  const [pathname, search] = path.split('?');
  return encodeURI(search ? `${pathname}?${escapeQuery(search)}` : pathname);
}
