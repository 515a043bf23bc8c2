import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { constantTimeEqual } from '../constant-time';
import { WebhookErrorCode, WebhookVerificationError } from '../errors';
import type { SignInput } from '../signature-scheme';
import { assertWithinTolerance } from '../timestamp';

// The claims of the JWT engine as data: what verify() checks, and what sign() writes from the same checks.

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

/** What the claim checks need of the scheme. @internal */
export interface JwtClaimContext {
  readonly name: string;
  readonly claims?: JwtClaimChecks;
  readonly url?: string;
  readonly toleranceSeconds?: number;
  readonly idClaim?: string;
  readonly bodyClaim?: string;
}

/** Refuses a token whose claims do not say what `scheme.claims` requires. @internal */
export function checkJwtClaims(scheme: JwtClaimContext, claims: JWTPayload, rawBody: Buffer, now: number): void {
  const checks = scheme.claims ?? {};
  const refuse = (message: string) => new WebhookVerificationError(WebhookErrorCode.NoMatchingSignature, message);
  for (const name of checks.required ?? []) {
    if (claims[name] === undefined) throw refuse(`The ${scheme.name} token has no "${name}" claim.`);
  }
  if (checks.issuer !== undefined && claims.iss !== checks.issuer) {
    throw refuse(`The ${scheme.name} token was not issued by the expected issuer.`);
  }
  if (checks.audienceIsUrl) {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(scheme.url)) throw refuse(`The ${scheme.name} token was made for another endpoint.`);
  }
  if (checks.issuedAt) {
    if (!isTime(claims.iat)) {
      throw new WebhookVerificationError(
        WebhookErrorCode.TimestampTooOld,
        `The ${scheme.name} token has no "iat", so its freshness cannot be checked.`,
      );
    }
    assertWithinTolerance(claims.iat, now, scheme.toleranceSeconds!);
  }
  if (checks.expires && (!isTime(claims.exp) || claims.exp < now)) {
    throw new WebhookVerificationError(WebhookErrorCode.TimestampTooOld, `The ${scheme.name} token has expired.`);
  }
  if (isTime(claims.nbf) && claims.nbf > now + (scheme.toleranceSeconds ?? 0)) {
    throw new WebhookVerificationError(WebhookErrorCode.TimestampTooNew, `The ${scheme.name} token is not valid yet.`);
  }
  if (checks.bodyHash) {
    const { claim, algorithm = 'sha256', encoding = 'hex', absentForEmptyBody } = checks.bodyHash;
    const sent = claims[claim];
    if (sent === undefined && absentForEmptyBody && rawBody.length === 0) return;
    const digest = createHash(algorithm).update(rawBody).digest();
    const expected = typeof sent === 'string' ? decodeText(sent, encoding) : undefined;
    if (!expected || !constantTimeEqual(digest, expected)) {
      // The token is authentic but made for another body.
      throw refuse(`The body does not match the ${scheme.name} token's "${claim}" digest.`);
    }
  }
}

/**
 * The claims `sign()` writes: the ones the checks look at (`iss`, `aud`, `iat` = the timestamp, `exp`,
 * the id claim, the body digest). @internal
 */
export function jwtClaimsFor(scheme: JwtClaimContext, input: SignInput): Record<string, unknown> {
  const checks = scheme.claims ?? {};
  const claims: Record<string, unknown> = {};
  if (scheme.bodyClaim) claims[scheme.bodyClaim] = input.body.toString('utf8');
  if (checks.issuedAt || checks.expires) claims.iat = input.timestamp;
  if (scheme.idClaim) claims[scheme.idClaim] = input.id;
  if (checks.issuer !== undefined) claims.iss = checks.issuer;
  if (checks.audienceIsUrl) claims.aud = scheme.url;
  if (checks.expires) claims.exp = input.timestamp + checks.expires.lifetimeSeconds;
  for (const name of checks.required ?? []) claims[name] ??= name;
  if (checks.bodyHash) {
    const { claim, algorithm = 'sha256', encoding = 'hex' } = checks.bodyHash;
    claims[claim] = createHash(algorithm).update(input.body).digest(encoding);
  }
  return claims;
}

/** @internal */
export function isTime(value: unknown): value is number {
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
