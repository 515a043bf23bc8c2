import fc from 'fast-check';
import { constantTimeEqual, constantTimeEqualText } from './constant-time';

describe('constantTimeEqualText', () => {
  it('is true exactly when the strings are equal', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqualText(a, b)).toBe(a === b);
        expect(constantTimeEqualText(a, a)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('tells apart digests that differ in any one character, as timingSafeEqual does on their bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(63), fc.nat(15), (bytes, at, flip) => {
        const hex = Buffer.from(bytes).toString('hex');
        const other = hex.slice(0, at) + ((parseInt(hex[at], 16) ^ (flip + 1)) & 15).toString(16) + hex.slice(at + 1);
        const sameBytes = constantTimeEqual(Buffer.from(hex, 'hex'), Buffer.from(other, 'hex'));
        expect(constantTimeEqualText(hex, other)).toBe(sameBytes);
      }),
    );
  });

  it('compares strings of different lengths as unequal', () => {
    expect(constantTimeEqualText('abc', 'abcd')).toBe(false);
    expect(constantTimeEqualText('', 'a')).toBe(false);
    expect(constantTimeEqualText('', '')).toBe(true);
  });
});
