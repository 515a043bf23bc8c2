import { createHmac } from 'node:crypto';
import { itSignsTheVector } from '../../test/support/provider-spec';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { pagerdutyProvider } from './pagerduty';

// UPSTREAM vector: PagerDuty/go-pagerduty webhookv3/webhookv3_test.go (a 1,655-byte body).
const VECTOR = publishedVector('pagerduty', 'signature');
const MISMATCH = 'v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5';
const hex = (key: string, body: string | Buffer) => createHmac('sha256', key).update(body).digest('hex');
const NOW = 1_700_000_000;

describe('pagerdutyProvider.scheme()', () => {
  const scheme = pagerdutyProvider.scheme();
  const request = (signature: string | undefined, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: { 'x-pagerduty-signature': signature }, body });
  const secrets = [secret(VECTOR.inputs.secret, 1)];

  it('accepts the vector, keyed with the secret as text (not base64-decoded), and reports event.id', () => {
    expect(scheme.verify(request(VECTOR.expected), secrets, at(NOW))).toEqual({
      secretVersion: 1,
      messageId: '01BWDWL3NYY7LUFPZCC28QUCMK',
      signedAt: undefined,
    });
    const decoded = Buffer.from(VECTOR.inputs.secret, 'base64');
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [secret(decoded)], at(NOW)))).toBe(
      'no_matching_signature',
    );
  });

  it('accepts the valid entry of a comma-separated list and refuses the upstream mismatch alone', () => {
    expect(scheme.verify(request(`${MISMATCH},${VECTOR.expected}`), secrets, at(NOW)).secretVersion).toBe(1);
    expect(scheme.verify(request(`${MISMATCH}, ${VECTOR.expected}`), secrets, at(NOW)).secretVersion).toBe(1);
    expect(refusal(() => scheme.verify(request(MISMATCH), secrets, at(NOW)))).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(`v2=${VECTOR.expected.slice(3)}`), secrets, at(NOW)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses a tampered body, a wrong key, a missing header and an endless list', () => {
    expect(
      refusal(() => scheme.verify(request(VECTOR.expected, VECTOR.inputs.body.replace('P1', 'P2')), secrets, at(NOW))),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [secret('wrong')], at(NOW)))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => scheme.verify(request(undefined), secrets, at(NOW)))).toBe('missing_header');
    expect(refusal(() => scheme.verify(request(Array(40).fill(MISMATCH).join(',')), secrets, at(NOW)))).toBe(
      'invalid_header',
    );
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret('old', 1), secret('new', 2)],
    now: NOW,
    headers: ['x-pagerduty-signature'],
    covers: ['body'],
    request: (message, signed) => request(`v1=${hex('old', 'other')},v1=${hex('new', signed.body)}`, message.body),
  });
});

describe('pagerdutyProvider.scheme().sign()', () => {
  itSignsTheVector(pagerdutyProvider.scheme(), VECTOR, 'secret');
});
