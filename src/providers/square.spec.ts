import { createHmac } from 'node:crypto';
import { WebhookConfigurationError } from '../core/errors';
import { itSignsTheVector } from '../../test/support/provider-spec';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { squareProvider } from './square';

// UPSTREAM vectors and negative cases: square/square-python-sdk test_webhooks_helper.py.
const VECTOR = publishedVector('square', 'signature');
const ESCAPED = publishedVector('square', 'signature_escaped');
const sign = (key: string, url: string, body: string | Buffer) =>
  createHmac('sha256', key).update(url).update(body).digest('base64');
const NOW = 1_700_000_000;

describe('squareProvider.scheme()', () => {
  const scheme = squareProvider.scheme({ url: VECTOR.inputs.notification_url });
  const request = (signature: string | undefined, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: { 'x-square-hmacsha256-signature': signature }, body });
  const secrets = [secret(VECTOR.inputs.signature_key, 1)];

  it('accepts both upstream vectors and reports event_id', () => {
    expect(scheme.verify(request(VECTOR.expected), secrets, at(NOW)).messageId).toBe(
      'ac3ac95b-f97d-458c-a6e6-18981597e05f',
    );
    const escaped = squareProvider.scheme({ url: ESCAPED.inputs.notification_url });
    const req = webhookRequest({
      headers: { 'x-square-hmacsha256-signature': ESCAPED.expected },
      body: ESCAPED.inputs.body,
    });
    expect(escaped.verify(req, [secret(ESCAPED.inputs.signature_key)], at(NOW)).secretVersion).toBe(1);
  });

  it('refuses the upstream negative cases: a URL one character short, another key, a pretty-printed or changed body', () => {
    const shortUrl = squareProvider.scheme({ url: VECTOR.inputs.notification_url.slice(0, -1) });
    expect(refusal(() => shortUrl.verify(request(VECTOR.expected), secrets, at(NOW)))).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [secret('MCmhFRxGX82xMwg5FsaoQA')], at(NOW)))).toBe(
      'no_matching_signature',
    );
    const pretty = JSON.stringify(JSON.parse(VECTOR.inputs.body), null, 2);
    expect(refusal(() => scheme.verify(request(VECTOR.expected, pretty), secrets, at(NOW)))).toBe(
      'no_matching_signature',
    );
    const changedDate = VECTOR.inputs.body.replace('2022-07-13', '2022-07-14');
    expect(refusal(() => scheme.verify(request(VECTOR.expected, changedDate), secrets, at(NOW)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses missing and malformed signatures, and an empty key or URL at start-up', () => {
    expect(refusal(() => scheme.verify(request(undefined), secrets, at(NOW)))).toBe('missing_header');
    expect(refusal(() => scheme.verify(request('not-base64!'), secrets, at(NOW)))).toBe('invalid_header');
    expect(() => scheme.validateSecret!('')).toThrow(WebhookConfigurationError);
    expect(() => squareProvider.scheme({ url: '' })).toThrow(WebhookConfigurationError);
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret('old', 1), secret('new', 2)],
    now: NOW,
    headers: ['x-square-hmacsha256-signature'],
    covers: ['body'],
    request: (message, signed) => request(sign('new', VECTOR.inputs.notification_url, signed.body), message.body),
  });
});

describe('squareProvider.scheme().sign()', () => {
  itSignsTheVector(squareProvider.scheme({ url: VECTOR.inputs.notification_url }), VECTOR, 'signature_key');

  it('signs the second upstream vector (a body with escaped characters) exactly', () => {
    const signed = squareProvider.scheme({ url: ESCAPED.inputs.notification_url }).sign({
      body: Buffer.from(ESCAPED.inputs.body),
      key: ESCAPED.inputs.signature_key,
      timestamp: NOW,
      id: 'not-signed',
      contentType: 'application/json',
    });
    expect(signed.headers).toEqual({ 'x-square-hmacsha256-signature': ESCAPED.expected });
  });
});
