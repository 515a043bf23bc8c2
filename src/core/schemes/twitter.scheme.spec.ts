import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../../test/support/scheme-properties';
import { TwitterScheme } from './twitter.scheme';

// SELF vector of shared/providers.md §3 (consumer secret from Twitter DevRel's CRC gist).
const VECTOR = publishedVector('twitter_x', 'signature');
const sign = (key: string, body: string | Buffer) =>
  'sha256=' + createHmac('sha256', key).update(body).digest('base64');
const NOW = 1_700_000_000;

describe('TwitterScheme', () => {
  const scheme = new TwitterScheme();
  const request = (signature: string | undefined, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: { 'x-twitter-webhooks-signature': signature }, body });
  const secrets = [secret(VECTOR.inputs.consumer_secret, 1)];

  it('accepts the vector', () => {
    expect(scheme.verify(request(VECTOR.expected), secrets, at(NOW)).secretVersion).toBe(1);
  });

  it('refuses a tampered body and a wrong key', () => {
    expect(refusal(() => scheme.verify(request(VECTOR.expected, VECTOR.inputs.body + ' '), secrets, at(NOW)))).toBe(
      'no_matching_signature',
    );
    expect(
      refusal(() => scheme.verify(request(VECTOR.expected), [secret(VECTOR.inputs.consumer_secret + 'x')], at(NOW))),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [], at(NOW)))).toBe('no_secret_configured');
  });

  it('refuses missing and malformed signatures', () => {
    expect(refusal(() => scheme.verify(request(undefined), secrets, at(NOW)))).toBe('missing_header');
    expect(refusal(() => scheme.verify(request(VECTOR.expected.slice(7)), secrets, at(NOW)))).toBe('invalid_header');
    expect(refusal(() => scheme.verify(request(VECTOR.expected.slice(0, -2)), secrets, at(NOW)))).toBe(
      'invalid_header',
    );
    expect(refusal(() => scheme.verify(request(VECTOR.expected + ' '), secrets, at(NOW)))).toBe('invalid_header');
  });

  it('verifies with both secrets during a rotation and reports the one that matched', () => {
    const rotation = [secret('old-key', 1), secret('new-key', 2)];
    expect(scheme.verify(request(sign('old-key', '{}'), '{}'), rotation, at(NOW)).secretVersion).toBe(1);
    expect(scheme.verify(request(sign('new-key', '{}'), '{}'), rotation, at(NOW)).secretVersion).toBe(2);
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret('old-key', 1), secret('new-key', 2)],
    now: NOW,
    headers: ['x-twitter-webhooks-signature'],
    covers: ['body'],
    // The provider only sends JSON objects; the scheme refuses anything else.
    bodies: fc
      .dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }))
      .map((value) => Buffer.from(JSON.stringify(value))),
    request: (message, signed) => request(sign('new-key', signed.body), message.body),
  });
});

// Issue 13 item 1: X's CRC answer is sha256=base64(HMAC(consumer secret, crc_token)), so a body
// equal to a token, validly signed (the attacker got the signature from the CRC endpoint), must fail.
describe('TwitterScheme and CRC answers', () => {
  const scheme = new TwitterScheme();
  const signed = (body: string, type: string) =>
    webhookRequest({
      headers: {
        'content-type': type,
        'x-twitter-webhooks-signature': 'sha256=' + createHmac('sha256', 'consumer').update(body).digest('base64'),
      },
      body,
    });

  it.each(['application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream', 'application/json'])(
    'refuses a validly signed token-shaped or non-object body sent as %s',
    (type) => {
      for (const body of ['for_user_id=1337', 'abc', 'YWJjZA==', '1337', '"abc"', '[1]', 'null']) {
        expect(refusal(() => scheme.verify(signed(body, type), [secret('consumer')], at(NOW)))).toBe('invalid_body');
      }
      expect(scheme.verify(signed('{"for_user_id":"1337"}', type), [secret('consumer')], at(NOW)).secretVersion).toBe(
        1,
      );
    },
  );
});
