import { createHmac } from 'node:crypto';
import { describeBodyHmacScheme, itAnswersTheChallenge, itSignsTheVector } from '../../test/support/provider-spec';

import { publishedVector } from '../../test/support/scheme-testing';
import type { WebhookRequest } from '../core/request';
import { asanaProvider, asanaChallenge } from './asana';

// SELF vector of shared/providers.md §7 (secret from Asana's createWebhook example).
const VECTOR = publishedVector('asana', 'signature');
const sign = (key: string, body: string | Buffer) => '' + createHmac('sha256', key).update(body).digest('hex');

describe('asanaProvider.scheme()', () => {
  const scheme = asanaProvider.scheme();
  describeBodyHmacScheme({
    scheme,
    header: 'x-hook-signature',
    vector: VECTOR,
    keyInput: 'x_hook_secret',
    sign,
    misspelt: 'sha256=' + VECTOR.expected,
  });
});

// developers.asana.com/reference/createwebhook
const SECRET = 'b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81';
const handshake = (headers: WebhookRequest['headers']): WebhookRequest => ({
  method: 'POST',
  url: '/hooks/asana',
  headers: { 'content-type': 'application/json', ...headers },
  query: {},
  rawBody: Buffer.from('{}'),
});
const context = { endpoint: 'asana', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('asanaChallenge', () => {
  it('echoes X-Hook-Secret in the response header and hands it over as the signing secret', () => {
    const strategy = asanaChallenge();
    const req = handshake({ 'x-hook-secret': SECRET });
    expect(strategy.kind).toBe('header-code');
    expect(strategy.detect(req)).toBe(true);
    expect(strategy.respond(req, context)).toEqual({ status: 200, headers: { 'X-Hook-Secret': SECRET } });
    expect(strategy.deliveredSecret?.(req)).toBe(SECRET);
  });

  it('leaves signed events (no X-Hook-Secret) to the delivery path', () => {
    expect(asanaChallenge().detect(handshake({ 'x-hook-signature': 'abc' }))).toBe(false);
  });

  it('refuses a secret that could split a header', () => {
    const req = handshake({ 'x-hook-secret': 'abc\r\nSet-Cookie: x' });
    expect(() => asanaChallenge().respond(req, context)).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
    expect(asanaChallenge().deliveredSecret?.(req)).toBeUndefined();
  });
});

describe('asanaProvider.scheme().sign()', () => {
  itSignsTheVector(asanaProvider.scheme(), VECTOR, 'x_hook_secret');
});

describe('asanaProvider.challengeRequest', () => {
  itAnswersTheChallenge(asanaProvider, asanaChallenge(), {
    status: 200,
    headers: new Headers({ 'x-hook-secret': 'other' }),
    text: '',
  });
});
