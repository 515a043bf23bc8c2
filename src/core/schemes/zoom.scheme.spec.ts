import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../../test/support/scheme-properties';
import { ZoomScheme } from './zoom.scheme';

// SELF vector of shared/providers.md §2 (Zoom publishes none); the algorithm is Slack's with x-zm-*.
const VECTOR = publishedVector('zoom', 'signature');
const TS = Number(VECTOR.inputs.timestamp);
const sign = (key: string, ts: number | string, body: string | Buffer) =>
  'v0=' + createHmac('sha256', key).update(`v0:${ts}:`).update(body).digest('hex');

describe('ZoomScheme', () => {
  const scheme = new ZoomScheme();
  const request = (signature: string | undefined, ts: string | undefined, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({
      headers: { 'x-zm-signature': signature, 'x-zm-request-timestamp': ts },
      body,
    });
  const secrets = [secret(VECTOR.inputs.secret_token)];

  it('accepts the vector', () => {
    expect(scheme.verify(request(VECTOR.expected, VECTOR.inputs.timestamp), secrets, at(TS))).toEqual({
      secretVersion: 1,
      messageId: undefined,
      signedAt: new Date(TS * 1000),
    });
  });

  it('refuses a tampered body, a wrong secret, a stale or future timestamp', () => {
    expect(refusal(() => scheme.verify(request(VECTOR.expected, VECTOR.inputs.timestamp, '{}'), secrets, at(TS)))).toBe(
      'no_matching_signature',
    );
    expect(
      refusal(() =>
        scheme.verify(request(VECTOR.expected, VECTOR.inputs.timestamp), [secret('zoom_secret_tokeN')], at(TS)),
      ),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(VECTOR.expected, VECTOR.inputs.timestamp), secrets, at(TS + 301)))).toBe(
      'timestamp_too_old',
    );
    expect(refusal(() => scheme.verify(request(VECTOR.expected, VECTOR.inputs.timestamp), secrets, at(TS - 301)))).toBe(
      'timestamp_too_new',
    );
  });

  it('refuses the digest without its v0= prefix (the webhooks.fyi sample bug) and missing headers', () => {
    expect(
      refusal(() => scheme.verify(request(VECTOR.expected.slice(3), VECTOR.inputs.timestamp), secrets, at(TS))),
    ).toBe('invalid_header');
    expect(refusal(() => scheme.verify(request(undefined, VECTOR.inputs.timestamp), secrets, at(TS)))).toBe(
      'missing_header',
    );
    expect(refusal(() => scheme.verify(request(VECTOR.expected, undefined), secrets, at(TS)))).toBe('missing_header');
    expect(refusal(() => scheme.verify(request(VECTOR.expected, '-1700000000'), secrets, at(TS)))).toBe(
      'invalid_header',
    );
  });

  it('verifies with both secret tokens during a rotation', () => {
    const rotation = [secret('old-token', 1), secret('new-token', 2)];
    expect(scheme.verify(request(sign('old-token', TS, '{}'), String(TS), '{}'), rotation, at(TS)).secretVersion).toBe(
      1,
    );
    expect(scheme.verify(request(sign('new-token', TS, '{}'), String(TS), '{}'), rotation, at(TS)).secretVersion).toBe(
      2,
    );
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret('old-token', 1), secret('new-token', 2)],
    now: TS,
    headers: ['x-zm-signature', 'x-zm-request-timestamp'],
    covers: ['body', 'timestamp'],
    // The provider only sends JSON objects; the scheme refuses anything else.
    bodies: fc
      .dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }))
      .map((value) => Buffer.from(JSON.stringify(value))),
    request: (message, signed) =>
      request(sign('new-token', signed.timestamp, signed.body), String(message.timestamp), message.body),
  });
});
