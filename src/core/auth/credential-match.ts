import { createHash, timingSafeEqual } from 'node:crypto';
import { memoizeKey, type WebhookSecret } from '../secret';

// Tokens, passwords and client states are compared as SHA-256 digests: equal-length buffers, so
// timingSafeEqual reveals neither where two values differ nor how long the expected one is.

/** @internal */
export function credentialDigest(value: string | Buffer): Buffer {
  return createHash('sha256').update(value).digest();
}

const secretDigest = memoizeKey((secret: WebhookSecret) => credentialDigest(secret.value));

/**
 * The first live secret equal to the candidate, comparing against every one of them (no early exit,
 * so the time does not depend on which version matched); `undefined` when none does.
 * @internal
 */
export function matchSecret(candidate: string | Buffer, secrets: readonly WebhookSecret[]): WebhookSecret | undefined {
  const digest = credentialDigest(candidate);
  let matched: WebhookSecret | undefined;
  for (const secret of secrets) {
    if (timingSafeEqual(secretDigest(secret), digest) && matched === undefined) matched = secret;
  }
  return matched;
}

/** Whether the candidate equals one of the configured values' digests (all compared). @internal */
export function matchDigest(candidate: string | Buffer, digests: readonly Buffer[]): boolean {
  const digest = credentialDigest(candidate);
  let matched = false;
  for (const expected of digests) matched = timingSafeEqual(expected, digest) || matched;
  return matched;
}
