import { createHmac } from 'node:crypto';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../../test/support/scheme-properties';
import { AsanaScheme } from './asana.scheme';

// SELF vector of shared/providers.md §7 (secret from Asana's createWebhook example).
const VECTOR = publishedVector('asana', 'signature');
const sign = (key: string, body: string | Buffer) => '' + createHmac('sha256', key).update(body).digest('hex');
const NOW = 1_700_000_000;

describe('AsanaScheme', () => {
  const scheme = new AsanaScheme();
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
