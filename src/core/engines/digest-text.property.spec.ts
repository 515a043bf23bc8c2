import fc from 'fast-check';
import { decodeDigest, digestText } from './scheme-support';

// digestText (and decodeDigest, built on it) must accept exactly the spellings of a digest of the
// given size — hex in either case; base64 standard, padded and canonical — and return the one
// spelling Node.js's hmac.digest(encoding) prints. The oracle is Node's own decoder: a spelling is
// valid when it decodes to `bytes` bytes and encodes back to itself (hex: once lower-cased).

function oracle(value: string, encoding: 'hex' | 'base64', bytes: number): string | undefined {
  const alphabet = encoding === 'hex' ? /^[0-9a-fA-F]*$/ : /^[A-Za-z0-9+/]*={0,2}$/;
  if (!alphabet.test(value)) return undefined;
  const decoded = Buffer.from(value, encoding);
  const spelled = decoded.toString(encoding);
  const normalized = encoding === 'hex' ? value.toLowerCase() : value;
  return decoded.length === bytes && spelled === normalized ? spelled : undefined;
}

const sizes = [20, 32, 64];
const base64Char = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='.split(''));
const hexChar = fc.constantFrom(...'0123456789abcdefABCDEFxg '.split(''));

describe('digestText', () => {
  it('gives the digest as Node.js prints it, for any digest in any accepted spelling', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...sizes),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.boolean(),
        (size, seed, upper) => {
          const bytes = Buffer.from(seed.subarray(0, size));
          const hex = bytes.toString('hex');
          expect(digestText(upper ? hex.toUpperCase() : hex, 'hex', size)).toBe(hex);
          expect(digestText(bytes.toString('base64'), 'base64', size)).toBe(bytes.toString('base64'));
        },
      ),
    );
  });

  it("accepts exactly what Node's decoder round-trips, and decodes to those bytes", () => {
    for (const encoding of ['hex', 'base64'] as const) {
      fc.assert(
        fc.property(
          fc.constantFrom(...sizes),
          fc.array(encoding === 'hex' ? hexChar : base64Char, { minLength: 26, maxLength: 130 }),
          fc.uint8Array({ minLength: 64, maxLength: 64 }),
          fc.nat(4),
          (size, chars, seed, mutate) => {
            // Half of the cases start from a real digest with one character changed, so near misses
            // (stray bits, wrong padding, mixed case) are common, not just noise.
            const real = Buffer.from(seed.subarray(0, size)).toString(encoding);
            const value =
              mutate < 2
                ? real.slice(0, real.length - 1 - mutate) + chars[0] + real.slice(real.length - mutate)
                : chars.join('');
            const expected = oracle(value, encoding, size);
            expect(digestText(value, encoding, size)).toBe(expected);
            expect(decodeDigest(value, encoding, size)?.toString(encoding)).toBe(expected);
          },
        ),
        { numRuns: 3000 },
      );
    }
  });
});
