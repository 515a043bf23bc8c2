import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from '../constant-time';
import { WebhookConfigurationError } from '../errors';
import { headerValue, type WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type {
  SignatureScheme,
  SignatureVerification,
  SignedDelivery,
  SignInput,
  VerifyContext,
} from '../signature-scheme';
import { DIGEST_BYTES, isFormContentType } from './engine-parts';
import type { HmacAlgorithm } from './hmac.engine';
import {
  assertHasSecrets,
  assertPublicUrl,
  decodeDigest,
  invalidHeader,
  noMatchingSignature,
  requireDigest,
  requireHeader,
  utf8HmacKey,
  utf8SecretBytes,
} from './scheme-support';

/**
 * A signature over the URL the provider called and its sorted form parameters, described as data.
 * @publicApi
 * @example
 * // Twilio: X-Twilio-Signature: <base64 HMAC-SHA1 of URL + sorted form parameters>
 * { name: 'twilio', header: 'x-twilio-signature', url, bodyHashQuery: 'bodySHA256',
 *   unsignedIdHeader: 'i-twilio-idempotency-token' }
 */
export interface UrlParamsSchemeOptions {
  /**
   * Shown in logs and the admin API.
   * @default 'url-params-hmac'
   */
  readonly name?: string;
  /** The header that carries the signature (any case). */
  readonly header: string;
  /**
   * The public URL the provider calls, exactly as registered with it. Behind a proxy the Host header
   * and scheme cannot be trusted, so scheme, host, port and path come from here; the query string
   * is read from the request as received (the provider may add to it). `sign()` signs it as given.
   */
  readonly url?: string;
  /** @default 'sha1' */
  readonly algorithm?: HmacAlgorithm;
  /** @default 'base64' */
  readonly encoding?: 'hex' | 'base64';
  /**
   * The query parameter through which a body that is not a form is signed: the hex SHA-256 of the
   * body, checked as well. Without it, a non-empty body that is not a form is refused, since no
   * signature would cover it.
   */
  readonly bodyHashQuery?: string;
  /**
   * Also accept the URL with its default port added (`:443`, `:80`) or removed, as the provider's
   * SDKs do.
   * @default true
   */
  readonly portVariants?: boolean;
  /**
   * A header where the provider sends a message id outside the signature. `sign()` writes it;
   * `verify()` never trusts it (anyone can change it): deliveries are deduplicated on what is signed.
   */
  readonly unsignedIdHeader?: string;
}

const AUTHORITY = /^(https?):\/\/([^/?#]*)(.*)$/i;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

/**
 * The URL-and-sorted-parameters HMAC engine: the digest of the called URL (query included, as
 * received) followed by every form parameter as name + value, sorted by name and then by value for
 * a repeated name. A body that is not a form is covered instead by a query parameter holding its
 * SHA-256 (`bodyHashQuery`). The provider's message id, if any, is unsigned, so deduplication keys
 * on the signed string (URL + concatenated parameters), which also makes parameters re-split across
 * that concatenation (`Body`=`hi`,`From`=`x` vs `Body`=`hiFromx`) a duplicate of a delivery already
 * accepted. A re-split of a delivery that never reached this endpoint cannot be told apart.
 * @publicApi
 */
export class UrlParamsScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = true;
  /** Signs the URL, whose `:` no computed token holds. */
  readonly refusesChallengeAnswers = true;
  private readonly header: string;
  private readonly algorithm: HmacAlgorithm;
  private readonly encoding: 'hex' | 'base64';
  /** The configured URL without its fragment: what `sign()` signs. */
  private readonly signedUrl: string;
  /** The configured URL without query, then its default-port variants: what `verify()` tries. */
  private readonly baseUrls: readonly string[];

  constructor(private readonly options: UrlParamsSchemeOptions) {
    this.name = options.name ?? 'url-params-hmac';
    if (!options.header) throw new WebhookConfigurationError(`The ${this.name} scheme needs a signature header.`);
    this.header = options.header.toLowerCase();
    this.algorithm = options.algorithm ?? 'sha1';
    if (!(this.algorithm in DIGEST_BYTES)) {
      throw new WebhookConfigurationError(`The ${this.name} scheme's algorithm must be sha1, sha256 or sha512.`);
    }
    this.encoding = options.encoding ?? 'base64';
    if (this.encoding !== 'hex' && this.encoding !== 'base64') {
      throw new WebhookConfigurationError(`The ${this.name} scheme's encoding must be hex or base64.`);
    }
    const url = assertPublicUrl(options.url, 'url', this.name);
    this.signedUrl = url.replace(/#.*$/s, '');
    const base = url.replace(/[?#].*$/s, '');
    this.baseUrls = options.portVariants === false ? [base] : [base, ...portVariants(base)];
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], _context: VerifyContext): SignatureVerification {
    const signature = requireDigest(
      requireHeader(request, this.header),
      this.encoding,
      DIGEST_BYTES[this.algorithm],
      this.header,
    );
    const query = queryOf(request.url);
    const bodyHash = this.options.bodyHashQuery ? new URLSearchParams(query).getAll(this.options.bodyHashQuery) : [];
    const contentType = headerValue(request, 'content-type') ?? '';
    let params = '';
    if (bodyHash.length > 0) {
      const expected = bodyHash.length === 1 ? decodeDigest(bodyHash[0], 'hex', 32) : undefined;
      if (!expected) throw invalidHeader(`${this.options.bodyHashQuery} query parameter`, 'one hex SHA-256 digest');
      if (!constantTimeEqual(createHash('sha256').update(request.rawBody).digest(), expected)) {
        throw noMatchingSignature(`The body does not match the signed ${this.options.bodyHashQuery}.`);
      }
    } else if (isFormContentType(contentType)) {
      params = sortedParams(request.rawBody.toString('utf8'));
    } else if (request.rawBody.length > 0) {
      throw noMatchingSignature(
        this.options.bodyHashQuery
          ? `A body that is not a form is signed only through ${this.options.bodyHashQuery}, which is missing.`
          : `The ${this.name} scheme signs only form bodies.`,
      );
    }
    assertHasSecrets(secrets);
    const suffix = query === undefined ? '' : `?${query}`;
    for (const secret of secrets) {
      for (const base of this.baseUrls) {
        const digest = createHmac(this.algorithm, utf8HmacKey(secret))
          .update(base)
          .update(suffix)
          .update(params)
          .digest();
        if (constantTimeEqual(digest, signature)) {
          // An unsigned id trusted as the id would let a replay with a fresh one run again, and one
          // carrying a future delivery's id suppress it. What is signed is the key instead — over the
          // concatenated string, so re-split parameters are one content.
          const key = createHash('sha256').update(this.baseUrls[0]).update(suffix).update(params).digest('hex');
          return { secretVersion: secret.version, signedContentKey: `sha256:${key}` };
        }
      }
    }
    throw noMatchingSignature();
  }

  /**
   * Signs as the provider does: the configured URL (with `bodyHashQuery` appended for a non-empty
   * body that is not a form, returned in `query`) followed by the sorted form parameters.
   */
  sign(input: SignInput): SignedDelivery {
    const form = isFormContentType(input.contentType);
    let url = this.signedUrl;
    let query: Record<string, string> | undefined;
    if (!form && input.body.length > 0) {
      const hashName = this.options.bodyHashQuery;
      if (!hashName) throw new WebhookConfigurationError(`The ${this.name} scheme signs only form bodies.`);
      const hash = createHash('sha256').update(input.body).digest('hex');
      query = { [hashName]: hash };
      url += `${url.includes('?') ? '&' : '?'}${hashName}=${hash}`;
    }
    const params = form ? sortedParams(input.body.toString('utf8')) : '';
    const signature = createHmac(this.algorithm, utf8SecretBytes(input.key)).update(url).update(params);
    return {
      headers: {
        [this.header]: signature.digest(this.encoding),
        ...(this.options.unsignedIdHeader ? { [this.options.unsignedIdHeader.toLowerCase()]: input.id } : {}),
      },
      ...(query ? { query } : {}),
    };
  }

  validateSecret(secret: string | Buffer): void {
    utf8SecretBytes(secret);
  }
}

/**
 * Builds a {@link UrlParamsScheme} from data.
 * @publicApi
 */
export function urlParamsSignature(options: UrlParamsSchemeOptions): UrlParamsScheme {
  return new UrlParamsScheme(options);
}

/** The query string exactly as received (`undefined` without `?`), since it is signed as sent. */
function queryOf(url: string): string | undefined {
  const mark = url.indexOf('?');
  if (mark < 0) return undefined;
  const hash = url.indexOf('#', mark);
  return url.slice(mark + 1, hash < 0 ? undefined : hash);
}

/** Name + value of every form field, sorted by name, then by value for a repeated name (each value once, as the providers' SDKs do). */
function sortedParams(form: string): string {
  const byName = new Map<string, Set<string>>();
  for (const [name, value] of new URLSearchParams(form)) {
    let values = byName.get(name);
    if (!values) byName.set(name, (values = new Set()));
    values.add(value);
  }
  let joined = '';
  for (const name of [...byName.keys()].sort()) {
    for (const value of [...byName.get(name)!].sort()) joined += name + value;
  }
  return joined;
}

/** The URL with its default port added when absent, or removed when present. */
function portVariants(base: string): string[] {
  const match = AUTHORITY.exec(base);
  if (!match) return [];
  const [, scheme, authority, rest] = match;
  const port = DEFAULT_PORTS[scheme.toLowerCase()];
  const explicit = /:(\d+)$/.exec(authority);
  if (!explicit) return [`${scheme}://${authority}:${port}${rest}`];
  return explicit[1] === port ? [`${scheme}://${authority.slice(0, -explicit[0].length)}${rest}`] : [];
}
