import { createHmac } from 'node:crypto';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../../test/support/scheme-properties';
import { MetaScheme } from './meta.scheme';

// SELF vector of shared/providers.md §4 (Meta publishes none).
const VECTOR = publishedVector('meta', 'signature');
const sign = (key: string, body: string | Buffer) => 'sha256=' + createHmac('sha256', key).update(body).digest('hex');
const NOW = 1_700_000_000;

describe('MetaScheme', () => {
  const scheme = new MetaScheme();
  const request = (signature: string | undefined, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: { 'x-hub-signature-256': signature }, body });
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
    expect(refusal(() => scheme.verify(request(VECTOR.expected.slice(7)), secrets, at(NOW)))).toBe('invalid_header');
    expect(refusal(() => scheme.verify(request(VECTOR.expected.slice(0, -2)), secrets, at(NOW)))).toBe(
      'invalid_header',
    );
    expect(refusal(() => scheme.verify(request(VECTOR.expected + ' '), secrets, at(NOW)))).toBe('invalid_header');
  });

  it('does not accept the legacy SHA-1 X-Hub-Signature in place of X-Hub-Signature-256', () => {
    const legacy = publishedVector('meta', 'signature_legacy_sha1');
    const onlyLegacy = webhookRequest({ headers: { 'x-hub-signature': legacy.expected }, body: legacy.inputs.body });
    expect(refusal(() => scheme.verify(onlyLegacy, secrets, at(NOW)))).toBe('missing_header');
  });

  it('hashes the escaped-unicode bytes as received, so a re-encoded body does not verify', () => {
    const escaped = '{"name":"\\u00e4\\u00f6\\u00e5"}';
    const decoded = JSON.stringify(JSON.parse(escaped));
    expect(scheme.verify(request(sign('k', escaped), escaped), [secret('k')], at(NOW)).secretVersion).toBe(1);
    expect(refusal(() => scheme.verify(request(sign('k', escaped), decoded), [secret('k')], at(NOW)))).toBe(
      'no_matching_signature',
    );
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
    headers: ['x-hub-signature-256'],
    covers: ['body'],
    request: (message, signed) => request(sign('new-key', signed.body), message.body),
  });
});
