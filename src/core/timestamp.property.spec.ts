import fc from 'fast-check';
import { WebhookErrorCode, WebhookVerificationError } from './errors';
import { assertWithinTolerance, parseUnixSeconds } from './timestamp';

// Property-based tests of the timestamp header parser and the tolerance window: whatever text a
// sender puts in the header, the parser returns a whole number of seconds or throws the typed
// `invalid_header` error, never anything else; it accepts exactly 1–12 ASCII digits; its message
// never reflects the header's value; the window is symmetric and inclusive at its bounds.

const HEADER = 'webhook-timestamp';
const anyText = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 32 }),
);
const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));

function parse(value: string): number | WebhookVerificationError {
  try {
    return parseUnixSeconds(value, HEADER);
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
}

describe('parseUnixSeconds (property-based)', () => {
  it('returns a whole number of seconds or throws invalid_header, for any text', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        const result = parse(value);
        if (result instanceof WebhookVerificationError) return result.code === WebhookErrorCode.InvalidHeader;
        return Number.isSafeInteger(result) && result >= 0;
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts every string of 1 to 12 ASCII digits without a leading zero, as its decimal value', () => {
    fc.assert(
      fc.property(digits(1, 12), (value) => {
        const canonical = value.replace(/^0+(?=.)/, '');
        return parse(canonical) === parseInt(value, 10);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a leading zero (a template joining the timestamp to another field could move it across)', () => {
    fc.assert(
      fc.property(digits(1, 11), (value) => parse(`0${value}`) instanceof WebhookVerificationError),
      { numRuns: 500 },
    );
  });

  it('refuses more than 12 digits', () => {
    fc.assert(
      fc.property(digits(13, 400), (value) => parse(value) instanceof WebhookVerificationError),
      { numRuns: 500 },
    );
  });

  it('refuses any valid timestamp with one character that is not an ASCII digit inserted', () => {
    const intruder = fc.oneof(
      fc.constantFrom('-', '+', '.', ',', 'e', 'E', 'x', ' ', '\t', '\n', '\0', '_', '٣', '３', '²', '⁰', '½'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => !/^[0-9]$/.test(c)),
    );
    fc.assert(
      fc.property(digits(1, 11), intruder, fc.nat(), (value, char, at) => {
        const position = at % (value.length + 1);
        const hostile = value.slice(0, position) + char + value.slice(position);
        return parse(hostile) instanceof WebhookVerificationError;
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses negative, fractional, exponent and hex notations of valid timestamps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99_999_999_999 }),
        fc.constantFrom('neg', 'frac', 'exp', 'hex', 'plus'),
        (n, form) => {
          const text = {
            neg: `-${n}`,
            frac: `${n}.5`,
            exp: n.toExponential(),
            hex: `0x${n.toString(16)}`,
            plus: `+${n}`,
          }[form];
          return parse(text) instanceof WebhookVerificationError;
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never reflects the header value in its message: the message is the same for every refused value', () => {
    const expected = (parse('x') as WebhookVerificationError).message;
    fc.assert(
      fc.property(anyText, (value) => {
        const result = parse(value);
        return !(result instanceof WebhookVerificationError) || result.message === expected;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('assertWithinTolerance (property-based)', () => {
  const seconds = fc.integer({ min: 0, max: 99_999_999_999 });
  const tolerance = fc.integer({ min: 0, max: 86_400 });

  function outcome(signedAt: number, now: number, tol: number): string {
    try {
      assertWithinTolerance(signedAt, now, tol);
      return 'ok';
    } catch (error) {
      if (error instanceof WebhookVerificationError) return error.code;
      throw error;
    }
  }

  it('passes exactly when the timestamp is at most the tolerance away, in either direction', () => {
    fc.assert(
      fc.property(seconds, seconds, tolerance, (signedAt, now, tol) => {
        const expected =
          now - signedAt > tol
            ? WebhookErrorCode.TimestampTooOld
            : signedAt - now > tol
              ? WebhookErrorCode.TimestampTooNew
              : 'ok';
        return outcome(signedAt, now, tol) === expected;
      }),
      { numRuns: 3000 },
    );
  });

  it('is inclusive at both bounds and refuses one second beyond either', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100_000, max: 99_999_000_000 }), tolerance, (now, tol) => {
        return (
          outcome(now - tol, now, tol) === 'ok' &&
          outcome(now + tol, now, tol) === 'ok' &&
          outcome(now - tol - 1, now, tol) === WebhookErrorCode.TimestampTooOld &&
          outcome(now + tol + 1, now, tol) === WebhookErrorCode.TimestampTooNew
        );
      }),
      { numRuns: 2000 },
    );
  });
});
