import { createPublicKey, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';

// Keys the provider publishes instead of one the endpoint is configured with: fetched over HTTPS
// from the provider's own hosts only (given as data), cached with a TTL, within a time limit, and
// failing closed. A reference taken from the request (a key id, PayPal's certificate URL) only
// selects among what those hosts serve: it never names a host of its own.

/**
 * What the key host answers, and how a key is read from it.
 * - `pem`: a PEM or base64 DER SubjectPublicKeyInfo, the whole answer or the JSON `field` (`data.publicKey`).
 * - `jwk`: one JWK, the JSON `field` (`key`), or the whole answer.
 * - `jwks`: a JSON Web Key Set (`{ keys: [...] }`); each key keeps its `kid`.
 * - `x509`: a PEM certificate chain; the leaf must chain to a trusted root, be valid now, and be
 *   issued to one of `subjects` (exact DNS names).
 * @publicApi
 */
export type KeyAnswerFormat =
  | { readonly type: 'pem'; readonly field?: string }
  | { readonly type: 'jwk'; readonly field?: string }
  | { readonly type: 'jwks' }
  | { readonly type: 'x509'; readonly subjects: readonly string[] };

/**
 * Where a provider's keys are fetched from, as data.
 * @publicApi
 * @example
 * // Circle: GET https://api.circle.com/v2/notifications/publicKey/{kid} with the API key
 * { name: 'circle', hosts: ['api.circle.com'], url: 'https://api.circle.com/v2/notifications/publicKey/{kid}',
 *   headers: { authorization: `Bearer ${apiKey}` }, format: { type: 'pem', field: 'data.publicKey' } }
 */
export interface KeySourceOptions {
  /** Shown in messages. */
  readonly name: string;
  /**
   * The only hosts keys come from (`api.paypal.com`; `host:port` for another port than 443). Always HTTPS.
   */
  readonly hosts: readonly string[];
  /**
   * The URL to fetch; `{kid}` is replaced by the key id the request names (checked against
   * `kidPattern`, then percent-encoded). Absent: the request names the whole URL (PayPal), which
   * must be HTTPS, on `hosts`, under one of `paths`.
   */
  readonly url?: string;
  /** With a URL named by the request: the path prefixes it must start with. */
  readonly paths?: readonly string[];
  /** What a key id must look like before it goes into a URL. @default /^[A-Za-z0-9._:-]{1,128}$/ */
  readonly kidPattern?: RegExp;
  readonly format: KeyAnswerFormat;
  /** @default 'GET' */
  readonly method?: 'GET' | 'POST';
  /** Request headers (an API key): never logged, never shown in messages. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body for POST, built from the key id (Plaid's `{ client_id, secret, key_id }`). */
  readonly body?: (kid: string | undefined) => string;
  /** How long fetched keys are used before they are fetched again. @default 3600 */
  readonly ttlSeconds?: number;
  /** The time limit of one fetch, connection included. @default 5000 */
  readonly timeoutMs?: number;
  /** The largest answer read. @default 65536 */
  readonly maxBytes?: number;
  /**
   * At most this many fetches a minute of references not yet known to exist (a request naming
   * random key ids must not drive fetches); refreshing a key already fetched is not counted. @default 30
   */
  readonly maxFetchesPerMinute?: number;
  /** Trusted roots (PEM) instead of Node's bundled list, for the connection and `x509` chains (tests, private PKI). */
  readonly ca?: readonly string[];
}

/** A fetched public key, with the key id the host gave it (JWKS). @publicApi */
export interface FetchedKey {
  readonly kid?: string;
  readonly key: KeyObject;
}

const DEFAULT_KID = /^[A-Za-z0-9._:-]{1,128}$/;
/** A key id the host does not know is not asked for again before this long. */
const NEGATIVE_TTL_MS = 60_000;
/** A JWKS that lacks a key id is fetched again at most this often (a rotation adds keys). */
const REFRESH_MS = 60_000;
/** Answers with keys, and answers that the host has no such key: each bounded on its own. */
const MAX_ENTRIES = 256;
const MAX_UNKNOWN = 1024;
/** The path of a URL a request names: plain segments only. */
const REF_PATH = /^(?:\/[A-Za-z0-9._~-]+)+$/;

interface Entry {
  readonly keys: readonly FetchedKey[] | undefined;
  readonly fetchedAt: number;
  readonly expiresAt: number;
}

/** The provider's key host is down, slow or answered nonsense: the sender should retry (503). */
function unavailable(name: string, why: string): WebhookVerificationError {
  return new WebhookVerificationError(
    WebhookErrorCode.KeySourceUnavailable,
    `The ${name} signing keys could not be fetched (${why}); retry later.`,
  );
}

function unknownKey(name: string): WebhookVerificationError {
  return new WebhookVerificationError(
    WebhookErrorCode.NoMatchingSignature,
    `The ${name} key this request names is not one the provider publishes.`,
  );
}

/**
 * Fetches, checks and caches a provider's public keys (see {@link KeySourceOptions}). `resolve()`
 * is the only asynchronous step: schemes call it from `prepare()`, and `cached()` synchronously in
 * `verify()`. Refusals: a reference outside the fixed hosts or malformed is `invalid_header` (400);
 * a key the host does not have, or a certificate that fails its checks, `no_matching_signature`
 * (401); a host that cannot be reached in time, answers 5xx or nonsense, `key_source_unavailable`
 * (503), so the provider retries instead of giving up on a delivery we could not judge.
 * @publicApi
 */
export class KeyResolver {
  /** What the host answered with keys. */
  private readonly entries = new Map<string, Entry>();
  /** References the host does not know: kept apart, so that made-up key ids never evict a real key. */
  private readonly unknown = new Map<string, Entry>();
  /** When a known key's refresh last failed: its next ones are metered for a while, as new fetches are. */
  private readonly refreshFailedAt = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly hosts: ReadonlySet<string>;
  private fetches: number[] = [];

  constructor(private readonly options: KeySourceOptions) {
    if (options.hosts.length === 0) throw new WebhookConfigurationError(`The ${options.name} key source needs hosts.`);
    this.hosts = new Set(options.hosts.map((host) => host.toLowerCase().replace(/:443$/, '')));
    if (options.url !== undefined) this.target(undefined, options.url.replace('{kid}', 'k'));
  }

  /** Fetches the keys a reference (key id, or URL) selects, unless fresh ones are cached. */
  async resolve(ref?: string): Promise<void> {
    const url = this.urlOf(ref);
    const cacheKey = this.cacheKeyOf(url, ref);
    const now = Date.now();
    const known = this.entries.get(cacheKey);
    const entry = known ?? this.unknown.get(cacheKey);
    if (entry && now < entry.expiresAt && !this.needsRefresh(entry, ref, now)) return;
    let pending = this.inFlight.get(cacheKey);
    if (!pending) {
      // Refreshing what the host once answered with keys is not metered: at most once per entry per
      // TTL (or per minute for a JWKS missing a kid), and only real keys make entries. The budget
      // is for references never seen to exist, which any sender can make up — and for a refresh
      // that failed lately, which would otherwise be tried again on every request naming the key.
      const failedAt = this.refreshFailedAt.get(cacheKey);
      const metered = known === undefined || (failedAt !== undefined && now - failedAt < REFRESH_MS);
      pending = this.fetchInto(url, ref, cacheKey, metered)
        .then(
          () => void this.refreshFailedAt.delete(cacheKey),
          (error: unknown) => {
            if (known !== undefined) this.refreshFailedAt.set(cacheKey, Date.now());
            throw error;
          },
        )
        .finally(() => this.inFlight.delete(cacheKey));
      this.inFlight.set(cacheKey, pending);
    }
    await pending;
  }

  /**
   * The cached keys a reference selects (with a `kid`, the keys of that id, or those without one);
   * throws when there are none: `resolve()` did not run, or the host does not have that key.
   */
  cached(ref?: string): readonly FetchedKey[] {
    const cacheKey = this.cacheKeyOf(this.urlOf(ref), ref);
    const known = this.entries.get(cacheKey);
    if (known) {
      // Least recently used goes first: keys in use stay, however many others a sender makes fetch.
      this.entries.delete(cacheKey);
      this.entries.set(cacheKey, known);
    }
    const entry = known ?? this.unknown.get(cacheKey);
    if (!entry || Date.now() >= entry.expiresAt) throw unavailable(this.options.name, 'not fetched');
    const keys = this.select(entry, ref);
    if (keys.length === 0) throw unknownKey(this.options.name);
    return keys;
  }

  private select(entry: Entry, ref: string | undefined): readonly FetchedKey[] {
    const keys = entry.keys ?? [];
    // A JWKS served from one URL: the key id picks the key.
    if (this.options.format.type === 'jwks' && ref !== undefined && !this.options.url?.includes('{kid}')) {
      return keys.filter((key) => key.kid === ref);
    }
    return keys;
  }

  private needsRefresh(entry: Entry, ref: string | undefined, now: number): boolean {
    return entry.keys !== undefined && this.select(entry, ref).length === 0 && now - entry.fetchedAt >= REFRESH_MS;
  }

  /** One URL answers for every key id posted in its body (Plaid): the cache holds one entry per key id. */
  private cacheKeyOf(url: string, ref: string | undefined): string {
    return this.options.body === undefined || ref === undefined ? url : `${url}#${ref}`;
  }

  /** The URL to fetch for a reference, checked against the fixed hosts and paths. */
  private urlOf(ref: string | undefined): string {
    const { url, name } = this.options;
    if (url === undefined) {
      if (ref === undefined) throw unknownKey(name);
      return this.target(ref, ref).href;
    }
    if (!url.includes('{kid}') && (this.options.body === undefined || ref === undefined)) return url;
    if (ref === undefined || !(this.options.kidPattern ?? DEFAULT_KID).test(ref)) {
      throw new WebhookVerificationError(WebhookErrorCode.InvalidHeader, `The ${name} key id is not in its format.`);
    }
    return url.includes('{kid}') ? url.replace('{kid}', encodeURIComponent(ref)) : url;
  }

  /** A URL on the fixed hosts (HTTPS, no credentials, under `paths`), or an `invalid_header` refusal. */
  private target(ref: string | undefined, text: string): URL {
    const refuse = () =>
      ref === undefined
        ? new WebhookConfigurationError(`The ${this.options.name} key URL must be HTTPS on one of its hosts.`)
        : new WebhookVerificationError(
            WebhookErrorCode.InvalidHeader,
            `The ${this.options.name} key URL is not on the provider's hosts.`,
          );
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw refuse();
    }
    const paths = ref === undefined ? undefined : this.options.paths;
    if (
      url.protocol !== 'https:' ||
      url.username !== '' ||
      url.password !== '' ||
      text.length > 2048 ||
      // A reference names one resource one way: no query, fragment, escape or empty segment, each of
      // which would spell the same certificate as another cache entry.
      (ref !== undefined && (/[?#%]/.test(text) || !REF_PATH.test(url.pathname))) ||
      !this.hosts.has(url.host.toLowerCase()) ||
      (paths !== undefined && !paths.some((path) => url.pathname.startsWith(path)))
    ) {
      throw refuse();
    }
    return url;
  }

  private async fetchInto(url: string, ref: string | undefined, cacheKey: string, metered: boolean): Promise<void> {
    const { name } = this.options;
    const now = Date.now();
    if (metered) {
      this.fetches = this.fetches.filter((time) => now - time < 60_000);
      if (this.fetches.length >= (this.options.maxFetchesPerMinute ?? 30)) throw unavailable(name, 'too many fetches');
      this.fetches.push(now);
    }
    const { status, body } = await this.get(url, ref);
    let keys: readonly FetchedKey[] | undefined;
    if (status === 404 || status === 410 || status === 400) {
      keys = undefined; // The host does not know this key: remembered briefly, refused.
    } else if (status !== 200) {
      throw unavailable(name, `HTTP ${status}`);
    } else {
      try {
        keys = readKeys(body, this.options.format, this.options.ca);
      } catch (error) {
        if (error instanceof WebhookVerificationError) throw error;
        throw unavailable(name, 'unreadable answer');
      }
    }
    const ttl = keys === undefined ? NEGATIVE_TTL_MS : (this.options.ttlSeconds ?? 3600) * 1000;
    const [into, other, max] =
      keys === undefined ? [this.unknown, this.entries, MAX_UNKNOWN] : [this.entries, this.unknown, MAX_ENTRIES];
    other.delete(cacheKey);
    into.delete(cacheKey);
    if (into.size >= max) into.delete(into.keys().next().value!);
    into.set(cacheKey, { keys, fetchedAt: now, expiresAt: now + ttl });
  }

  private get(url: string, ref: string | undefined): Promise<{ status: number; body: Buffer }> {
    const { name, method = 'GET', headers = {}, ca } = this.options;
    const timeoutMs = this.options.timeoutMs ?? 5000;
    const maxBytes = this.options.maxBytes ?? 65_536;
    const payload = this.options.body?.(ref);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        req.destroy();
        reject(unavailable(name, why));
      };
      const timer = setTimeout(() => fail('timed out'), timeoutMs);
      const req = httpsRequest(
        url,
        {
          method,
          headers: {
            accept: 'application/json, application/x-pem-file, */*',
            ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
            ...headers,
          },
          ...(ca ? { ca: [...ca] } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) fail('answer too large');
            else chunks.push(chunk);
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
          });
          res.on('error', () => {
            clearTimeout(timer);
            fail('connection lost');
          });
        },
      );
      req.on('error', () => {
        clearTimeout(timer);
        reject(unavailable(name, 'unreachable'));
      });
      req.end(payload);
    });
  }
}

/** The keys of an answer, per its format. Throws on anything unreadable. @internal */
export function readKeys(body: Buffer, format: KeyAnswerFormat, ca?: readonly string[]): FetchedKey[] {
  const text = body.toString('utf8');
  switch (format.type) {
    case 'pem': {
      const value = format.field === undefined ? text : fieldOf(JSON.parse(text), format.field);
      if (typeof value !== 'string') throw new Error('no key');
      const trimmed = value.trim();
      return [
        {
          key: trimmed.startsWith('-----BEGIN')
            ? createPublicKey(trimmed)
            : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' }),
        },
      ];
    }
    case 'jwk': {
      const jwk = format.field === undefined ? JSON.parse(text) : fieldOf(JSON.parse(text), format.field);
      return [jwkKey(jwk)];
    }
    case 'jwks': {
      const set = JSON.parse(text) as { keys?: unknown };
      if (!Array.isArray(set.keys)) throw new Error('no keys');
      // A key of a type Node cannot read (or a private one) is skipped, not fatal to the set.
      return set.keys.flatMap((jwk) => {
        try {
          return [jwkKey(jwk)];
        } catch {
          return [];
        }
      });
    }
    case 'x509':
      return [{ key: checkedCertificate(text, format.subjects, ca) }];
  }
}

function jwkKey(jwk: unknown): FetchedKey {
  if (typeof jwk !== 'object' || jwk === null || 'd' in jwk) throw new Error('not a public JWK');
  const { kid } = jwk as { kid?: unknown };
  const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  return typeof kid === 'string' ? { kid, key } : { key };
}

function fieldOf(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | null)?.[key], value);
}

/**
 * The public key of a certificate that chains, through the certificates sent with it, to a trusted
 * root, is valid now, and names one of `subjects`; otherwise `no_matching_signature`.
 */
function checkedCertificate(pem: string, subjects: readonly string[], ca?: readonly string[]): KeyObject {
  const refuse = () =>
    new WebhookVerificationError(
      WebhookErrorCode.NoMatchingSignature,
      'The signing certificate is not one the provider issued.',
    );
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0 || blocks.length > 5) throw new Error('no certificate');
  const chain = blocks.map((block) => new X509Certificate(block));
  const roots = (ca ?? rootCertificates).map((root) => new X509Certificate(root));
  const leaf = chain[0];
  const now = Date.now();
  const valid = (cert: X509Certificate) => Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
  if (!subjects.some((subject) => leaf.checkHost(subject, { wildcards: false }) === subject)) throw refuse();
  let current = leaf;
  for (let depth = 0; depth < 6; depth++) {
    if (!valid(current)) throw refuse();
    const root = roots.find((candidate) => current.checkIssued(candidate) && current.verify(candidate.publicKey));
    if (root) {
      if (!valid(root)) throw refuse();
      return leaf.publicKey;
    }
    const next = chain.find(
      (candidate) =>
        candidate !== current && candidate.ca && current.checkIssued(candidate) && current.verify(candidate.publicKey),
    );
    if (!next) throw refuse();
    current = next;
  }
  throw refuse();
}
