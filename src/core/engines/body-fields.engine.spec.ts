import { createHmac } from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import { at, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { BodyFieldsScheme, bodyFieldsSignature } from './body-fields.engine';

// The engine as data, apart from any provider: the expected signatures are written out with
// node:crypto, never taken from the engine.
const NOW = 1_700_000_000;
const json = (value: unknown) =>
  webhookRequest({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

describe('BodyFieldsScheme', () => {
  // Top-level fields, a separator in the template, base64 SHA-512, no timestamp.
  const scheme = bodyFieldsSignature({
    template: '{nonce}:{account}',
    signatureField: 'mac',
    algorithm: 'sha512',
    encoding: 'base64',
    idField: 'nonce',
  });
  const mac = (key: string, nonce: string, account: string) =>
    createHmac('sha512', key).update(`${nonce}:${account}`).digest('base64');

  it('verifies the template over the named fields, reporting the id field and no timestamp', () => {
    const body = { nonce: 'n-1', account: 'acct_9', mac: mac('k', 'n-1', 'acct_9'), data: { x: 1 } };
    expect(scheme.verify(json(body), [secret('other', 1), secret('k', 2)], at(NOW))).toEqual({
      secretVersion: 2,
      messageId: 'n-1',
    });
    expect(refusal(() => scheme.verify(json({ ...body, account: 'acct_8' }), [secret('k')], at(NOW)))).toBe(
      'no_matching_signature',
    );
    expect(scheme.name).toBe('body-fields-hmac');
    expect(scheme.toleranceSeconds).toBeUndefined();
  });

  it('does not read form bodies unless told to', () => {
    const form = new URLSearchParams({ nonce: 'n-1', account: 'a', mac: mac('k', 'n-1', 'a') }).toString();
    const request = webhookRequest({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(refusal(() => scheme.verify(request, [secret('k')], at(NOW)))).toBe('no_matching_signature');
  });

  it("signs from the body's own values and the delivery id, and verify() accepts it", () => {
    const input = { key: 'k', timestamp: NOW, id: 'n-2', contentType: 'application/json' };
    const signed = scheme.sign({ ...input, body: Buffer.from('{"account":"acct_9","data":[1]}') });
    expect(JSON.parse(signed.body!.toString())).toEqual({
      account: 'acct_9',
      data: [1],
      nonce: 'n-2',
      mac: mac('k', 'n-2', 'acct_9'),
    });
    expect(scheme.verify(json(JSON.parse(signed.body!.toString())), [secret('k')], at(NOW)).messageId).toBe('n-2');
    expect(() => scheme.sign({ ...input, body: Buffer.from('{"data":[1]}') })).toThrow(WebhookConfigurationError);
  });

  it('checks a signed timestamp field against its tolerance', () => {
    const timed = new BodyFieldsScheme({
      fieldsIn: ['auth', 'sig'],
      template: '{ts}.{id}',
      signatureField: 'value',
      timestampField: 'ts',
      idField: 'id',
      toleranceSeconds: 60,
    });
    const value = createHmac('sha256', 'k').update(`${NOW}.i`).digest('hex');
    const body = { auth: { sig: { ts: NOW, id: 'i', value } } };
    expect(timed.verify(json(body), [secret('k')], at(NOW + 60)).signedAt).toEqual(new Date(NOW * 1000));
    expect(refusal(() => timed.verify(json(body), [secret('k')], at(NOW + 61)))).toBe('timestamp_too_old');
  });

  it('refuses a timestamp with a leading zero: `{token}{ts}` cannot trade a digit between its fields', () => {
    // An outside review: token "abc0" with ts 1700000000 signs as token "abc" with ts "01700000000".
    const joined = new BodyFieldsScheme({
      template: '{token}{ts}',
      signatureField: 'sig',
      timestampField: 'ts',
      idField: 'token',
      toleranceSeconds: 60,
    });
    const sig = createHmac('sha256', 'k').update(`abc0${NOW}`).digest('hex');
    expect(joined.verify(json({ token: 'abc0', ts: String(NOW), sig }), [secret('k')], at(NOW)).messageId).toBe('abc0');
    expect(refusal(() => joined.verify(json({ token: 'abc', ts: `0${NOW}`, sig }), [secret('k')], at(NOW)))).toBe(
      'no_matching_signature',
    );
  });

  it.each<[string, ConstructorParameters<typeof BodyFieldsScheme>[0]]>([
    ['no signature field', { template: '{a}', signatureField: '' }],
    ['a template naming no field', { template: 'abc', signatureField: 's' }],
    ['a template signing the signature', { template: '{a}{s}', signatureField: 's' }],
    ['an unsigned timestamp', { template: '{a}', signatureField: 's', timestampField: 't' }],
    ['an unsigned id', { template: '{a}', signatureField: 's', idField: 'i' }],
    ['a bad tolerance', { template: '{t}', signatureField: 's', timestampField: 't', toleranceSeconds: 0 }],
    ['an unknown algorithm', { template: '{a}', signatureField: 's', algorithm: 'md5' as never }],
  ])('refuses %s at start-up', (_case, options) => {
    expect(() => new BodyFieldsScheme(options)).toThrow(WebhookConfigurationError);
  });

  it('reads dotted paths, the only element of an array, loose fields and a hex key when told to', () => {
    const loose = bodyFieldsSignature({
      fieldsIn: 'items.0.item',
      template: '{ref}:{amount.value}:{note}:{ok}',
      signatureField: 'extra.mac',
      encoding: 'base64',
      keyEncoding: 'hex',
      looseFields: true,
    });
    const item = { ref: 'r 1', amount: { value: 1000 }, ok: true };
    const mac = createHmac('sha256', Buffer.from('0a0b', 'hex')).update('r 1:1000::true').digest('base64');
    const signed = { ...item, extra: { mac } };
    expect(loose.verify(json({ items: [{ item: signed }] }), [secret('0A0B')], at(NOW)).secretVersion).toBe(1);
    expect(
      refusal(() => loose.verify(json({ items: [{ item: signed }, { item: signed }] }), [secret('0a0b')], at(NOW))),
    ).toBe('no_matching_signature');
    expect(
      refusal(() => loose.verify(json({ items: [{ item: { ...signed, ok: 'false' } }] }), [secret('0a0b')], at(NOW))),
    ).toBe('no_matching_signature');
    expect(() => loose.validateSecret('not hex')).toThrow(WebhookConfigurationError);
    const resigned = loose.sign({
      body: Buffer.from(JSON.stringify({ items: [{ item }] })),
      key: '0a0b',
      timestamp: NOW,
      id: 'x',
      contentType: 'application/json',
    });
    expect(JSON.parse(resigned.body!.toString())).toEqual({ items: [{ item: signed }] });
  });
});
