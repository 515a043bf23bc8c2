import { createHash, timingSafeEqual } from 'node:crypto';
import type { ChallengeResponse, ChallengeStrategy } from '../challenge-strategy';
import type { WebhookRequest } from '../request';
import type { SignatureScheme } from '../signature-scheme';

/**
 * Challenge or delivery: a request is answered as the strategy's challenge only when its raw bytes
 * are there (without them nothing can be detected safely; the delivery path reports the fix) and
 * the strategy detects it. `detect` must never throw; one that does is a strategy bug, treated as
 * "not a challenge", so the request is verified as a delivery.
 */
export function isChallengeRequest(
  strategy: Pick<ChallengeStrategy, 'detect'>,
  request: Omit<WebhookRequest, 'rawBody'> & { readonly rawBody: Buffer | undefined },
): request is WebhookRequest {
  if (request.rawBody === undefined) return false;
  try {
    return strategy.detect(request as WebhookRequest) === true;
  } catch {
    return false;
  }
}

/** A challenge answer as it is written: status, headers and body. */
export interface ChallengeAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Record<string, unknown> | undefined;
}

/**
 * How a strategy's answer goes out: `nosniff` always (the answer may echo a token the sender chose);
 * `text/plain` for a string and JSON for an object unless the strategy set a type; the body copied,
 * so the writer never holds the strategy's object.
 */
export function challengeAnswer(answer: ChallengeResponse): ChallengeAnswer {
  const headers: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' };
  const hasType = Object.keys(answer.headers ?? {}).some((name) => name.toLowerCase() === 'content-type');
  if (!hasType && answer.body !== undefined) {
    headers['Content-Type'] =
      typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  }
  Object.assign(headers, answer.headers);
  const body = typeof answer.body === 'string' || answer.body === undefined ? answer.body : { ...answer.body };
  return { status: answer.status, headers, body };
}

/**
 * What to do with the signing secret a handshake hands over (Asana): refuse it when the endpoint
 * has one and may not replace it; else store it as the first secret (the store decides atomically,
 * so of concurrent handshakes exactly one wins) where the store can, or add it in place of the old
 * one (replacement allowed, or a store without `addFirstSecret`).
 */
export function handshakeSecretAction(
  hasSecret: boolean,
  allowSecretReplacement: boolean,
  storeAddsFirstSecret: boolean,
): 'refuse' | 'add_first' | 'replace' {
  if (hasSecret && !allowSecretReplacement) return 'refuse';
  return !allowSecretReplacement && storeAddsFirstSecret ? 'add_first' : 'replace';
}

/** What decides whether two endpoints sharing a secret form a signing oracle. */
export interface ChallengeOracleSide {
  readonly schemes: readonly Pick<SignatureScheme, 'requiresSecret' | 'refusesChallengeAnswers'>[];
  readonly challenge?: Pick<ChallengeStrategy, 'computesWithSigningSecret'>;
}

/** Whether the endpoint's configured challenge computes answers with its signing secret. */
export function computesWithSigningSecret(endpoint: ChallengeOracleSide): boolean {
  return endpoint.challenge?.computesWithSigningSecret === true;
}

/** Whether a scheme of the endpoint may accept a computed challenge answer as a signature (Mailgun, custom). */
export function acceptsChallengeAnswers(endpoint: ChallengeOracleSide): boolean {
  return endpoint.schemes.some((scheme) => scheme.requiresSecret && scheme.refusesChallengeAnswers !== true);
}

/**
 * Whether a secret shared by `self` and `other` would be an oracle: one side answers challenges with
 * an HMAC of it (`selfComputes`: a route strategy that does, or the configured challenge), the
 * other may accept such an answer as a delivery signature.
 */
export function formsChallengeOracle(
  self: ChallengeOracleSide,
  other: ChallengeOracleSide,
  selfComputes = computesWithSigningSecret(self),
): boolean {
  return (
    (selfComputes && acceptsChallengeAnswers(other)) ||
    (acceptsChallengeAnswers(self) && computesWithSigningSecret(other))
  );
}

/** The SHA-256 of a secret: equal-length values to compare in constant time. */
export function secretFingerprint(secret: string | Buffer): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Whether any of `mine` equals any of `theirs` (fingerprints); every pair is compared, so the time says nothing of which. */
export function sharesFingerprint(mine: readonly Buffer[], theirs: readonly Buffer[]): boolean {
  let shared = false;
  for (const their of theirs) {
    for (const candidate of mine) shared = timingSafeEqual(candidate, their) || shared;
  }
  return shared;
}

export function sharedSecretMessage(endpoint: string, other: string): string {
  return (
    `Webhook endpoints "${endpoint}" and "${other}" share a signing secret, and a challenge answer of one ` +
    '(an HMAC keyed with that secret) could pass as a delivery signature of the other, whose scheme does not ' +
    'declare refusesChallengeAnswers. Give each endpoint its own secret.'
  );
}
