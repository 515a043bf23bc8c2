import fc from 'fast-check';
import { jsonField } from './json-field';

// The event-id reader must mean what JSON.parse means: for any JSON object without repeated keys,
// in any whitespace layout, the field it finds is the one JSON.parse finds; where JSON.parse finds
// no string or number there, it finds nothing. Expected values come from JSON.parse, never from it.

/** What JSON.parse puts at the path, reduced to what the reader returns (strings and numbers). */
function expected(text: string, path: readonly string[]): string | number | undefined {
  let value: unknown = JSON.parse(text);
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

/** JSON text with random whitespace between tokens (outside strings). */
function spaced(value: unknown, space: () => string): string {
  if (Array.isArray(value))
    return `[${space()}${value.map((v) => spaced(v, space)).join(`${space()},${space()}`)}${space()}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).map(
      ([k, v]) => `${JSON.stringify(k)}${space()}:${space()}${spaced(v, space)}`,
    );
    return `{${space()}${members.join(`${space()},${space()}`)}${space()}}`;
  }
  return JSON.stringify(value);
}

const key = fc.oneof(
  fc.constantFrom('id', 'event', 'event_id', 'data', 'i"d', 'id\\', '\u00e9', '__proto__', ''),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
);
const whitespace = fc.array(fc.constantFrom(' ', '\t', '\n', '\r'), { maxLength: 3 }).map((s) => s.join(''));

describe('jsonField', () => {
  it('finds what JSON.parse finds, for any object and layout', () => {
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
        fc.array(key, { minLength: 1, maxLength: 3 }),
        fc.array(whitespace, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (object, path, spaces, nest) => {
          // Half the time the path is planted, with a string or number, so hits are common.
          const planted = nest ? plant(object, path, `evt_${path.length}`) : object;
          let n = 0;
          const text = spaced(planted, () => spaces[n++ % spaces.length]);
          expect(jsonField(Buffer.from(text), path)).toEqual(expected(text, path));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('decodes escapes and numbers as JSON.parse does', () => {
    const cases = [
      '{"id":"evt_\\u0031\\"x"}',
      '{"i\\u0064":"by escaped key"}',
      '{"id":-12.5e2}',
      '{"id":0}',
      '{"a":"}\\"{","id":"after a tricky string"}',
      '{"a":[{"id":"nested, not top"}],"id":"top"}',
      '{"a":{"b":[1,2,{"c":"\\\\"}]},"id":"after nesting"}',
    ];
    for (const text of cases) expect(jsonField(Buffer.from(text), ['id'])).toEqual(expected(text, ['id']));
    expect(jsonField(Buffer.from('{"event":{"id":"evt_9"}}'), ['event', 'id'])).toBe('evt_9');
  });

  it('finds nothing in what is not a JSON object up to the field, and never throws', () => {
    for (const text of [
      '',
      '[{"id":"x"}]',
      '"id"',
      '{"id":nul}',
      '{"id":true}',
      '{"id":{"x":1}}',
      '{"a" "id":"x"}',
      '{"a":1 "id":"x"}',
      '{"id":"unterminated}',
      '{"id":"bad \\x escape"}',
      '{"id":01}',
      '\ufeff{"id":"bom"}',
      '{' + '{'.repeat(200),
      '{"a":' + '['.repeat(100) + ']'.repeat(100) + ',"id":"deep"}',
    ]) {
      expect(jsonField(Buffer.from(text), ['id'])).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(key, { minLength: 1, maxLength: 2 }), (bytes, path) => {
        const value = jsonField(Buffer.from(bytes), path);
        expect(value === undefined || typeof value === 'string' || typeof value === 'number').toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads the first of a repeated key (providers never repeat one)', () => {
    expect(jsonField(Buffer.from('{"id":"first","id":"second"}'), ['id'])).toBe('first');
  });
});

function plant(object: Record<string, unknown>, path: readonly string[], id: string): Record<string, unknown> {
  const root: Record<string, unknown> = { ...object };
  let current = root;
  for (const [i, k] of path.entries()) {
    if (i === path.length - 1) {
      Object.defineProperty(current, k, { value: id, enumerable: true, writable: true, configurable: true });
    } else {
      const next: Record<string, unknown> = {};
      Object.defineProperty(current, k, { value: next, enumerable: true, writable: true, configurable: true });
      current = next;
    }
  }
  return root;
}
