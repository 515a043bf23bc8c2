import fc from 'fast-check';
import { WebhookConfigurationError, WebhookVerificationError } from '../errors';
import {
  assertSafeToken,
  DEFAULT_TOKEN_SAFETY,
  isSafeToken,
  PRINTABLE_TOKEN_PATTERN,
  resolveTokenSafety,
} from './token-safety';

function refusal(run: () => unknown): WebhookVerificationError {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error;
    throw error;
  }
  throw new Error('expected a WebhookVerificationError');
}

describe('token safety', () => {
  it.each([
    '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', // Slack
    'qgg8vlvZRS6UYooatFL8Aw', // Zoom
    '1158201444', // Meta
    '9b4507b3-9040-4669-9ca3-6b94edb50553', // X
    'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg', // Okta
    'pogchamp-kappa-360noscope-vohiyo', // Twitch
    'a+b/c=d:e~f.g',
  ])('accepts the providers\u2019 tokens (%s)', (token) => {
    expect(assertSafeToken(token)).toBe(token);
  });

  it.each([
    ['missing', undefined, 'is missing'],
    ['empty', '', 'is missing'],
    ['not a string', 42, 'is missing'],
    ['markup', '<script>alert(1)</script>', 'not allowed'],
    ['CRLF', 'abc\r\nSet-Cookie: x=1', 'not allowed'],
    ['LF', 'abc\ndef', 'not allowed'],
    ['a double quote', 'a"b', 'not allowed'],
    ['a single quote', "a'b", 'not allowed'],
    ['a space', 'a b', 'not allowed'],
    ['binary', '\u0000\u0001\u00ff', 'not allowed'],
    ['non-ASCII', 'caf\u00e9', 'not allowed'],
    ['oversized', 'a'.repeat(257), 'longer than 256'],
  ])('refuses a %s token with invalid_challenge', (_name, token, message) => {
    const error = refusal(() => assertSafeToken(token));
    expect(error.code).toBe('invalid_challenge');
    expect(error.message).toContain(message);
  });

  it('accepts exactly 256 characters by default and a configured length', () => {
    expect(assertSafeToken('a'.repeat(256))).toHaveLength(256);
    const safety = resolveTokenSafety({ maxLength: 8 }, 'test');
    expect(assertSafeToken('12345678', safety)).toBe('12345678');
    expect(refusal(() => assertSafeToken('123456789', safety)).message).toContain('longer than 8');
  });

  it('takes plain options too, and refuses bad ones as a configuration error', () => {
    expect(assertSafeToken('abcd', { maxLength: 4 })).toBe('abcd');
    expect(refusal(() => assertSafeToken('abcde', { maxLength: 4 })).code).toBe('invalid_challenge');
    expect(() => assertSafeToken('abc', { maxLength: -1 })).toThrow(WebhookConfigurationError);
    expect(isSafeToken('abc', { maxLength: -1 })).toBe(false);
  });

  it('never puts the refused token in the message', () => {
    const token = '<img src=x onerror=alert(1)>';
    expect(refusal(() => assertSafeToken(token)).message).not.toContain('img');
  });

  it('keeps markup, quotes and control characters out whatever the pattern allows', () => {
    const anything = resolveTokenSafety({ pattern: /[\s\S]+/ }, 'test');
    expect(assertSafeToken('a b;c', anything)).toBe('a b;c');
    for (const token of ['<b>', 'a"b', 'a\rb', 'a`b', '\u00e9']) {
      expect(refusal(() => assertSafeToken(token, anything)).code).toBe('invalid_challenge');
    }
  });

  it('anchors a configured pattern and ignores the stateful g and y flags', () => {
    const digits = resolveTokenSafety({ pattern: /[0-9]+/g }, 'test');
    expect(assertSafeToken('123', digits)).toBe('123');
    expect(assertSafeToken('456', digits)).toBe('456');
    expect(refusal(() => assertSafeToken('12a', digits)).code).toBe('invalid_challenge');
    const fromString = resolveTokenSafety({ pattern: '[a-f]+' }, 'test');
    expect(assertSafeToken('cafe', fromString)).toBe('cafe');
    expect(refusal(() => assertSafeToken('coffee', fromString)).code).toBe('invalid_challenge');
  });

  it('allows spaces with PRINTABLE_TOKEN_PATTERN', () => {
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 3b3f9821';
    expect(isSafeToken(token)).toBe(false);
    expect(isSafeToken(token, { pattern: PRINTABLE_TOKEN_PATTERN })).toBe(true);
  });

  it.each([
    [{ maxLength: 0 }, 'maxLength'],
    [{ maxLength: 8193 }, 'maxLength'],
    [{ maxLength: 1.5 }, 'maxLength'],
    [{ pattern: '([a-z' }, 'does not compile'],
  ])('refuses bad options %j at start-up', (options, message) => {
    expect(() => resolveTokenSafety(options, 'where')).toThrow(WebhookConfigurationError);
    expect(() => resolveTokenSafety(options, 'where')).toThrow(message);
  });

  describe('properties', () => {
    it('throws nothing but invalid_challenge, for any value', () => {
      const anyValue = fc.oneof(
        fc.string({ maxLength: 400 }),
        fc.string({ unit: 'binary', maxLength: 400 }),
        fc.string({ unit: 'grapheme', maxLength: 50 }),
        fc.anything(),
      );
      fc.assert(
        fc.property(anyValue, (value) => {
          try {
            assertSafeToken(value);
          } catch (error) {
            if (!(error instanceof WebhookVerificationError) || error.code !== 'invalid_challenge') throw error;
          }
        }),
        { numRuns: 3000 },
      );
    });

    it('accepts exactly the non-empty strings of at most 256 characters from the default set', () => {
      const allowed = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+/=:-';
      const outside = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !allowed.includes(c));
      fc.assert(
        fc.property(
          fc.string({ unit: fc.constantFrom(...allowed), minLength: 1, maxLength: 256 }),
          outside,
          fc.nat(),
          (token, bad, at) => {
            expect(assertSafeToken(token)).toBe(token);
            const index = at % (token.length + 1);
            const tainted = token.slice(0, index) + bad + token.slice(index);
            expect(isSafeToken(tainted)).toBe(false);
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('whatever it accepts holds no markup, quote, control or non-ASCII character', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (value) => {
          if (isSafeToken(value, { pattern: /[\s\S]+/ })) {
            expect(value).toMatch(/^[\x20-\x7E]+$/);
            expect(value).not.toMatch(/[<>"'`]/);
          }
        }),
        { numRuns: 3000 },
      );
    });
  });

  it('has a default that is the documented one', () => {
    expect(DEFAULT_TOKEN_SAFETY.maxLength).toBe(256);
  });
});
