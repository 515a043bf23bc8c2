import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { signVector } from '../../test/support/provider-spec';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { zoomChallenge, zoomProvider } from './zoom';
import vectors from '../../test/fixtures/providers-vectors.json';
import type { WebhookRequest } from '../core/request';

// SELF vector of shared/providers.md §2 (Zoom publishes none); the algorithm is Slack's with x-zm-*.
const VECTOR = publishedVector('zoom', 'signature');
const TS = Number(VECTOR.inputs.timestamp);
const sign = (key: string, ts: number | string, body: string | Buffer) =>
  'v0=' + createHmac('sha256', key).update(`v0:${ts}:`).update(body).digest('hex');

describe('ZoomScheme', () => {
  const scheme = zoomProvider.scheme();
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

const ZOOM = (
  vectors as unknown as Array<{ provider: string; kind: string; inputs: Record<string, string>; expected: unknown }>
).find((v) => v.provider === 'zoom' && v.kind === 'challenge')!;

// The documented request (shared/providers.md §2), with the vector's plainToken.
const CRC: WebhookRequest = {
  method: 'POST',
  url: '/hooks/zoom',
  headers: { 'content-type': 'application/json' },
  query: {},
  rawBody: Buffer.from(
    `{"payload":{"plainToken":"${ZOOM.inputs.plainToken}"},"event_ts":1654503849680,"event":"endpoint.url_validation"}`,
  ),
};

describe('zoomChallenge', () => {
  it('is signed', () => {
    expect(zoomChallenge().signed).toBe(true);
    expect(zoomChallenge({ signed: false }).signed).toBe(false);
    expect(zoomChallenge().kind).toBe('computed-hmac');
  });

  it('answers the published vector (elastic/beats validate_CRC_request)', () => {
    const strategy = zoomChallenge();
    expect(strategy.detect(CRC)).toBe(true);
    const context = {
      endpoint: 'zoom',
      secrets: [{ version: 1, value: ZOOM.inputs.secret_token }],
      namedSecrets: {},
      receivedAt: 0,
    };
    expect(strategy.respond(CRC, context)).toEqual({
      status: 200,
      body: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: ZOOM.expected },
    });
  });

  it('leaves other events to the delivery path', () => {
    const event = { ...CRC, rawBody: Buffer.from('{"event":"meeting.started","payload":{"account_id":"abc123"}}') };
    expect(zoomChallenge().detect(event)).toBe(false);
  });
});

describe('zoomProvider.scheme().sign()', () => {
  it('reproduces the signature vector and its timestamp header', () => {
    const signed = signVector(zoomProvider.scheme(), VECTOR, 'secret_token', { timestamp: TS });
    expect(signed.headers).toEqual({ 'x-zm-signature': VECTOR.expected, 'x-zm-request-timestamp': String(TS) });
  });
});
