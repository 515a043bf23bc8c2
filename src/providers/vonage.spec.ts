import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { vonageProvider } from './vonage';

// Vonage: the Bearer JWT's `jti` is the message id; `payload_hash` may be absent only without a body
// (signed GET callbacks). Tokens are built here with node:crypto.
const NOW = 1_700_000_000;
const b64u = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const bearer = (claims: object) => {
  const input = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u(claims)}`;
  return `Bearer ${input}.${createHmac('sha256', 'sig-secret').update(input).digest('base64url')}`;
};
const verify = (claims: object, body = '') =>
  vonageProvider
    .scheme()
    .verify(webhookRequest({ headers: { authorization: bearer(claims) }, body }), [secret('sig-secret', 1)], at(NOW));

describe('Vonage', () => {
  it('reports the jti as the message id, and accepts a body-less callback without payload_hash', () => {
    expect(verify({ iat: NOW, jti: 'jti-1', iss: 'Vonage' })).toEqual({
      secretVersion: 1,
      messageId: 'jti-1',
      signedAt: new Date(NOW * 1000),
    });
  });

  it('refuses a body without payload_hash, and one whose hash is of another body', () => {
    expect(refusal(() => verify({ iat: NOW, jti: 'j', iss: 'Vonage' }, '{"status":"delivered"}'))).toBe(
      'no_matching_signature',
    );
    expect(
      refusal(() =>
        verify({ iat: NOW, jti: 'j', iss: 'Vonage', payload_hash: '00'.repeat(32) }, '{"status":"delivered"}'),
      ),
    ).toBe('no_matching_signature');
  });
});
