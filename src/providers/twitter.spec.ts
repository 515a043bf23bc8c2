import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { NOW, describeBodyHmacScheme, itSignsTheVector } from '../../test/support/provider-spec';
import { answerProbe } from '../../test/support/challenge-probe';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import vectors from '../../test/fixtures/providers-vectors.json';
import type { WebhookRequest } from '../core/request';
import { twitterProvider, twitterChallenge, xChallenge } from './twitter';

// SELF vector of shared/providers.md §3 (consumer secret from Twitter DevRel's CRC gist).
const VECTOR = publishedVector('twitter_x', 'signature');
const sign = (key: string, body: string | Buffer) =>
  'sha256=' + createHmac('sha256', key).update(body).digest('base64');

describe('twitterProvider.scheme()', () => {
  const scheme = twitterProvider.scheme();
  describeBodyHmacScheme({
    scheme,
    header: 'x-twitter-webhooks-signature',
    vector: VECTOR,
    keyInput: 'consumer_secret',
    sign,
    misspelt: VECTOR.expected.slice(7),
    properties: {
      // The provider only sends JSON objects; the scheme refuses anything else.
      bodies: fc
        .dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }))
        .map((value) => Buffer.from(JSON.stringify(value))),
    },
  });
});

// Issue 13 item 1: X's CRC answer is sha256=base64(HMAC(consumer secret, crc_token)), so a body
// equal to a token, validly signed (the attacker got the signature from the CRC endpoint), must fail.
describe('twitterProvider.scheme() and CRC answers', () => {
  const scheme = twitterProvider.scheme();
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

const X = (
  vectors as unknown as Array<{ provider: string; kind: string; inputs: Record<string, string>; expected: unknown }>
).find((v) => v.provider === 'twitter_x' && v.kind === 'challenge')!;

const crc = (token?: string): WebhookRequest => ({
  method: 'GET',
  url: '/hooks/x',
  headers: {},
  query: token === undefined ? {} : { crc_token: token },
  rawBody: Buffer.alloc(0),
});
const context = {
  endpoint: 'x',
  secrets: [{ version: 1, value: X.inputs.consumer_secret }],
  namedSecrets: {},
  receivedAt: 0,
};

describe('twitterChallenge', () => {
  it('answers the CRC vector (Twitter DevRel inputs)', () => {
    const strategy = twitterChallenge();
    expect(strategy.signed).toBe(false);
    expect(strategy.detect(crc(X.inputs.crc_token))).toBe(true);
    expect(strategy.respond(crc(X.inputs.crc_token), context)).toEqual({ status: 200, body: X.expected });
  });

  it('is also exported as xChallenge', () => {
    expect(xChallenge().respond(crc(X.inputs.crc_token), context)).toEqual({ status: 200, body: X.expected });
  });

  it('refuses a GET without crc_token, and leaves POST deliveries alone', () => {
    expect(() => twitterChallenge().respond(crc(), context)).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
    expect(twitterChallenge().detect({ ...crc(), method: 'POST' })).toBe(false);
  });
});

describe('twitterProvider.scheme().sign()', () => {
  itSignsTheVector(twitterProvider.scheme(), VECTOR, 'consumer_secret');
});

describe('twitterProvider.challengeRequest', () => {
  it("is detected and answered by the preset's strategy as the provider expects; a wrong answer is called wrong", () => {
    const probe = twitterProvider.challengeRequest!({
      url: 'https://hooks.example.com/webhooks/x',
      secret: X.inputs.consumer_secret,
    });
    const { detected, verdict } = answerProbe(probe, twitterChallenge(), {
      secrets: [secret(X.inputs.consumer_secret)],
    });
    expect(detected).toBe(true);
    expect(verdict).toBeUndefined();
    // Answered with another consumer secret, the CRC fails as it would at X.
    expect(answerProbe(probe, twitterChallenge(), { secrets: [secret('other')] }).verdict).toBeDefined();
  });
});
