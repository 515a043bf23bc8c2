import { createHmac } from 'node:crypto';
import { answerProbe } from '../../test/support/challenge-probe';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import type { WebhookRequest } from '../core/request';
import { smartsheetProvider, smartsheetChallenge } from './smartsheet';

// SELF vector of shared/providers.md §8 (hex, per several independent implementations).
const VECTOR = publishedVector('smartsheet', 'signature');
const sign = (key: string, body: string | Buffer) => '' + createHmac('sha256', key).update(body).digest('hex');
const NOW = 1_700_000_000;

describe('smartsheetProvider.scheme()', () => {
  const scheme = smartsheetProvider.scheme();
  const request = (signature: string | undefined, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: { 'smartsheet-hmac-sha256': signature }, body });
  const secrets = [secret(VECTOR.inputs.shared_secret, 1)];

  it('accepts the vector', () => {
    expect(scheme.verify(request(VECTOR.expected), secrets, at(NOW)).secretVersion).toBe(1);
  });

  it('reports the body field nonce as the message id once the signature matched', () => {
    const body = JSON.stringify({ nonce: 'msg-1', events: [] });
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
      refusal(() => scheme.verify(request(VECTOR.expected), [secret(VECTOR.inputs.shared_secret + 'x')], at(NOW))),
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
    headers: ['smartsheet-hmac-sha256'],
    covers: ['body'],
    request: (message, signed) => request(sign('new-key', signed.body), message.body),
  });
});

// developers.smartsheet.com webhook verification: the header and the body carry the same value.
const verification: WebhookRequest = {
  method: 'POST',
  url: '/hooks/smartsheet',
  headers: { 'content-type': 'application/json', 'smartsheet-hook-challenge': 'd6c4d2a1-2e1f-4b5a-9d5c-0f3a2b1c4d5e' },
  query: {},
  rawBody: Buffer.from('{"challenge":"d6c4d2a1-2e1f-4b5a-9d5c-0f3a2b1c4d5e","webhookId":1234567890}'),
};
const context = { endpoint: 'smartsheet', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('smartsheetChallenge', () => {
  it('answers with the Smartsheet-Hook-Response header and the smartsheetHookResponse body', () => {
    const strategy = smartsheetChallenge();
    expect(strategy.detect(verification)).toBe(true);
    expect(strategy.respond(verification, context)).toEqual({
      status: 200,
      headers: { 'Smartsheet-Hook-Response': 'd6c4d2a1-2e1f-4b5a-9d5c-0f3a2b1c4d5e' },
      body: { smartsheetHookResponse: 'd6c4d2a1-2e1f-4b5a-9d5c-0f3a2b1c4d5e' },
    });
    expect(strategy.deliveredSecret?.(verification)).toBeUndefined();
  });

  it('leaves callbacks to the delivery path', () => {
    const callback = { ...verification, headers: { 'content-type': 'application/json' } };
    expect(smartsheetChallenge().detect(callback)).toBe(false);
  });
});

describe('smartsheetProvider.scheme().sign()', () => {
  // The header value comes from the published vector, never from the code under test.
  it('signs the vector to exactly its header, and nothing else', () => {
    const signed = smartsheetProvider.scheme().sign({
      body: Buffer.from(VECTOR.inputs.body),
      key: VECTOR.inputs.shared_secret,
      timestamp: NOW,
      id: 'not-signed',
      contentType: 'application/json',
    });
    expect(signed).toEqual({ headers: { [VECTOR.inputs.header.toLowerCase()]: VECTOR.expected } });
  });
});

describe('smartsheetProvider.challengeRequest', () => {
  it("is detected and answered by the preset's strategy as the provider expects; a wrong answer is called wrong", () => {
    const probe = smartsheetProvider.challengeRequest!({ url: 'https://hooks.example.com/webhooks/smartsheet' });
    const { detected, verdict } = answerProbe(probe, smartsheetChallenge(), {});
    expect(detected).toBe(true);
    expect(verdict).toBeUndefined();
    expect(probe.check({ status: 200, headers: new Headers(), text: '{}' })).toBeDefined();
  });
});
