import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { mondayChallenge, mondayProvider } from './monday';

// monday.com: the JWT's `aud` must be this endpoint's URL; the creation handshake echoes the JSON.
const URL = 'https://hooks.example.com/monday';
const b64u = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (claims: object) => {
  const input = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u(claims)}`;
  return `${input}.${createHmac('sha256', 'signing').update(input).digest('base64url')}`;
};

describe('monday.com', () => {
  const verify = (claims: object) =>
    mondayProvider
      .scheme({ url: URL })
      .verify(
        webhookRequest({ headers: { authorization: token(claims) }, body: '{}' }),
        [secret('signing', 1)],
        at(1000),
      );

  it('accepts a token made for this endpoint, refuses one made for another or expired', () => {
    expect(verify({ aud: URL, exp: 1200, iat: 900 })).toEqual({ secretVersion: 1 });
    expect(refusal(() => verify({ aud: 'https://other.example/monday', exp: 1200 }))).toBe('no_matching_signature');
    expect(refusal(() => verify({ aud: URL, exp: 999 }))).toBe('timestamp_too_old');
    expect(refusal(() => verify({ aud: URL }))).toBe('timestamp_too_old');
  });

  it('answers the creation handshake with the same JSON, and only that body shape', () => {
    const strategy = mondayChallenge();
    const request = webhookRequest({
      method: 'POST',
      body: '{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}',
    });
    expect(strategy.detect(request)).toBe(true);
    expect(strategy.signed).toBe(false);
    const context = { endpoint: 'monday', secrets: [], namedSecrets: {}, receivedAt: 0 };
    expect(strategy.respond(request, context).body).toEqual(JSON.parse(request.rawBody.toString()));
    expect(strategy.detect(webhookRequest({ method: 'POST', body: '{"challenge":"x","event":{}}' }))).toBe(false);
  });
});
