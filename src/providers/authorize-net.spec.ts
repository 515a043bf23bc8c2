import { createHmac } from 'node:crypto';
import vectors from '../../test/fixtures/vectors/payments-a.json';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { authorizeNetProvider } from './authorize-net';

// Authorize.net keys its webhook HMAC with the Signature Key as ASCII text, not hex-decoded (a real
// sandbox delivery, shared/providers-payments.md), and writes the digest in upper case.
const VECTOR = vectors.find((vector) => vector.provider === 'authorize-net')!;
const KEY = VECTOR.inputs.signature_key!;

describe('authorize-net', () => {
  const scheme = authorizeNetProvider.scheme();
  const verify = (key: string | Buffer, header: string, body = VECTOR.inputs.body) =>
    scheme.verify(webhookRequest({ headers: { 'x-anet-signature': header }, body }), [secret(key)], at(0));

  it('accepts the real delivery in upper- or lower-case hex and reports notificationId', () => {
    expect(verify(KEY, VECTOR.expected).messageId).toBe('570f7282-687a-42b7-903b-48e487d7694d');
    expect(verify(KEY, `sha512=${VECTOR.expected.slice(7).toLowerCase()}`).secretVersion).toBe(1);
  });

  it('refuses the digest keyed with the hex-decoded key, and the body re-serialised with 1.1', () => {
    const decodedKeyDigest = createHmac('sha512', Buffer.from(KEY, 'hex')).update(VECTOR.inputs.body).digest('hex');
    expect(refusal(() => verify(KEY, `sha512=${decodedKeyDigest.toUpperCase()}`))).toBe('no_matching_signature');
    expect(refusal(() => verify(Buffer.from(KEY, 'hex'), VECTOR.expected))).toBe('no_matching_signature');
    const reformatted = VECTOR.inputs.body.replace('"authAmount":1.10', '"authAmount":1.1');
    expect(refusal(() => verify(KEY, VECTOR.expected, reformatted))).toBe('no_matching_signature');
  });
});
