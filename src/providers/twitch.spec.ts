import { createHmac } from 'node:crypto';
import { signVector } from '../../test/support/provider-spec';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { twitchChallenge, twitchProvider } from './twitch';
import type { WebhookRequest } from '../core/request';

// SELF vector of shared/providers.md §11 (algorithm of twitchdev/twitch-cli forward_event.go).
const VECTOR = publishedVector('twitch', 'signature');
const SIGNED_AT = Math.floor(Date.parse('2019-11-16T10:11:12Z') / 1000);
const sign = (key: string, id: string, timestamp: string, body: string | Buffer) =>
  'sha256=' + createHmac('sha256', key).update(id).update(timestamp).update(body).digest('hex');
const rfc3339 = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().replace('.000Z', '.123456789Z');

describe('TwitchScheme', () => {
  const scheme = twitchProvider.scheme();
  const request = (overrides: Record<string, string | undefined> = {}, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({
      headers: {
        'twitch-eventsub-message-id': VECTOR.inputs.message_id,
        'twitch-eventsub-message-timestamp': VECTOR.inputs.timestamp,
        'twitch-eventsub-message-signature': VECTOR.expected,
        'twitch-eventsub-message-type': 'webhook_callback_verification',
        ...overrides,
      },
      body,
    });
  const secrets = [secret(VECTOR.inputs.secret, 1)];

  it('accepts the vector, with the nanosecond timestamp signed exactly as received', () => {
    expect(scheme.verify(request(), secrets, at(SIGNED_AT + 10))).toEqual({
      secretVersion: 1,
      messageId: VECTOR.inputs.message_id,
      signedAt: new Date(SIGNED_AT * 1000),
    });
    // The same instant spelled differently is another signed string.
    expect(
      refusal(() =>
        scheme.verify(
          request({ 'twitch-eventsub-message-timestamp': '2019-11-16T10:11:12.634Z' }),
          secrets,
          at(SIGNED_AT),
        ),
      ),
    ).toBe('no_matching_signature');
  });

  it('refuses a message older than 10 minutes, or as far ahead', () => {
    expect(scheme.verify(request(), secrets, at(SIGNED_AT + 600)).secretVersion).toBe(1);
    expect(refusal(() => scheme.verify(request(), secrets, at(SIGNED_AT + 601)))).toBe('timestamp_too_old');
    expect(refusal(() => scheme.verify(request(), secrets, at(SIGNED_AT - 601)))).toBe('timestamp_too_new');
  });

  it('refuses a tampered body, id or key', () => {
    expect(
      refusal(() =>
        scheme.verify(request({}, VECTOR.inputs.body.replace('pending', 'pendinG')), secrets, at(SIGNED_AT)),
      ),
    ).toBe('no_matching_signature');
    expect(
      refusal(() =>
        scheme.verify(
          request({ 'twitch-eventsub-message-id': 'e76c6bd4-55c9-4987-8304-da1588d8988c' }),
          secrets,
          at(SIGNED_AT),
        ),
      ),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(), [secret('s3cRe7_twitch_secreT')], at(SIGNED_AT)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses missing and malformed headers', () => {
    for (const name of [
      'twitch-eventsub-message-id',
      'twitch-eventsub-message-timestamp',
      'twitch-eventsub-message-signature',
    ]) {
      expect(refusal(() => scheme.verify(request({ [name]: undefined }), secrets, at(SIGNED_AT)))).toBe(
        'missing_header',
      );
    }
    for (const timestamp of [
      '1573899072',
      '2019-11-16 10:11:12Z',
      '2019-11-16T10:11:12.1234567890Z',
      '2019-13-16T10:11:12Z',
    ]) {
      expect(
        refusal(() =>
          scheme.verify(request({ 'twitch-eventsub-message-timestamp': timestamp }), secrets, at(SIGNED_AT)),
        ),
      ).toBe('invalid_header');
    }
    expect(
      refusal(() =>
        scheme.verify(
          request({ 'twitch-eventsub-message-signature': VECTOR.expected.slice(7) }),
          secrets,
          at(SIGNED_AT),
        ),
      ),
    ).toBe('invalid_header');
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret('first-secret-123', 1), secret('second-secret-456', 2)],
    now: SIGNED_AT,
    headers: ['twitch-eventsub-message-id', 'twitch-eventsub-message-timestamp', 'twitch-eventsub-message-signature'],
    covers: ['body', 'id', 'timestamp'],
    expectedId: (message) => message.id,
    request: (message, signed) =>
      webhookRequest({
        headers: {
          'twitch-eventsub-message-id': message.id,
          'twitch-eventsub-message-timestamp': rfc3339(message.timestamp),
          'twitch-eventsub-message-signature': sign(
            'second-secret-456',
            signed.id,
            rfc3339(signed.timestamp),
            signed.body,
          ),
        },
        body: message.body,
      }),
  });
});

// The verification body of the twitch signature vector (shared/providers.md §11).
const BODY =
  '{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","status":"webhook_callback_verification_pending","type":"channel.follow","version":"2"}}';
const post = (type: string): WebhookRequest => ({
  method: 'POST',
  url: '/hooks/twitch',
  headers: { 'content-type': 'application/json', 'twitch-eventsub-message-type': type },
  query: {},
  rawBody: Buffer.from(BODY),
});
const context = { endpoint: 'twitch', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('twitchChallenge', () => {
  it('is signed and echoes the challenge as text', () => {
    const strategy = twitchChallenge();
    expect(strategy.signed).toBe(true);
    expect(strategy.detect(post('webhook_callback_verification'))).toBe(true);
    expect(strategy.respond(post('webhook_callback_verification'), context)).toEqual({
      status: 200,
      body: 'pogchamp-kappa-360noscope-vohiyo',
    });
  });

  it('leaves notifications and revocations to the delivery path', () => {
    expect(twitchChallenge().detect(post('notification'))).toBe(false);
    expect(twitchChallenge().detect(post('revocation'))).toBe(false);
  });
});

describe('twitchProvider.scheme().sign()', () => {
  // The vector's timestamp has nanoseconds, which a whole-second SignInput cannot spell: sign() is
  // checked against the documented algorithm written out with node:crypto instead.
  it('signs id + RFC 3339 timestamp + body as an independent HMAC does, and verifies', () => {
    const scheme = twitchProvider.scheme();
    const signed = signVector(scheme, VECTOR, 'secret', { timestamp: SIGNED_AT, id: VECTOR.inputs.message_id });
    expect(signed.headers).toEqual({
      'twitch-eventsub-message-id': VECTOR.inputs.message_id,
      'twitch-eventsub-message-timestamp': '2019-11-16T10:11:12Z',
      'twitch-eventsub-message-signature': sign(
        VECTOR.inputs.secret,
        VECTOR.inputs.message_id,
        '2019-11-16T10:11:12Z',
        VECTOR.inputs.body,
      ),
    });
    const request = webhookRequest({ headers: { ...signed.headers }, body: VECTOR.inputs.body });
    expect(scheme.verify(request, [secret(VECTOR.inputs.secret)], at(SIGNED_AT)).messageId).toBe(
      VECTOR.inputs.message_id,
    );
  });
});
