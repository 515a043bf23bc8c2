import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two byte strings in time that depends only on their lengths, never on where they differ.
 * Lengths are not secret (a digest's length is public), so unequal lengths return at once.
 * @publicApi
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Compares two strings by their UTF-8 bytes in constant time (for tokens and passwords that arrive as text).
 * @publicApi
 */
export function constantTimeEqualString(a: string, b: string): boolean {
  return constantTimeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Compares two digests written as text (hex or base64) in time that depends only on their lengths:
 * every character code is XOR-ed into one accumulator, with no early exit (stripe-node's
 * `secureCompare` checks Stripe signatures the same way). Verifying compares the digest as the
 * provider encodes it, which spares the Buffer that `hmac.digest()` allocates and the one decoding
 * the signature would: on a 1 KiB body that is a fifth of the whole verification.
 * @internal
 */
export function constantTimeEqualText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/**
 * Whether the digest equals one of the signatures (one per live secret during a roll), each compared
 * in constant time and every one compared, so that which entry matched does not show in the timing.
 * @internal
 */
export function constantTimeEqualsAnyText(digest: string, signatures: readonly string[]): boolean {
  let found = false;
  for (const candidate of signatures) if (constantTimeEqualText(digest, candidate)) found = true;
  return found;
}
