import { createHmac } from 'node:crypto';
import vectors from '../../test/fixtures/vectors/payments-a.json';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { dedupeKeyOf } from '../core/delivery/dedupe';
import { adyenProvider } from './adyen';

// Adyen's classic notifications: the HMAC of 8 item fields, hex-decoded key (Adyen's Node library
// vectors); expected values for other items are written out here with node:crypto.
const VECTOR = vectors.find((vector) => vector.provider === 'adyen')!;
const KEY = VECTOR.inputs.hmac_key!;
type Item = Record<string, unknown>;
const published = JSON.parse(VECTOR.inputs.body) as { notificationItems: Array<{ NotificationRequestItem: Item }> };
const ITEM = published.notificationItems[0].NotificationRequestItem;
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest('base64');
const body = (...items: Item[]) =>
  JSON.stringify({ live: 'false', notificationItems: items.map((item) => ({ NotificationRequestItem: item })) });

describe('adyen', () => {
  const scheme = adyenProvider.scheme();
  const verify = (raw: string, key: string | Buffer = KEY) =>
    scheme.verify(webhookRequest({ headers: { 'content-type': 'application/json' }, body: raw }), [secret(key)], at(0));

  it('signs a missing field as empty text', () => {
    const { originalReference: _omitted, ...item } = ITEM;
    const signature = hmac(Buffer.from(KEY, 'hex'), 'pspReference::merchantAccount:reference:1000:EUR:EVENT:true');
    expect(verify(body({ ...item, additionalData: { hmacSignature: signature } })).secretVersion).toBe(1);
  });

  it('refuses a changed signed field, the hex text as key, and a second (unsigned) item', () => {
    expect(refusal(() => verify(body({ ...ITEM, amount: { value: 1001, currency: 'EUR' } })))).toBe(
      'no_matching_signature',
    );
    const textKeyed = hmac(KEY, 'pspReference:originalReference:merchantAccount:reference:1000:EUR:EVENT:true');
    expect(refusal(() => verify(body({ ...ITEM, additionalData: { hmacSignature: textKeyed } })))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => verify(body(ITEM, { ...ITEM, eventCode: 'REFUND' })))).toBe('no_matching_signature');
  });

  it('recognises a copy by the signed fields: unsigned bytes changed do not make a new delivery', () => {
    // An outside review replayed a captured notification with a leading space, two spaces and an
    // unsigned field added: each was handled, since Adyen sends no id and the key was the body's hash.
    const keyOf = (raw: string) => dedupeKeyOf({}, verify(raw), Buffer.from(raw));
    const genuine = VECTOR.inputs.body;
    const key = keyOf(genuine);
    expect(keyOf(` ${genuine}`)).toBe(key);
    expect(keyOf(`  ${genuine}`)).toBe(key);
    const withExtra = JSON.parse(genuine) as { live: string; extra?: string };
    withExtra.extra = 'unsigned';
    expect(keyOf(JSON.stringify(withExtra))).toBe(key);
    // Another event of the same payment (its own signed eventCode) is another delivery.
    const refund = { ...ITEM, eventCode: 'REFUND' };
    const text = 'pspReference:originalReference:merchantAccount:reference:1000:EUR:REFUND:true';
    const signed = body({ ...refund, additionalData: { hmacSignature: hmac(Buffer.from(KEY, 'hex'), text) } });
    expect(keyOf(signed)).not.toBe(key);
  });
});
