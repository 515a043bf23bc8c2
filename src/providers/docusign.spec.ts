import { createHmac } from 'node:crypto';
import vectors from '../../test/fixtures/vectors/payments-b.json';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { docusignProvider } from './docusign';

// shared/providers-payments.md: the Connect key looks like base64 but is used as text; decoded,
// it signs pPgODI…, which must not verify.
const VECTOR = vectors.find((vector) => vector.provider === 'docusign' && vector.kind === 'signature')!;
const KEY = VECTOR.inputs.hmac_key!;
const DECODED_KEY_SIGNATURE = 'pPgODIJUwbTog2WQRSTG4SroTJrMs3qz9MNwm31YcII=';

describe('docusignProvider.scheme()', () => {
  const scheme = docusignProvider.scheme();
  const request = (headers: Record<string, string>) => webhookRequest({ headers, body: VECTOR.inputs.body });

  it('uses the base64-looking key verbatim, trailing "=" included', () => {
    expect(() =>
      scheme.verify(request({ 'x-docusign-signature-1': VECTOR.expected }), [secret(KEY)], at(0)),
    ).not.toThrow();
    expect(
      refusal(() => scheme.verify(request({ 'x-docusign-signature-1': DECODED_KEY_SIGNATURE }), [secret(KEY)], at(0))),
    ).toBe('no_matching_signature');
    expect(
      refusal(() =>
        scheme.verify(request({ 'x-docusign-signature-1': VECTOR.expected }), [secret(KEY.slice(0, -1))], at(0)),
      ),
    ).toBe('no_matching_signature');
  });

  it('accepts a delivery whose matching signature is in a later numbered header (one per active key)', () => {
    const other = createHmac('sha256', 'another-active-key').update(VECTOR.inputs.body!).digest('base64');
    const headers = { 'x-docusign-signature-1': other, 'x-docusign-signature-3': VECTOR.expected };
    expect(scheme.verify(request(headers), [secret(KEY)], at(0)).secretVersion).toBe(1);
  });
});
