import vectors from '../../test/fixtures/vectors/payments-b.json';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { squarespaceProvider } from './squarespace';

// shared/providers-payments.md: the signature made with the secret used as text (instead of
// hex-decoded) is ff0f97…; it must not verify.
const VECTOR = vectors.find((vector) => vector.provider === 'squarespace')!;
const TEXT_KEY_SIGNATURE = 'ff0f9760c925f0543e7b64e9802767196a8c4312e0472c1289574fb3e25fc242';

describe('squarespaceProvider.scheme()', () => {
  const scheme = squarespaceProvider.scheme();
  const request = (signature: string) =>
    webhookRequest({ headers: { 'squarespace-signature': signature }, body: VECTOR.inputs.body });

  it('hex-decodes the secret: the vector verifies, the text-keyed signature does not', () => {
    expect(scheme.verify(request(VECTOR.expected), [secret(VECTOR.inputs.secret!)], at(0)).messageId).toBe(
      '5c2ba184b63ed3cb411ce2b1',
    );
    expect(refusal(() => scheme.verify(request(TEXT_KEY_SIGNATURE), [secret(VECTOR.inputs.secret!)], at(0)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses a secret that is not hex at start-up', () => {
    expect(() => scheme.validateSecret!('not-hex-at-all')).toThrow(/hex/);
  });
});
