import { createHmac } from 'node:crypto';
import { WebhookConfigurationError } from '../core/errors';
import vectors from '../../test/fixtures/vectors/payments-a.json';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { adyenPlatformProvider } from './adyen-platform';

// Adyen's HMAC key is hex and is hex-DECODED (Adyen's Node library); keying with the hex text, as
// some third-party code does, gives another digest.
const VECTOR = vectors.find((vector) => vector.provider === 'adyen-platform')!;
const KEY = VECTOR.inputs.hmac_key!;

describe('adyen-platform', () => {
  const scheme = adyenPlatformProvider.scheme();
  const verify = (header: string) =>
    scheme.verify(
      webhookRequest({ headers: { HmacSignature: header }, body: VECTOR.inputs.body }),
      [secret(KEY)],
      at(0),
    );

  it('accepts the published signature with the hex-decoded key', () => {
    expect(verify(VECTOR.expected).secretVersion).toBe(1);
  });

  it('refuses the digest keyed with the hex text, and refuses a key that is not hex', () => {
    const textKeyed = createHmac('sha256', KEY).update(VECTOR.inputs.body).digest('base64');
    expect(refusal(() => verify(textKeyed))).toBe('no_matching_signature');
    expect(() => scheme.validateSecret!('not-a-hex-key')).toThrow(WebhookConfigurationError);
  });
});
