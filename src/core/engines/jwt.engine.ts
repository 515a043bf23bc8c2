import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { JWTPayload, ProtectedHeaderParameters } from 'jose';
import { jose } from './jose';
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
import {
  ALGORITHMS,
  createJwsSignature,
  decodeSignature,
  readJwsPublicKey,
  verifyWith,
  type JwsAlgorithm,
} from './jws-algorithms';
import { checkJwtClaims, isTime, jwtClaimsFor, type JwtClaimChecks, type JwtClaimContext } from './jwt-claims';
import {
  assertHasSecrets,
  assertPublicUrl,
  assertTolerance,
  invalidHeader,
  jsonMessageId,
  messageIdText,
  missingHeader,
  noMatchingSignature,
  toPath,
  utf8SecretBytes,
} from './scheme-support';

export type { JwsAlgorithm } from './jws-algorithms';
export type { JwtClaimChecks } from './jwt-claims';

// JWT/JWS (RFC 7515, 7519, 7797) as data. The compact serialization, its base64url and its JSON are
// read by `jose`; the signature itself is checked with node:crypto, because a SignatureScheme is
// synchronous and jose's verify functions are all asynchronous (WebCrypto).

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

/** A compact JWS is a few hundred bytes; a header this long is not one. */
const MAX_TOKEN_LENGTH = 16_384;
const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

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
  private readonly claimContext: JwtClaimContext;

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
    const { idClaim, bodyClaim } = options;
    this.claimContext = { name, claims, url: this.url, toleranceSeconds: this.toleranceSeconds, idClaim, bodyClaim };
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
      payload = header.b64 === false ? request.rawBody : Buffer.from(jose().base64url.encode(request.rawBody), 'ascii');
    } else {
      claims = this.readClaims(token, where);
      payload = Buffer.from(encodedPayload, 'ascii');
    }
    const signingInput = Buffer.concat([Buffer.from(`${encodedHeader}.`, 'ascii'), payload]);
    const signature = decodeSignature(encodedSignature);
    if (!signature) throw this.malformed(where, 'a JWS whose signature is base64url');
    const now = Math.floor(context.receivedAt / 1000);
    const verified = this.verifySignature(alg, header, signingInput, signature, secrets);
    if (claims) checkJwtClaims(this.claimContext, claims, request.rawBody, now);
    const result = this.result(verified, claims, request.rawBody);
    // A token that is the body: duplicates by what it signs, not by the body, whose signature part
    // has other valid spellings (ECDSA's s and n − s) that would each be a new delivery.
    if (this.options.token !== 'body' || result.messageId !== undefined) return result;
    return { ...result, signedContentKey: `sha256:${createHash('sha256').update(signingInput).digest('hex')}` };
  }

  /**
   * Signs as the provider does: the claims this definition checks (`iss`, `aud`, `iat` = the
   * timestamp, `exp`, the id claim, the body digest) in that order, after `alg` and `signHeader`.
   */
  sign(input: SignInput): SignedDelivery {
    const alg = this.options.algorithms[0];
    const header = { alg, ...(this.options.signHeader ?? { typ: 'JWT' }) };
    const encodedHeader = jose().base64url.encode(JSON.stringify(header));
    let encodedPayload: string;
    if (this.options.detached) {
      encodedPayload = jose().base64url.encode(input.body);
    } else {
      encodedPayload = jose().base64url.encode(JSON.stringify(jwtClaimsFor(this.claimContext, input)));
    }
    const signingInput = Buffer.from(`${encodedHeader}.${encodedPayload}`, 'ascii');
    const signature = jose().base64url.encode(createJwsSignature(alg, signingInput, input.key));
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
    // Loaded outside the try: a jose that cannot load is a setup error, not a malformed token.
    const { decodeProtectedHeader } = jose();
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
    const { decodeJwt } = jose();
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

  private result(verified: VerifiedToken, claims: JWTPayload | undefined, rawBody: Buffer): SignatureVerification {
    const idClaim = this.options.idClaim;
    const id = idClaim && claims ? claims[idClaim] : undefined;
    const messageId = this.idPath ? jsonMessageId(rawBody, this.idPath) : messageIdText(id);
    const iat = this.options.claims?.issuedAt && isTime(claims?.iat) ? claims.iat : undefined;
    return {
      ...(verified.secretVersion !== undefined ? { secretVersion: verified.secretVersion } : {}),
      ...(messageId !== undefined ? { messageId } : {}),
      ...(iat !== undefined ? { signedAt: new Date(iat * 1000) } : {}),
    };
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
