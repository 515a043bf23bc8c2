import fc from 'fast-check';
import { WebhookConfigurationError } from './errors';
import {
  decodeStandardSecret,
  generateStandardSecret,
  memoizeKey,
  STANDARD_SECRET_MAX_BYTES,
  STANDARD_SECRET_MIN_BYTES,
  type WebhookSecret,
} from './secret';

// Property-based tests of the Standard Webhooks secret format: any key of 24–64 bytes survives
// encoding and decoding, with or without the `whsec_` prefix; any other text is refused with the
// typed configuration error (never another error, never a key of the wrong size); an error message
// never contains the secret it refuses; generated secrets are well-formed and distinct.

const keys = fc.uint8Array({ minLength: STANDARD_SECRET_MIN_BYTES, maxLength: STANDARD_SECRET_MAX_BYTES });
const anyText = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.base64String({ maxLength: 120 }),
  fc.base64String({ maxLength: 120 }).map((b64) => `whsec_${b64}`),
);

function decode(secret: string | Buffer): Buffer | WebhookConfigurationError {
  try {
    return decodeStandardSecret(secret);
  } catch (error) {
    if (error instanceof WebhookConfigurationError) return error;
    throw error;
  }
}

describe('decodeStandardSecret (property-based)', () => {
  it('decodes "whsec_" + base64 and the bare base64 of every 24–64 byte key to the same bytes', () => {
    fc.assert(
      fc.property(keys, (bytes) => {
        const key = Buffer.from(bytes);
        const b64 = key.toString('base64');
        return (decode(`whsec_${b64}`) as Buffer).equals(key) && (decode(b64) as Buffer).equals(key);
      }),
      { numRuns: 1000 },
    );
  });

  it('returns a key of 24–64 bytes or throws WebhookConfigurationError, for any text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = decode(text);
        return (
          result instanceof WebhookConfigurationError ||
          (result.length >= STANDARD_SECRET_MIN_BYTES && result.length <= STANDARD_SECRET_MAX_BYTES)
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses keys shorter than 24 or longer than 64 bytes', () => {
    const outside = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: STANDARD_SECRET_MIN_BYTES - 1 }),
      fc.uint8Array({ minLength: STANDARD_SECRET_MAX_BYTES + 1, maxLength: 256 }),
    );
    fc.assert(
      fc.property(outside, fc.boolean(), (bytes, prefixed) => {
        const b64 = Buffer.from(bytes).toString('base64');
        return decode(prefixed ? `whsec_${b64}` : b64) instanceof WebhookConfigurationError;
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses base64url, unpadded and whitespace-broken encodings of valid keys', () => {
    fc.assert(
      fc.property(keys, fc.constantFrom('url', 'unpadded', 'space', 'newline'), (bytes, form) => {
        const key = Buffer.from(bytes);
        const b64 = key.toString('base64');
        const text = {
          url: key.toString('base64url'),
          unpadded: b64.replace(/=+$/, ''),
          space: `${b64.slice(0, 8)} ${b64.slice(8)}`,
          newline: `${b64}\n`,
        }[form];
        // base64url and unpadded forms can coincide with valid base64 (no '+', '/' or '=').
        if (text === b64) return true;
        return decode(`whsec_${text}`) instanceof WebhookConfigurationError;
      }),
      { numRuns: 1000 },
    );
  });

  it('never puts the refused secret in its error message', () => {
    fc.assert(
      fc.property(
        anyText.filter((text) => text.trim().length >= 12),
        (text) => {
          const result = decode(text);
          if (!(result instanceof WebhookConfigurationError)) return true;
          const payload = text.startsWith('whsec_') ? text.slice(6) : text;
          return !result.message.includes(text) && (payload.length < 12 || !result.message.includes(payload));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('returns a non-empty Buffer as the key itself and refuses an empty one', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 128 }), (bytes) => {
        const key = Buffer.from(bytes);
        return decode(key) === key;
      }),
    );
    expect(decode(Buffer.alloc(0))).toBeInstanceOf(WebhookConfigurationError);
  });
});

describe('generateStandardSecret (property-based)', () => {
  it('makes a "whsec_" secret of the asked size that decodes, different every time', () => {
    fc.assert(
      fc.property(fc.integer({ min: STANDARD_SECRET_MIN_BYTES, max: STANDARD_SECRET_MAX_BYTES }), (size) => {
        const a = generateStandardSecret(size);
        const b = generateStandardSecret(size);
        return a.startsWith('whsec_') && (decode(a) as Buffer).length === size && a !== b;
      }),
      { numRuns: 300 },
    );
  });

  it('refuses sizes outside 24–64 bytes with the typed error', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -1000, max: STANDARD_SECRET_MIN_BYTES - 1 }), fc.integer({ min: 65, max: 100_000 })),
        (size) => {
          try {
            generateStandardSecret(size);
            return false;
          } catch (error) {
            return error instanceof WebhookConfigurationError;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('memoizeKey (property-based)', () => {
  it('derives each secret object once, however often and in whatever order it is asked', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 9 }), { maxLength: 200 }), (order) => {
        const secrets: WebhookSecret[] = Array.from({ length: 10 }, (_, version) => ({
          version,
          value: `s${version}`,
        }));
        const calls: number[] = [];
        const derive = memoizeKey((secret: WebhookSecret) => {
          calls.push(secret.version);
          return `key:${secret.value as string}`;
        });
        for (const i of order) if (derive(secrets[i]) !== `key:s${i}`) return false;
        return calls.length === new Set(order).size;
      }),
      { numRuns: 300 },
    );
  });
});
