import { createHmac } from 'node:crypto';
import vectors from '../../test/fixtures/vectors/payments-a.json';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { easypostProvider } from './easypost';

// EasyPost keys with the NFKD form of the secret (shared/providers-payments.md, EasyPost's client
// fixtures): `sécret` typed in NFC or NFKD is one key, the NFC bytes used raw are another.
const VECTOR = vectors.find((vector) => vector.provider === 'easypost')!;
const NFC = 's\u00e9cret';
const NFKD = 'se\u0301cret';

describe('easypost', () => {
  const scheme = easypostProvider.scheme();
  const verify = (key: string | Buffer, body = VECTOR.inputs.body, header = VECTOR.expected) =>
    scheme.verify(webhookRequest({ headers: { 'x-hmac-signature': header }, body }), [secret(key)], at(0));

  it('accepts the published signature with the secret in NFC or NFKD form', () => {
    expect(NFC).not.toBe(NFKD);
    expect(verify(NFC).messageId).toBe('evt_1');
    expect(verify(NFKD).secretVersion).toBe(1);
  });

  it('refuses the digest keyed with the un-normalised NFC bytes, and the body with its trailing newline', () => {
    const nfcBytes = Buffer.from(NFC, 'utf8');
    const nfcDigest = createHmac('sha256', nfcBytes).update(VECTOR.inputs.body).digest('hex');
    expect(refusal(() => verify(NFC, VECTOR.inputs.body, `hmac-sha256-hex=${nfcDigest}`))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => verify(NFC, `${VECTOR.inputs.body}\n`))).toBe('no_matching_signature');
  });

  it('refuses a bare digest: the hmac-sha256-hex= prefix is part of the value', () => {
    expect(refusal(() => verify(NFC, VECTOR.inputs.body, VECTOR.expected.replace('hmac-sha256-hex=', '')))).toBe(
      'invalid_header',
    );
  });
});
