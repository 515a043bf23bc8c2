import { createHmac } from 'node:crypto';
import { signVector } from '../../test/support/provider-spec';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { boxProvider } from './box';

// UPSTREAM vectors: box/box-node-sdk tests/lib/managers/webhooks-test.js validateMessage().
const PRIMARY = publishedVector('box', 'signature_primary');
const SECONDARY = publishedVector('box', 'signature_secondary');
const TIMESTAMP = PRIMARY.inputs.box_delivery_timestamp as string;
const SIGNED_AT = Date.parse(TIMESTAMP) / 1000;
const sign = (key: string, body: string | Buffer, timestamp: string) =>
  createHmac('sha256', key).update(body).update(timestamp).digest('base64');
const rfc3339 = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().replace('.000Z', '+00:00');

describe('BoxScheme', () => {
  const scheme = boxProvider.scheme();
  const keys = [secret(PRIMARY.inputs.key, 1), secret(SECONDARY.inputs.key, 2)];
  const request = (overrides: Record<string, string | undefined> = {}, body: string | Buffer = PRIMARY.inputs.body) =>
    webhookRequest({
      headers: {
        'box-delivery-id': 'f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f',
        'box-delivery-timestamp': TIMESTAMP,
        'box-signature-algorithm': 'HmacSHA256',
        'box-signature-version': '1',
        'box-signature-primary': PRIMARY.expected,
        'box-signature-secondary': SECONDARY.expected,
        ...overrides,
      },
      body,
    });

  it('accepts the upstream message with its clock injected, reporting BOX-DELIVERY-ID and the timestamp', () => {
    expect(scheme.verify(request(), keys, at(SIGNED_AT + 60))).toEqual({
      secretVersion: 1,
      messageId: 'f96bb54b-ee16-4fc5-aa65-8c2d9e5b546f',
      signedAt: new Date(SIGNED_AT * 1000),
      // The id header is not signed: deduplication keys on the signed content instead.
      unsignedMessageId: true,
    });
  });

  it('accepts either signature alone, each with its own key', () => {
    expect(scheme.verify(request({ 'box-signature-primary': undefined }), [keys[1]], at(SIGNED_AT)).secretVersion).toBe(
      2,
    );
    expect(
      scheme.verify(request({ 'box-signature-secondary': undefined }), [keys[0]], at(SIGNED_AT)).secretVersion,
    ).toBe(1);
    expect(
      scheme.verify(request({ 'box-signature-primary': 'A'.repeat(43) + '=' }), keys, at(SIGNED_AT)).secretVersion,
    ).toBe(2);
  });

  it('refuses a message older than 10 minutes (the SDK test used a 2010 clock for this reason)', () => {
    expect(refusal(() => scheme.verify(request(), keys, at(SIGNED_AT + 601)))).toBe('timestamp_too_old');
    expect(refusal(() => scheme.verify(request(), keys, at(SIGNED_AT - 601)))).toBe('timestamp_too_new');
  });

  it('refuses a tampered body or timestamp and wrong keys', () => {
    expect(
      refusal(() =>
        scheme.verify(request({}, PRIMARY.inputs.body.replace('Test.txt', 'Test.txT')), keys, at(SIGNED_AT)),
      ),
    ).toBe('no_matching_signature');
    expect(
      refusal(() =>
        scheme.verify(request({ 'box-delivery-timestamp': '2020-01-01T00:00:01-07:00' }), keys, at(SIGNED_AT)),
      ),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(), [secret('SampleTertiaryKey')], at(SIGNED_AT)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses another algorithm or version, and missing or malformed headers', () => {
    expect(refusal(() => scheme.verify(request({ 'box-signature-algorithm': 'HmacSHA1' }), keys, at(SIGNED_AT)))).toBe(
      'invalid_header',
    );
    expect(refusal(() => scheme.verify(request({ 'box-signature-version': '2' }), keys, at(SIGNED_AT)))).toBe(
      'invalid_header',
    );
    expect(
      refusal(() =>
        scheme.verify(
          request({ 'box-signature-primary': undefined, 'box-signature-secondary': undefined }),
          keys,
          at(SIGNED_AT),
        ),
      ),
    ).toBe('missing_header');
    expect(refusal(() => scheme.verify(request({ 'box-delivery-timestamp': undefined }), keys, at(SIGNED_AT)))).toBe(
      'missing_header',
    );
    expect(
      refusal(() =>
        scheme.verify(request({ 'box-signature-primary': PRIMARY.expected.slice(1) }), keys, at(SIGNED_AT)),
      ),
    ).toBe('invalid_header');
    expect(
      refusal(() =>
        scheme.verify(request({ 'box-delivery-timestamp': 'Wed, 01 Jan 2020 07:00:00 GMT' }), keys, at(SIGNED_AT)),
      ),
    ).toBe('invalid_header');
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret('old-primary', 1), secret('new-primary', 2)],
    now: SIGNED_AT,
    headers: [
      'box-delivery-timestamp',
      'box-signature-primary',
      'box-signature-secondary',
      'box-signature-algorithm',
      'box-signature-version',
    ],
    covers: ['body', 'timestamp'],
    expectedId: (message) => message.id,
    request: (message, signed) =>
      webhookRequest({
        headers: {
          'box-delivery-id': message.id,
          'box-delivery-timestamp': rfc3339(message.timestamp),
          'box-signature-algorithm': 'HmacSHA256',
          'box-signature-version': '1',
          'box-signature-primary': sign('new-primary', signed.body, rfc3339(signed.timestamp)),
        },
        body: message.body,
      }),
  });
});

describe('boxProvider.scheme().sign()', () => {
  // The vectors' timestamp has a -07:00 offset, which sign() (UTC, from whole seconds) does not
  // write: it is checked against Box's documented algorithm written out with node:crypto instead.
  it('signs body + RFC 3339 timestamp in the primary header, with the headers Box requires', () => {
    const scheme = boxProvider.scheme();
    const signed = signVector(scheme, PRIMARY, 'key', { timestamp: SIGNED_AT, id: 'delivery-1' });
    expect(signed.headers).toEqual({
      'box-signature-primary': sign(PRIMARY.inputs.key, PRIMARY.inputs.body, '2020-01-01T07:00:00Z'),
      'box-signature-algorithm': 'HmacSHA256',
      'box-signature-version': '1',
      'box-delivery-id': 'delivery-1',
      'box-delivery-timestamp': '2020-01-01T07:00:00Z',
    });
    const request = webhookRequest({ headers: { ...signed.headers }, body: PRIMARY.inputs.body });
    expect(scheme.verify(request, [secret(PRIMARY.inputs.key, 1)], at(SIGNED_AT)).signedAt).toEqual(
      new Date(SIGNED_AT * 1000),
    );
  });
});
