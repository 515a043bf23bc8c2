import { createHmac } from 'node:crypto';
import { answerProbe } from '../../test/support/challenge-probe';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import type { WebhookRequest } from '../core/request';
import { dropboxProvider, dropboxChallenge } from './dropbox';

// UPSTREAM vector: npm hapi-dropbox-webhooks@1.1.0 test/index.js (note the spaces in the body).
const VECTOR = publishedVector('dropbox', 'signature');
const sign = (key: string, body: string | Buffer) => '' + createHmac('sha256', key).update(body).digest('hex');
const NOW = 1_700_000_000;

describe('dropboxProvider.scheme()', () => {
  const scheme = dropboxProvider.scheme();
  const request = (signature: string | undefined, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: { 'x-dropbox-signature': signature }, body });
  const secrets = [secret(VECTOR.inputs.app_secret, 1)];

  it('accepts the vector', () => {
    expect(scheme.verify(request(VECTOR.expected), secrets, at(NOW)).secretVersion).toBe(1);
  });

  it('refuses a tampered body and a wrong key', () => {
    expect(refusal(() => scheme.verify(request(VECTOR.expected, VECTOR.inputs.body + ' '), secrets, at(NOW)))).toBe(
      'no_matching_signature',
    );
    expect(
      refusal(() => scheme.verify(request(VECTOR.expected), [secret(VECTOR.inputs.app_secret + 'x')], at(NOW))),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [], at(NOW)))).toBe('no_secret_configured');
  });

  it('refuses missing and malformed signatures', () => {
    expect(refusal(() => scheme.verify(request(undefined), secrets, at(NOW)))).toBe('missing_header');
    expect(refusal(() => scheme.verify(request('sha256=' + VECTOR.expected), secrets, at(NOW)))).toBe('invalid_header');
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
    headers: ['x-dropbox-signature'],
    covers: ['body'],
    request: (message, signed) => request(sign('new-key', signed.body), message.body),
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
  // The header value comes from the published vector, never from the code under test.
  it('signs the vector to exactly its header, and nothing else', () => {
    const signed = dropboxProvider.scheme().sign({
      body: Buffer.from(VECTOR.inputs.body),
      key: VECTOR.inputs.app_secret,
      timestamp: NOW,
      id: 'not-signed',
      contentType: 'application/json',
    });
    expect(signed).toEqual({ headers: { [VECTOR.inputs.header.toLowerCase()]: VECTOR.expected } });
  });
});

describe('dropboxProvider.challengeRequest', () => {
  it("is detected and answered by the preset's strategy as the provider expects; a wrong answer is called wrong", () => {
    const probe = dropboxProvider.challengeRequest!({ url: 'https://hooks.example.com/webhooks/dropbox' });
    const { detected, verdict } = answerProbe(probe, dropboxChallenge(), {});
    expect(detected).toBe(true);
    expect(verdict).toBeUndefined();
    expect(probe.check({ status: 200, headers: new Headers(), text: 'other' })).toBeDefined();
  });
});
