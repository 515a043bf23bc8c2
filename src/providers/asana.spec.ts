import { createHmac } from 'node:crypto';
import { answerProbe } from '../../test/support/challenge-probe';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import type { WebhookRequest } from '../core/request';
import { asanaProvider, asanaChallenge } from './asana';

// SELF vector of shared/providers.md §7 (secret from Asana's createWebhook example).
const VECTOR = publishedVector('asana', 'signature');
const sign = (key: string, body: string | Buffer) => '' + createHmac('sha256', key).update(body).digest('hex');
const NOW = 1_700_000_000;

describe('asanaProvider.scheme()', () => {
  const scheme = asanaProvider.scheme();
  const request = (signature: string | undefined, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: { 'x-hook-signature': signature }, body });
  const secrets = [secret(VECTOR.inputs.x_hook_secret, 1)];

  it('accepts the vector', () => {
    expect(scheme.verify(request(VECTOR.expected), secrets, at(NOW)).secretVersion).toBe(1);
  });

  it('refuses a tampered body and a wrong key', () => {
    expect(refusal(() => scheme.verify(request(VECTOR.expected, VECTOR.inputs.body + ' '), secrets, at(NOW)))).toBe(
      'no_matching_signature',
    );
    expect(
      refusal(() => scheme.verify(request(VECTOR.expected), [secret(VECTOR.inputs.x_hook_secret + 'x')], at(NOW))),
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
    headers: ['x-hook-signature'],
    covers: ['body'],
    request: (message, signed) => request(sign('new-key', signed.body), message.body),
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
  // The header value comes from the published vector, never from the code under test.
  it('signs the vector to exactly its header, and nothing else', () => {
    const signed = asanaProvider.scheme().sign({
      body: Buffer.from(VECTOR.inputs.body),
      key: VECTOR.inputs.x_hook_secret,
      timestamp: NOW,
      id: 'not-signed',
      contentType: 'application/json',
    });
    expect(signed).toEqual({ headers: { [VECTOR.inputs.header.toLowerCase()]: VECTOR.expected } });
  });
});

describe('asanaProvider.challengeRequest', () => {
  it("is detected and answered by the preset's strategy as the provider expects; a wrong answer is called wrong", () => {
    const probe = asanaProvider.challengeRequest!({ url: 'https://hooks.example.com/webhooks/asana' });
    const { detected, verdict } = answerProbe(probe, asanaChallenge(), {});
    expect(detected).toBe(true);
    expect(verdict).toBeUndefined();
    expect(probe.check({ status: 200, headers: new Headers({ 'x-hook-secret': 'other' }), text: '' })).toBeDefined();
  });
});
