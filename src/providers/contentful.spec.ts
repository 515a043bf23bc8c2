import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { contentfulProvider } from './contentful';

// Contentful signs the request's own method (contentful/node-apps-toolkit, src/requests/sign-request.ts:
// `[method, path, signedHeaders, body].join('\n')`, hex HMAC-SHA256; a webhook's transformation may
// send GET, PUT, PATCH or DELETE). Signed here from that description, not with the code under test.
describe('Contentful', () => {
  const SECRET = 'a'.repeat(32) + 'B'.repeat(32);
  const ms = '1700000000000';
  const body = '{"sys":{"id":"entry1"}}';
  const headers = (method: string) => {
    const signed = {
      'x-contentful-signed-headers': 'x-contentful-signed-headers,x-contentful-timestamp',
      'x-contentful-timestamp': ms,
    };
    const canonicalHeaders = Object.entries(signed)
      .map(([name, value]) => `${name}:${value}`)
      .join(';');
    const signature = createHmac('sha256', SECRET)
      .update([method, '/hooks/contentful', canonicalHeaders, body].join('\n'))
      .digest('hex');
    return { ...signed, 'x-contentful-signature': signature };
  };
  const verify = (method: string, signedAs = method) =>
    contentfulProvider
      .scheme({ url: 'https://example.com/hooks/contentful' })
      .verify(webhookRequest({ method, headers: headers(signedAs), body }), [secret(SECRET, 1)], at(1_700_000_000));

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('accepts a delivery sent and signed with %s', (method) => {
    expect(verify(method)).toMatchObject({ secretVersion: 1 });
  });

  it('refuses bytes signed for one method and sent with another', () => {
    expect(refusal(() => verify('DELETE', 'POST'))).toBe('no_matching_signature');
    expect(refusal(() => verify('POST', 'PUT'))).toBe('no_matching_signature');
  });
});
