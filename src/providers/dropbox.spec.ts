import { createHmac } from 'node:crypto';
import { describeBodyHmacScheme, itAnswersTheChallenge, itSignsTheVector } from '../../test/support/provider-spec';

import { publishedVector } from '../../test/support/scheme-testing';
import type { WebhookRequest } from '../core/request';
import { dropboxProvider, dropboxChallenge } from './dropbox';

// UPSTREAM vector: npm hapi-dropbox-webhooks@1.1.0 test/index.js (note the spaces in the body).
const VECTOR = publishedVector('dropbox', 'signature');
const sign = (key: string, body: string | Buffer) => '' + createHmac('sha256', key).update(body).digest('hex');

describe('dropboxProvider.scheme()', () => {
  const scheme = dropboxProvider.scheme();
  describeBodyHmacScheme({
    scheme,
    header: 'x-dropbox-signature',
    vector: VECTOR,
    keyInput: 'app_secret',
    sign,
    misspelt: 'sha256=' + VECTOR.expected,
  });
});

// dropbox.com/developers/reference/webhooks: GET <uri>?challenge=abc123
const get = (query: Record<string, unknown>): WebhookRequest => ({
  method: 'GET',
  url: '/hooks/dropbox',
  headers: {},
  query,
  rawBody: Buffer.alloc(0),
});
const context = { endpoint: 'dropbox', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('dropboxChallenge', () => {
  it('echoes the challenge as text', () => {
    expect(dropboxChallenge().detect(get({ challenge: 'abc123' }))).toBe(true);
    expect(dropboxChallenge().respond(get({ challenge: 'abc123' }), context)).toEqual({ status: 200, body: 'abc123' });
  });

  it('refuses reflected markup, an oversized challenge and one sent twice', () => {
    for (const challenge of ['<script>alert(1)</script>', 'x'.repeat(257), ['a', 'b']]) {
      expect(() => dropboxChallenge().respond(get({ challenge }), context)).toThrow(
        expect.objectContaining({ code: 'invalid_challenge' }),
      );
    }
  });

  it('leaves POST notifications to the delivery path', () => {
    expect(dropboxChallenge().detect({ ...get({}), method: 'POST' })).toBe(false);
  });
});

describe('dropboxProvider.scheme().sign()', () => {
  itSignsTheVector(dropboxProvider.scheme(), VECTOR, 'app_secret');
});

describe('dropboxProvider.challengeRequest', () => {
  itAnswersTheChallenge(dropboxProvider, dropboxChallenge(), { status: 200, headers: new Headers(), text: 'other' });
});
