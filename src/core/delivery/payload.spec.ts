import { deliveryPayload, formFields } from './payload';

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('deliveryPayload', () => {
  it('reads a form from the verified bytes, not from what the platform parsed', () => {
    const payload = deliveryPayload({
      headers: form,
      rawBody: Buffer.from('a=1&b[c]=2&a=3'),
      parsedBody: { a: 'other', b: { c: '2' } },
    });
    expect({ ...(payload as object) }).toEqual({ a: ['1', '3'], 'b[c]': '2' });
  });

  it("returns the platform's parsed object as it is", () => {
    const parsed = { type: 'invoice.paid' };
    expect(
      deliveryPayload({ headers: json, rawBody: Buffer.from('{"type":"invoice.paid"}'), parsedBody: parsed }),
    ).toBe(parsed);
  });

  it('parses JSON the platform kept as a string or a Buffer, and gives undefined for malformed JSON', () => {
    const raw = Buffer.from('{"n":1}');
    expect(deliveryPayload({ headers: json, rawBody: raw, parsedBody: '{"n":1}' })).toEqual({ n: 1 });
    expect(deliveryPayload({ headers: json, rawBody: raw, parsedBody: raw })).toEqual({ n: 1 });
    expect(deliveryPayload({ headers: json, rawBody: Buffer.from('{'), parsedBody: undefined })).toBeUndefined();
  });

  it('returns text and binary bodies as the platform parsed them', () => {
    const raw = Buffer.from([0, 1, 2]);
    expect(
      deliveryPayload({ headers: { 'content-type': 'application/octet-stream' }, rawBody: raw, parsedBody: raw }),
    ).toBe(raw);
    expect(
      deliveryPayload({ headers: { 'content-type': 'text/plain' }, rawBody: Buffer.from('hi'), parsedBody: 'hi' }),
    ).toBe('hi');
    expect(deliveryPayload({ headers: json, rawBody: Buffer.alloc(0), parsedBody: undefined })).toBeUndefined();
  });
});

describe('formFields', () => {
  it('has no prototype, so a field named __proto__ is an ordinary field', () => {
    const fields = formFields(Buffer.from('__proto__=x&constructor=y'));
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect(fields['__proto__']).toBe('x');
    expect(fields.constructor).toBe('y');
  });

  it('gives every value of a repeated name, in order', () => {
    expect(formFields(Buffer.from('k=1&k=2&k=3')).k).toEqual(['1', '2', '3']);
  });
});
