import { createHmac } from 'node:crypto';
import { WebhookConfigurationError } from '../core/errors';

import { itAnswersTheChallenge, itSignsTheVector } from '../../test/support/provider-spec';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import type { WebhookRequest } from '../core/request';
import { trelloProvider, trelloChallenge } from './trello';

// SELF vector of shared/providers.md §9: base64 HMAC-SHA1 over body + callback URL.
const VECTOR = publishedVector('trello', 'signature');
const sign = (key: string, body: string | Buffer, url: string) =>
  createHmac('sha1', key).update(body).update(url).digest('base64');
const NOW = 1_700_000_000;

describe('trelloProvider.scheme()', () => {
  const scheme = trelloProvider.scheme({ url: VECTOR.inputs.callback_url });
  const request = (signature: string | undefined, body: string | Buffer = VECTOR.inputs.body, headers = {}) =>
    webhookRequest({ headers: { 'x-trello-webhook': signature, ...headers }, body, url: '/internal/trello' });
  const secrets = [secret(VECTOR.inputs.app_secret, 1)];

  it('accepts the vector with the configured callback URL, whatever the request path or Host', () => {
    expect(
      scheme.verify(request(VECTOR.expected, VECTOR.inputs.body, { host: 'internal:3000' }), secrets, at(NOW))
        .secretVersion,
    ).toBe(1);
  });

  it('refuses the bogus README vector of verify-trello-webhook (27 characters) as malformed', () => {
    expect(refusal(() => scheme.verify(request('LeCJzA5aHiwh4zcxLhY25TJSNg='), secrets, at(NOW)))).toBe(
      'invalid_header',
    );
  });

  it('refuses a signature made for another callback URL, a tampered body and a wrong secret', () => {
    const otherUrl = sign(VECTOR.inputs.app_secret, VECTOR.inputs.body, 'https://example.com/webhooks/');
    expect(refusal(() => scheme.verify(request(otherUrl), secrets, at(NOW)))).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(VECTOR.expected, '{"hello":"World"}'), secrets, at(NOW)))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [secret('api-token-not-secret')], at(NOW)))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => scheme.verify(request(undefined), secrets, at(NOW)))).toBe('missing_header');
  });

  it('reports action.id as the message id', () => {
    const body = '{"action":{"id":"5f1a2b3c4d5e6f7a8b9c0d1e","type":"updateCard"}}';
    const verified = scheme.verify(request(sign('k', body, VECTOR.inputs.callback_url), body), [secret('k')], at(NOW));
    expect(verified.messageId).toBe('5f1a2b3c4d5e6f7a8b9c0d1e');
  });

  it('needs an absolute callback URL', () => {
    expect(() => trelloProvider.scheme({ url: '' })).toThrow(WebhookConfigurationError);
    expect(() => trelloProvider.scheme({ url: '/webhooks' })).toThrow(WebhookConfigurationError);
    expect(() => trelloProvider.scheme(undefined)).toThrow(WebhookConfigurationError);
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret('old', 1), secret('new', 2)],
    now: NOW,
    headers: ['x-trello-webhook'],
    covers: ['body'],
    request: (message, signed) => request(sign('new', signed.body, VECTOR.inputs.callback_url), message.body),
  });
});

const req = (method: string): WebhookRequest => ({
  method,
  url: '/hooks/trello',
  headers: {},
  query: {},
  rawBody: Buffer.alloc(0),
});

describe('trelloChallenge', () => {
  it('answers HEAD with a bare 200', () => {
    const strategy = trelloChallenge();
    expect(strategy.kind).toBe('status-only');
    expect(strategy.signed).toBe(false);
    expect(strategy.detect(req('HEAD'))).toBe(true);
    expect(strategy.respond(req('HEAD'), { endpoint: 'trello', secrets: [], namedSecrets: {}, receivedAt: 0 })).toEqual(
      {
        status: 200,
      },
    );
  });

  it('leaves POST deliveries to the delivery path', () => {
    expect(trelloChallenge().detect(req('POST'))).toBe(false);
  });
});

describe('trelloProvider.scheme().sign()', () => {
  itSignsTheVector(trelloProvider.scheme({ url: VECTOR.inputs.callback_url }), VECTOR, 'app_secret');
});

describe('trelloProvider.challengeRequest', () => {
  itAnswersTheChallenge(trelloProvider, trelloChallenge(), { status: 204, headers: new Headers(), text: '' });
});
