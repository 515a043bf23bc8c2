import fc from 'fast-check';
import { decodeDigest, digestText } from './scheme-support';

// digestText must accept exactly the spellings decodeDigest accepts (which the schemes used before
// comparing digests as text) and return the one spelling Node.js's hmac.digest(encoding) prints.

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

  it('accepts what decodeDigest accepts and nothing else, and agrees on the bytes', () => {
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
            const decoded = decodeDigest(value, encoding, size);
            const text = digestText(value, encoding, size);
            expect(text === undefined).toBe(decoded === undefined);
            if (decoded) expect(text).toBe(decoded.toString(encoding));
          },
        ),
        { numRuns: 3000 },
      );
    }
  });
});
