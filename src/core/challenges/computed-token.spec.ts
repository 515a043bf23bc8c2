import fc from 'fast-check';
import { assertComputableToken, COMPUTED_TOKEN_PATTERN, isTokenShaped } from './computed-token';

// isTokenShaped is the hand-written, early-exit scan the HMAC schemes run per delivery; the regular
// expression is the specification it must agree with, on any split of any text into pieces.
describe('computed challenge tokens', () => {
  const alphabet = fc.constantFrom(...'aZ09_+/-=.:{ &"'.split(''));
  const texts = fc.oneof(
    fc.string({ unit: alphabet, maxLength: 12 }),
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
  );

  it('agrees with COMPUTED_TOKEN_PATTERN on any text, whole or in pieces, as text or bytes', () => {
    fc.assert(
      fc.property(fc.array(texts, { maxLength: 4 }), (pieces) => {
        const whole = pieces.join('');
        const expected = COMPUTED_TOKEN_PATTERN.test(whole);
        expect(isTokenShaped(...pieces)).toBe(expected);
        expect(isTokenShaped(...pieces.map((piece) => Buffer.from(piece, 'latin1')))).toBe(
          COMPUTED_TOKEN_PATTERN.test(Buffer.from(whole, 'latin1').toString('latin1')),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('takes what X and Zoom send and refuses bodies and strings to sign', () => {
    for (const token of ['9b4507b3-9040-4669-9ca3-6b94edb50553', 'qgg8vlvZRS6UYooatFL8Aw', 'YWJjZA==', 'a']) {
      expect(assertComputableToken(token)).toBe(token);
    }
    for (const value of ['', '=', 'a=b', 'a===', '{}', 'v0:1:a', '1.a', 'a b', 'a\n', '%41', 'é']) {
      expect(() => assertComputableToken(value)).toThrow(expect.objectContaining({ code: 'invalid_challenge' }));
    }
    expect(() => assertComputableToken(new Uint8Array([0x7b, 0x7d]))).toThrow();
    expect(assertComputableToken(new Uint8Array([0x61, 0x3d]))).toEqual(new Uint8Array([0x61, 0x3d]));
  });
});
