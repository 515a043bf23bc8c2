import { mayHavePrototypeKeys, removePrototypeKeys } from './prototype-keys';

describe('removePrototypeKeys', () => {
  it('removes __proto__ and constructor.prototype at any depth, in arrays too, and keeps the rest', () => {
    const body = JSON.parse(
      '{"__proto__":{"a":1},"x":[{"constructor":{"prototype":{"b":1}},"y":1}],"constructor":"text","z":{"__proto__":null}}',
    ) as Record<string, unknown>;
    removePrototypeKeys(body);
    expect(JSON.parse(JSON.stringify(body))).toEqual({ x: [{ y: 1 }], constructor: 'text', z: {} });
  });

  it('walks a deeply nested body without overflowing the stack', () => {
    const depth = 200_000;
    const body = JSON.parse('{"a":'.repeat(depth) + '{"__proto__":1}' + '}'.repeat(depth)) as unknown;
    expect(() => removePrototypeKeys(body)).not.toThrow();
    let node = body as Record<string, unknown>;
    for (let i = 0; i < depth; i++) node = node.a as Record<string, unknown>;
    expect(Object.keys(node)).toEqual([]);
  });

  it('is asked for only when the raw bytes name such a key', () => {
    expect(mayHavePrototypeKeys(Buffer.from('{"a":{"__proto__":1}}'))).toBe(true);
    expect(mayHavePrototypeKeys(Buffer.from('{"constructor":{"prototype":1}}'))).toBe(true);
    expect(mayHavePrototypeKeys(Buffer.from('{"constructor":"x"}'))).toBe(false);
    // Written with JSON escapes: JSON.parse gives the same keys.
    for (const escaped of ['{"\\u005f_proto__":1}', '{"constructor":{"prot\\u006ftype":1}}']) {
      expect(Object.keys(JSON.parse(escaped) as object).length).toBe(1);
      expect(mayHavePrototypeKeys(Buffer.from(escaped))).toBe(true);
    }
    expect(mayHavePrototypeKeys(undefined)).toBe(false);
  });
});
