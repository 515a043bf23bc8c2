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
