import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  constants,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { base64url, decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { constantTimeEqual } from '../constant-time';
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
import { parsePublicKey } from './public-keys';
import {
  assertHasSecrets,
  assertPublicUrl,
  assertTolerance,
  invalidHeader,
  jsonMessageId,
  missingHeader,
  noMatchingSignature,
  toPath,
  utf8SecretBytes,
} from './scheme-support';

// JWT/JWS (RFC 7515, 7519, 7797) as data. The compact serialization, its base64url and its JSON are
// read by `jose`; the signature itself is checked with node:crypto, because a SignatureScheme is
// synchronous and jose's verify functions are all asynchronous (WebCrypto).

/** The JWS algorithms the engine checks. A scheme lists the ones its provider uses; any other `alg` is refused. @publicApi */
export type JwsAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA';

/** A JWS protected header as the engine reads it. @publicApi */
export type JwsHeader = ProtectedHeaderParameters;

/**
 * A provider's JWT or JWS described as data.
 * @publicApi
 * @example
 * // Netlify: X-Webhook-Signature = HS256 JWS of {iss: "netlify", sha256: hex SHA-256 of the body}
 * { name: 'netlify', token: { header: 'x-webhook-signature' }, algorithms: ['HS256'],
 *   claims: { issuer: 'netlify', bodyHash: { claim: 'sha256' } } }
 */
export interface JwtSchemeOptions {
  /** Shown in logs and the admin API. */
  readonly name: string;
  /**
   * Where the token is: a header (with an optional auth scheme such as `Bearer`, matched in any
   * case), or the whole body (the body is then the token, and what it signs is its payload).
   */
  readonly token: { readonly header: string; readonly authScheme?: string } | 'body';
  /** The `alg` values accepted; all HMAC (the secrets are shared keys) or all public-key (the secrets are public keys). */
  readonly algorithms: readonly JwsAlgorithm[];
  /**
   * RFC 7797: the token travels as `header..signature` and its payload is the request body (base64url
   * encoded, or the raw bytes when the protected header says `"b64": false`). It carries no claims.
   */
  readonly detached?: boolean;
  /** What the payload's claims must say (not with `detached`). */
  readonly claims?: JwtClaimChecks;
  /**
   * How far `iat` may be from the time of receipt, in either direction, when `claims.issuedAt` is set.
   * @default 300
   */
  readonly toleranceSeconds?: number;
  /** A signed claim reported as the message id (`jti`). `sign()` writes the delivery's id into it. */
  readonly idClaim?: string;
  /** Instead of `idClaim`: a field of the JSON body holding the message id, read once the token verified. */
  readonly idField?: string | readonly string[];
  /**
   * The public keys are not the endpoint's secrets but come from elsewhere (a key resolver's cache,
   * chosen by the header's `kid`): the scheme then needs no secret. `undefined` or none: no key, refused.
   */
  readonly resolveKeys?: (header: JwsHeader) => readonly KeyObject[] | undefined;
  /** What the key is called in error messages (`A Wix app public key`). */
  readonly keyLabel?: string;
  /** For `sign()` only: header parameters written besides `alg` (`kid`). @default { typ: 'JWT' } */
  readonly signHeader?: Readonly<Record<string, string>>;
  /** For `sign()` with the token in the body: the claim that carries the body's text (Wix: `data`). */
  readonly bodyClaim?: string;
}

/** The claims a token must carry, as data. @publicApi */
export interface JwtClaimChecks {
  /** `iss` must equal this. */
  readonly issuer?: string;
  /** `aud` must equal (or, as an array, contain) the scheme's configured `url`: the endpoint the token was made for. */
  readonly audienceIsUrl?: boolean;
  /**
   * A claim holding a digest of the raw body (Netlify's `sha256`, Vonage's `payload_hash`, Plaid's
   * `request_body_sha256`): it must be present and equal, compared in constant time.
   */
  readonly bodyHash?: {
    readonly claim: string;
    /** @default 'sha256' */
    readonly algorithm?: 'sha256' | 'sha512';
    /** @default 'hex' */
    readonly encoding?: 'hex' | 'base64' | 'base64url';
    /** The claim may be absent when the body is empty (Vonage signs GET callbacks without one). */
    readonly absentForEmptyBody?: boolean;
  };
  /** `iat` must be present and within `toleranceSeconds` of the time of receipt. */
  readonly issuedAt?: boolean;
  /** `exp` must be present and not past; `sign()` sets it `lifetimeSeconds` after `iat`. */
  readonly expires?: { readonly lifetimeSeconds: number };
  /** Claims that must be present (any value). */
  readonly required?: readonly string[];
}

/** A compact JWS is a few hundred bytes; a header this long is not one. */
const MAX_TOKEN_LENGTH = 16_384;
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

interface AlgorithmSpec {
  readonly kind: 'hmac' | 'rsa' | 'rsa-pss' | 'ec' | 'ed25519';
  readonly hash?: 'sha256' | 'sha384' | 'sha512';
  readonly curve?: string;
}

const ALGORITHMS: Readonly<Record<JwsAlgorithm, AlgorithmSpec>> = {
  HS256: { kind: 'hmac', hash: 'sha256' },
  HS384: { kind: 'hmac', hash: 'sha384' },
  HS512: { kind: 'hmac', hash: 'sha512' },
  RS256: { kind: 'rsa', hash: 'sha256' },
  RS384: { kind: 'rsa', hash: 'sha384' },
  RS512: { kind: 'rsa', hash: 'sha512' },
  PS256: { kind: 'rsa-pss', hash: 'sha256' },
  PS384: { kind: 'rsa-pss', hash: 'sha384' },
  PS512: { kind: 'rsa-pss', hash: 'sha512' },
  ES256: { kind: 'ec', hash: 'sha256', curve: 'prime256v1' },
  ES384: { kind: 'ec', hash: 'sha384', curve: 'secp384r1' },
  ES512: { kind: 'ec', hash: 'sha512', curve: 'secp521r1' },
  EdDSA: { kind: 'ed25519' },
};

/** A token after its signature verified: the header, and the claims unless detached. */
interface VerifiedToken {
  readonly claims?: JWTPayload;
  readonly secretVersion?: number;
}

/**
 * The JWT/JWS engine: a compact token in a header or as the whole body, HMAC or public-key, with its
 * claims checked as data. Only the `alg` values the scheme lists are accepted (never `none`, never an
 * HMAC keyed with a public key). `sign()` writes a token `verify()` accepts, from the same definition.
 * @publicApi
 */
export class JwtScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret: boolean;
  /** A JWS always signs `header.payload`, whose `.` no computed challenge token holds. */
  readonly refusesChallengeAnswers = true;
  /** Only set when `iat` is checked: it bounds how long message ids are remembered. */
  readonly toleranceSeconds?: number;
  readonly credentialsIn?: NonNullable<SignatureScheme['credentialsIn']>;
  private readonly hmac: boolean;
  private readonly header?: string;
  private readonly idPath?: readonly string[];
  private readonly url?: string;
  private readonly publicKeyOf: (secret: WebhookSecret) => KeyObject;
  private readonly secretKeyOf: (secret: WebhookSecret) => KeyObject;

  constructor(
    private readonly options: JwtSchemeOptions,
    settings: { readonly url?: string } = {},
  ) {
    const { name, algorithms, claims } = options;
    this.name = name;
    if (algorithms.length === 0 || algorithms.some((alg) => !(alg in ALGORITHMS))) {
      throw new WebhookConfigurationError(`The ${name} scheme needs JWS algorithms among ${Object.keys(ALGORITHMS)}.`);
    }
    const kinds = new Set(algorithms.map((alg) => ALGORITHMS[alg].kind === 'hmac'));
    if (kinds.size > 1) {
      // A public key accepted as an HMAC key would let anyone who has it sign (algorithm confusion).
      throw new WebhookConfigurationError(`The ${name} scheme mixes HMAC and public-key algorithms.`);
    }
    this.hmac = kinds.has(true);
    if (this.hmac && options.resolveKeys) {
      throw new WebhookConfigurationError(`The ${name} scheme resolves public keys, so it cannot use HMAC.`);
    }
    this.requiresSecret = !options.resolveKeys;
    if (options.detached && (claims || options.idClaim || options.token === 'body')) {
      throw new WebhookConfigurationError(
        `The ${name} scheme is detached: its payload is the body, so it has no claims and is sent in a header.`,
      );
    }
    if (options.idClaim && options.idField) {
      throw new WebhookConfigurationError(`The ${name} scheme takes \`idClaim\` or \`idField\`, not both.`);
    }
    if (options.token !== 'body') {
      if (!options.token.header) throw new WebhookConfigurationError(`The ${name} scheme needs a token header.`);
      this.header = options.token.header.toLowerCase();
      this.credentialsIn = { headers: [this.header] };
    }
    if (claims?.issuedAt) this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, name);
    if (claims?.expires) assertTolerance(claims.expires.lifetimeSeconds, name);
    if (claims?.audienceIsUrl) this.url = assertPublicUrl(settings.url, 'url', name);
    if (options.idField !== undefined) this.idPath = toPath(options.idField);
    const label = options.keyLabel ?? `A ${name} public key`;
    this.publicKeyOf = memoizeKey((secret) => readJwsPublicKey(secret.value, label));
    this.secretKeyOf = memoizeKey((secret) => createSecretKey(utf8SecretBytes(secret.value)));
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const where = this.header ?? 'body';
    const token = this.readToken(request);
    const [encodedHeader, encodedPayload, encodedSignature] = token.split('.');
    const header = this.readHeader(token, where);
    const alg = header.alg as JwsAlgorithm;
    let payload: Buffer;
    let claims: JWTPayload | undefined;
    if (this.options.detached) {
      if (encodedPayload !== '') throw invalidHeader(where, 'a detached JWS (header..signature)');
      payload = header.b64 === false ? request.rawBody : Buffer.from(base64url.encode(request.rawBody), 'ascii');
    } else {
      claims = this.readClaims(token, where);
      payload = Buffer.from(encodedPayload, 'ascii');
    }
    const signingInput = Buffer.concat([Buffer.from(`${encodedHeader}.`, 'ascii'), payload]);
    const signature = decodeSignature(encodedSignature);
    if (!signature) throw this.malformed(where, 'a JWS whose signature is base64url');
    const now = Math.floor(context.receivedAt / 1000);
    const verified = this.verifySignature(alg, header, signingInput, signature, secrets);
    if (claims) this.checkClaims(claims, request.rawBody, now);
    return this.result(verified, claims, request.rawBody);
  }

  /**
   * Signs as the provider does: the claims this definition checks (`iss`, `aud`, `iat` = the
   * timestamp, `exp`, the id claim, the body digest) in that order, after `alg` and `signHeader`.
   */
  sign(input: SignInput): SignedDelivery {
    const alg = this.options.algorithms[0];
    const header = { alg, ...(this.options.signHeader ?? { typ: 'JWT' }) };
    const encodedHeader = base64url.encode(JSON.stringify(header));
    let encodedPayload: string;
    if (this.options.detached) {
      encodedPayload = base64url.encode(input.body);
    } else {
      encodedPayload = base64url.encode(JSON.stringify(this.claimsFor(input)));
    }
    const signingInput = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii');
    const signature = base64url.encode(this.createSignature(alg, signingInput, input.key));
    const token = `${encodedHeader}.${this.options.detached ? '' : encodedPayload}.${signature}`;
    if (this.options.token === 'body') {
      return { headers: { 'content-type': 'text/plain' }, body: Buffer.from(token, 'ascii') };
    }
    const scheme = this.options.token.authScheme;
    return { headers: { [this.header!]: scheme ? `${scheme} ${token}` : token } };
  }

  validateSecret(secret: string | Buffer): void {
    if (this.hmac) utf8SecretBytes(secret);
    else if (!this.options.resolveKeys) readJwsPublicKey(secret, this.options.keyLabel ?? `A ${this.name} public key`);
  }

  private readToken(request: WebhookRequest): string {
    let value: string | undefined;
    if (this.header === undefined) {
      if (request.rawBody.length === 0) throw this.malformedBody();
      value = request.rawBody.toString('latin1');
    } else {
      value = headerValue(request, this.header);
      if (value === undefined || value === '') throw missingHeader(this.header);
      const scheme = (this.options.token as { authScheme?: string }).authScheme;
      if (scheme) {
        const space = value.indexOf(' ');
        if (space < 0 || value.slice(0, space).toLowerCase() !== scheme.toLowerCase()) {
          throw invalidHeader(this.header, `"${scheme} " followed by a token`);
        }
        value = value.slice(space + 1).trim();
      }
    }
    if (value.length > MAX_TOKEN_LENGTH || !COMPACT.test(value)) {
      if (this.header === undefined) throw this.malformedBody();
      throw invalidHeader(this.header, 'a compact JWS (three base64url parts separated by ".")');
    }
    return value;
  }

  private readHeader(token: string, where: string): JwsHeader {
    let header: JwsHeader;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw this.malformed(where, 'a JWS whose protected header is a base64url JSON object');
    }
    if (typeof header.alg !== 'string' || !(this.options.algorithms as readonly string[]).includes(header.alg)) {
      throw this.malformed(where, `a JWS signed with ${this.options.algorithms.join(' or ')}`);
    }
    // RFC 7515 §4.1.11: a critical extension the engine does not implement must be refused.
    const crit = header.crit;
    if (crit !== undefined) {
      const understood = this.options.detached ? ['b64'] : [];
      if (!Array.isArray(crit) || crit.some((name) => !understood.includes(name))) {
        throw this.malformed(where, 'a JWS without critical extensions this endpoint does not know');
      }
    }
    if (header.b64 !== undefined && (!this.options.detached || header.b64 !== false || !crit?.includes('b64'))) {
      throw this.malformed(where, 'a JWS whose "b64" parameter is listed in "crit" (RFC 7797)');
    }
    return header;
  }

  private readClaims(token: string, where: string): JWTPayload {
    try {
      return decodeJwt(token);
    } catch {
      throw this.malformed(where, 'a JWT whose payload is a base64url JSON object');
    }
  }

  private verifySignature(
    alg: JwsAlgorithm,
    header: JwsHeader,
    signingInput: Buffer,
    signature: Buffer,
    secrets: readonly WebhookSecret[],
  ): VerifiedToken {
    const spec = ALGORITHMS[alg];
    if (this.options.resolveKeys) {
      const keys = this.options.resolveKeys(header) ?? [];
      if (keys.some((key) => verifyWith(spec, signingInput, key, signature))) return {};
      throw noMatchingSignature('No key of this provider verifies the token.');
    }
    assertHasSecrets(secrets);
    for (const secret of secrets) {
      const ok = this.hmac
        ? constantTimeEqual(createHmac(spec.hash!, this.secretKeyOf(secret)).update(signingInput).digest(), signature)
        : verifyWith(spec, signingInput, this.publicKeyOf(secret), signature);
      if (ok) return { secretVersion: secret.version };
    }
    throw noMatchingSignature();
  }

  private checkClaims(claims: JWTPayload, rawBody: Buffer, now: number): void {
    const checks = this.options.claims ?? {};
    const refuse = (message: string) => new WebhookVerificationError(WebhookErrorCode.NoMatchingSignature, message);
    for (const name of checks.required ?? []) {
      if (claims[name] === undefined) throw refuse(`The ${this.name} token has no "${name}" claim.`);
    }
    if (checks.issuer !== undefined && claims.iss !== checks.issuer) {
      throw refuse(`The ${this.name} token was not issued by the expected issuer.`);
    }
    if (checks.audienceIsUrl) {
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(this.url)) throw refuse(`The ${this.name} token was made for another endpoint.`);
    }
    if (checks.issuedAt) {
      if (!isTime(claims.iat)) {
        throw new WebhookVerificationError(
          WebhookErrorCode.TimestampTooOld,
          `The ${this.name} token has no "iat", so its freshness cannot be checked.`,
        );
      }
      assertWithinTolerance(claims.iat, now, this.toleranceSeconds!);
    }
    if (checks.expires && (!isTime(claims.exp) || claims.exp < now)) {
      throw new WebhookVerificationError(WebhookErrorCode.TimestampTooOld, `The ${this.name} token has expired.`);
    }
    if (isTime(claims.nbf) && claims.nbf > now + (this.toleranceSeconds ?? 0)) {
      throw new WebhookVerificationError(WebhookErrorCode.TimestampTooNew, `The ${this.name} token is not valid yet.`);
    }
    if (checks.bodyHash) {
      const { claim, algorithm = 'sha256', encoding = 'hex', absentForEmptyBody } = checks.bodyHash;
      const sent = claims[claim];
      if (sent === undefined && absentForEmptyBody && rawBody.length === 0) return;
      const digest = createHash(algorithm).update(rawBody).digest();
      const expected = typeof sent === 'string' ? decodeText(sent, encoding) : undefined;
      if (!expected || !constantTimeEqual(digest, expected)) {
        // The token is authentic but made for another body.
        throw refuse(`The body does not match the ${this.name} token's "${claim}" digest.`);
      }
    }
  }

  private result(verified: VerifiedToken, claims: JWTPayload | undefined, rawBody: Buffer): SignatureVerification {
    const idClaim = this.options.idClaim;
    const id = idClaim && claims ? claims[idClaim] : undefined;
    const messageId = this.idPath
      ? jsonMessageId(rawBody, this.idPath)
      : typeof id === 'string' && /^[\x21-\x7e]{1,256}$/.test(id)
        ? id
        : undefined;
    const iat = this.options.claims?.issuedAt && isTime(claims?.iat) ? claims.iat : undefined;
    return {
      ...(verified.secretVersion !== undefined ? { secretVersion: verified.secretVersion } : {}),
      ...(messageId !== undefined ? { messageId } : {}),
      ...(iat !== undefined ? { signedAt: new Date(iat * 1000) } : {}),
    };
  }

  private claimsFor(input: SignInput): Record<string, unknown> {
    const checks = this.options.claims ?? {};
    const claims: Record<string, unknown> = {};
    if (this.options.bodyClaim) claims[this.options.bodyClaim] = input.body.toString('utf8');
    if (checks.issuedAt || checks.expires) claims.iat = input.timestamp;
    if (this.options.idClaim) claims[this.options.idClaim] = input.id;
    if (checks.issuer !== undefined) claims.iss = checks.issuer;
    if (checks.audienceIsUrl) claims.aud = this.url;
    if (checks.expires) claims.exp = input.timestamp + checks.expires.lifetimeSeconds;
    for (const name of checks.required ?? []) claims[name] ??= name;
    if (checks.bodyHash) {
      const { claim, algorithm = 'sha256', encoding = 'hex' } = checks.bodyHash;
      claims[claim] = createHash(algorithm).update(input.body).digest(encoding);
    }
    return claims;
  }

  private createSignature(alg: JwsAlgorithm, signingInput: Buffer, key: string | Buffer): Buffer {
    const spec = ALGORITHMS[alg];
    if (spec.kind === 'hmac') return createHmac(spec.hash!, utf8SecretBytes(key)).update(signingInput).digest();
    const text = Buffer.isBuffer(key) ? key.toString('utf8') : key;
    const privateKey = text.trim().startsWith('{')
      ? createPrivateKey({ key: JSON.parse(text), format: 'jwk' })
      : createPrivateKey(text);
    return cryptoSign(spec.hash ?? null, signingInput, { key: privateKey, ...signOptions(spec) });
  }

  private malformed(where: string, expected: string): WebhookVerificationError {
    return where === 'body' ? this.malformedBody() : invalidHeader(where, expected);
  }

  private malformedBody(): WebhookVerificationError {
    return new WebhookVerificationError(WebhookErrorCode.InvalidBody, `The ${this.name} body must be a compact JWS.`);
  }
}

/**
 * Builds a {@link JwtScheme} from data; `settings.url` is the endpoint's public URL (for `audienceIsUrl`).
 * @publicApi
 */
export function jwtSignature(options: JwtSchemeOptions, settings?: { readonly url?: string }): JwtScheme {
  return new JwtScheme(options, settings);
}

function decodeSignature(text: string): Buffer | undefined {
  try {
    return Buffer.from(base64url.decode(text));
  } catch {
    return undefined;
  }
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function decodeText(value: string, encoding: 'hex' | 'base64' | 'base64url'): Buffer | undefined {
  const valid =
    encoding === 'hex'
      ? /^(?:[0-9a-fA-F]{2})+$/
      : encoding === 'base64'
        ? /^[A-Za-z0-9+/]+={0,2}$/
        : /^[A-Za-z0-9_-]+$/;
  return valid.test(value) ? Buffer.from(value, encoding) : undefined;
}

function signOptions(spec: AlgorithmSpec): { padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } {
  if (spec.kind === 'rsa-pss') {
    const saltLength = { sha256: 32, sha384: 48, sha512: 64 }[spec.hash!];
    return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
  }
  // JWS writes ECDSA signatures as r‖s (RFC 7518 §3.4), not DER.
  return spec.kind === 'ec' ? { dsaEncoding: 'ieee-p1363' } : {};
}

/** Verifies with a key of the algorithm's kind (and curve); any other key, or a malformed signature, is a mismatch. */
function verifyWith(spec: AlgorithmSpec, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  const type = key.asymmetricKeyType;
  const fits =
    spec.kind === 'ed25519'
      ? type === 'ed25519'
      : spec.kind === 'ec'
        ? type === 'ec' && key.asymmetricKeyDetails?.namedCurve === spec.curve
        : type === 'rsa' || type === 'rsa-pss';
  if (!fits) return false;
  try {
    return cryptoVerify(spec.hash ?? null, data, { key, ...signOptions(spec) }, signature);
  } catch {
    return false;
  }
}

/** A public key: PEM / base64 SPKI (as the asymmetric engine reads them) or a JWK in JSON. */
function readJwsPublicKey(value: string | Buffer, label: string): KeyObject {
  const text = (Buffer.isBuffer(value) ? value.toString('utf8') : value).trim();
  let key: KeyObject;
  if (text.startsWith('{')) {
    try {
      const jwk = JSON.parse(text) as Record<string, unknown>;
      if ('d' in jwk) throw new Error('private');
      key = createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch {
      throw new WebhookConfigurationError(`${label} must be a public key (PEM, base64 SPKI or a public JWK).`);
    }
  } else {
    key = parsePublicKey(text, label);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined && bits < 2048)
    throw new WebhookConfigurationError(`${label} must be RSA of 2048 bits or more.`);
  return key;
}
