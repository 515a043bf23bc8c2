import { createHmac } from 'node:crypto';
import { answerProbe } from '../../test/support/challenge-probe';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { intercomProvider } from './intercom';

// SELF vector of shared/providers.md §25.
const VECTOR = publishedVector('intercom', 'signature');
const sign = (key: string, body: string | Buffer) => 'sha1=' + createHmac('sha1', key).update(body).digest('hex');
const NOW = 1_700_000_000;

describe('intercomProvider.scheme()', () => {
  const scheme = intercomProvider.scheme();
  const request = (signature: string | undefined, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: { 'x-hub-signature': signature }, body });
  const secrets = [secret(VECTOR.inputs.client_secret, 1)];

  it('accepts the vector', () => {
    expect(scheme.verify(request(VECTOR.expected), secrets, at(NOW)).secretVersion).toBe(1);
  });

  it('reports the body field id as the message id once the signature matched', () => {
    const body = JSON.stringify({ type: 'notification_event', id: 'msg-1' });
    expect(scheme.verify(request(sign('new-key', body), body), [secret('new-key')], at(NOW)).messageId).toBe('msg-1');
    expect(
      scheme.verify(request(sign('new-key', 'not json'), 'not json'), [secret('new-key')], at(NOW)).messageId,
    ).toBeUndefined();
  });

  it('refuses a tampered body and a wrong key', () => {
    expect(refusal(() => scheme.verify(request(VECTOR.expected, VECTOR.inputs.body + ' '), secrets, at(NOW)))).toBe(
      'no_matching_signature',
    );
    expect(
      refusal(() => scheme.verify(request(VECTOR.expected), [secret(VECTOR.inputs.client_secret + 'x')], at(NOW))),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [], at(NOW)))).toBe('no_secret_configured');
  });

  it('refuses missing and malformed signatures', () => {
    expect(refusal(() => scheme.verify(request(undefined), secrets, at(NOW)))).toBe('missing_header');
    expect(refusal(() => scheme.verify(request(VECTOR.expected.slice(5)), secrets, at(NOW)))).toBe('invalid_header');
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
    headers: ['x-hub-signature'],
    covers: ['body'],
    request: (message, signed) => request(sign('new-key', signed.body), message.body),
  });
});

describe('intercomProvider.scheme().sign()', () => {
  // The header value comes from the published vector, never from the code under test.
  it('signs the vector to exactly its header, and nothing else', () => {
    const signed = intercomProvider.scheme().sign({
      body: Buffer.from(VECTOR.inputs.body),
      key: VECTOR.inputs.client_secret,
      timestamp: NOW,
      id: 'not-signed',
      contentType: 'application/json',
    });
    expect(signed).toEqual({ headers: { [VECTOR.inputs.header.toLowerCase()]: VECTOR.expected } });
  });
});

describe('intercomProvider.challengeRequest', () => {
  it("is detected and answered by the preset's strategy as the provider expects; a wrong answer is called wrong", () => {
    const probe = intercomProvider.challengeRequest!({ url: 'https://hooks.example.com/webhooks/intercom' });
    const { detected, verdict } = answerProbe(probe, intercomProvider.preset().challenge!, {});
    expect(detected).toBe(true);
    expect(verdict).toBeUndefined();
    expect(probe.check({ status: 404, headers: new Headers(), text: '' })).toBeDefined();
  });
});
