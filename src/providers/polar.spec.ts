import { createHmac } from 'node:crypto';
import vectors from '../../test/fixtures/vectors/payments-a.json';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { polarProvider } from './polar';

// Polar's key is the raw UTF-8 of the whole `polar_whs_…` secret (polar-js src/webhooks.ts), not
// a Standard Webhooks `whsec_` decoding, nor the base64 decoding of the text after the prefix.
const VECTOR = vectors.find((vector) => vector.provider === 'polar')!;
const { id, timestamp, body, secret: key } = VECTOR.inputs as unknown as Record<string, string>;
const sign = (key: Buffer) => `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;

describe('polar', () => {
  const scheme = polarProvider.scheme();
  const verify = (signature: string) =>
    scheme.verify(
      webhookRequest({
        headers: { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature },
        body,
      }),
      [secret(key)],
      at(timestamp),
    );

  it('keys with the UTF-8 of the whole polar_whs_ string', () => {
    expect(sign(Buffer.from('polar_whs_test_secret', 'utf8'))).toBe(VECTOR.expected);
    expect(verify(VECTOR.expected).messageId).toBe(id);
  });

  it('refuses signatures keyed the way generic or community verifiers decode the secret', () => {
    const strippedAndDecoded = Buffer.from('test_secret', 'base64');
    expect(refusal(() => verify(sign(strippedAndDecoded)))).toBe('no_matching_signature');
  });
});
