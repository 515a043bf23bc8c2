import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from '../constant-time';
import { headerValue, type WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';
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
} from '../engines/scheme-support';

/** @publicApi */
export interface TwilioSchemeOptions {
  /**
   * The public URL Twilio calls, as entered in the Twilio console (`https://api.example.com/hooks/sms`).
   * Twilio signs the URL it requested; behind a proxy the Host header and scheme cannot be trusted,
   * so scheme, host, port and path come from here. The query string is taken from the request as
   * received, because Twilio adds `bodySHA256` to it for JSON bodies.
   */
  readonly url: string;
}

const HEADER = 'x-twilio-signature';
const FORM = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;
const AUTHORITY = /^(https?):\/\/([^/?#]*)(.*)$/i;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

/**
 * Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1 of URL + sorted form parameters>`, keyed with the
 * account's Auth Token. Parameters are sorted by name and appended as name + value (the values of a
 * repeated name sorted too). A JSON body is covered instead by the `bodySHA256` query parameter,
 * its hex SHA-256, which is checked as well. Like Twilio's SDKs, the URL is tried with and without
 * the default port (`:443`, `:80`). Any other body that no signature covers is refused.
 * `I-Twilio-Idempotency-Token` is not signed, so it is not trusted as the message id: deliveries are
 * deduplicated on the signed string (URL + parameters), which also makes parameters re-split across
 * that concatenation (`Body`=`hi`,`From`=`x` vs `Body`=`hiFromx`) a duplicate of a delivery already
 * accepted. A re-split of a delivery that never reached this endpoint cannot be told apart.
 * @publicApi
 */
export class TwilioScheme implements SignatureScheme {
  readonly name = 'twilio';
  readonly requiresSecret = true;
  /** Signs the URL, whose `:` no computed token holds. */
  readonly refusesChallengeAnswers = true;
  private readonly baseUrls: readonly string[];

  constructor(options: TwilioSchemeOptions) {
    const url = assertPublicUrl(options?.url, 'url', 'twilio');
    const base = url.replace(/[?#].*$/s, '');
    this.baseUrls = [base, ...portVariants(base)];
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], _context: VerifyContext): SignatureVerification {
    const signature = requireDigest(requireHeader(request, HEADER), 'base64', 20, HEADER);
    const query = queryOf(request.url);
    const bodyHash = new URLSearchParams(query).getAll('bodySHA256');
    const contentType = headerValue(request, 'content-type') ?? '';
    let params = '';
    if (bodyHash.length > 0) {
      const expected = bodyHash.length === 1 ? decodeDigest(bodyHash[0], 'hex', 32) : undefined;
      if (!expected) throw invalidHeader('bodySHA256 query parameter', 'one hex SHA-256 digest');
      if (!constantTimeEqual(createHash('sha256').update(request.rawBody).digest(), expected)) {
        throw noMatchingSignature('The body does not match the signed bodySHA256.');
      }
    } else if (FORM.test(contentType)) {
      params = sortedParams(request.rawBody.toString('utf8'));
    } else if (request.rawBody.length > 0) {
      throw noMatchingSignature('Twilio signs a body that is not a form only through bodySHA256, which is missing.');
    }
    assertHasSecrets(secrets);
    const suffix = query === undefined ? '' : `?${query}`;
    for (const secret of secrets) {
      for (const base of this.baseUrls) {
        const digest = createHmac('sha1', utf8HmacKey(secret)).update(base).update(suffix).update(params).digest();
        if (constantTimeEqual(digest, signature)) {
          // The idempotency token is unsigned: trusted as the id, a replay with a fresh one would run
          // again, and one carrying a future delivery's token would suppress it. What is signed is
          // the key instead — over the concatenated string, so re-split parameters are one content.
          const key = createHash('sha256').update(this.baseUrls[0]).update(suffix).update(params).digest('hex');
          return { secretVersion: secret.version, signedContentKey: `sha256:${key}` };
        }
      }
    }
    throw noMatchingSignature();
  }

  validateSecret(secret: string | Buffer): void {
    utf8SecretBytes(secret);
  }
}

/** The query string exactly as received (`undefined` without `?`), since Twilio signs it as sent. */
function queryOf(url: string): string | undefined {
  const mark = url.indexOf('?');
  if (mark < 0) return undefined;
  const hash = url.indexOf('#', mark);
  return url.slice(mark + 1, hash < 0 ? undefined : hash);
}

/** Name + value of every form field, sorted by name, then by value for a repeated name (deduplicated, as Twilio's SDKs do). */
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
