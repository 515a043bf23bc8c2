import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { sanityProvider } from './sanity';

// Sanity writes the HMAC as base64url without padding (webhook-toolkit src/signature.ts): the same
// digest in standard base64 or padded is not what Sanity sends, so it is refused.
describe('Sanity', () => {
  const body = '{"_id":"resume"}';
  const ms = '1633519811129';
  const digest = createHmac('sha256', 'test').update(`${ms}.${body}`).digest();
  const run = (v1: string) =>
    sanityProvider
      .scheme()
      .verify(
        webhookRequest({ headers: { 'sanity-webhook-signature': `t=${ms},v1=${v1}` }, body }),
        [secret('test', 1)],
        at(1_633_519_811),
      );

  it('accepts unpadded base64url and refuses base64 or padding', () => {
    expect(run(digest.toString('base64url'))).toMatchObject({ secretVersion: 1 });
    expect(refusal(() => run(`${digest.toString('base64url')}=`))).toBe('invalid_header');
    expect(refusal(() => run(digest.toString('base64')))).toBe('invalid_header');
  });
});
