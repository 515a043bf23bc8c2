import { createHmac } from 'node:crypto';
import { signVector } from '../../test/support/provider-spec';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { slackChallenge, slackProvider } from './slack';
import type { WebhookRequest } from '../core/request';

// UPSTREAM vector: python-slack-sdk test_signature_verifier.py (a slash command form body).
const VECTOR = publishedVector('slack', 'signature');
const TS = Number(VECTOR.inputs.timestamp);
const sign = (key: string, ts: number | string, body: string | Buffer) =>
  'v0=' + createHmac('sha256', key).update(`v0:${ts}:`).update(body).digest('hex');

describe('SlackScheme', () => {
  const scheme = slackProvider.scheme();
  const request = (headers: Record<string, string>, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({ headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
  const signed = (signature = VECTOR.expected, ts = VECTOR.inputs.timestamp) =>
    request({ 'x-slack-signature': signature, 'x-slack-request-timestamp': ts });
  const secrets = [secret(VECTOR.inputs.signing_secret, 2)];

  it('accepts the published slash-command vector at its time', () => {
    expect(scheme.verify(signed(), secrets, at(TS))).toEqual({
      secretVersion: 2,
      messageId: undefined,
      signedAt: new Date(TS * 1000),
    });
  });

  it('reports the Events API event_id as the message id', () => {
    const body = '{"type":"event_callback","event_id":"Ev0PV52K21","event":{"type":"app_mention"}}';
    const request = webhookRequest({
      headers: { 'x-slack-signature': sign('s', TS, body), 'x-slack-request-timestamp': String(TS) },
      body,
    });
    expect(scheme.verify(request, [secret('s')], at(TS)).messageId).toBe('Ev0PV52K21');
  });

  it('refuses a tampered body, a wrong secret and a re-timed signature', () => {
    expect(
      refusal(() =>
        scheme.verify(
          request(
            { 'x-slack-signature': VECTOR.expected, 'x-slack-request-timestamp': VECTOR.inputs.timestamp },
            VECTOR.inputs.body + 'x',
          ),
          secrets,
          at(TS),
        ),
      ),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(signed(), [secret('8f742231b10e8888abcd99yyyzzz85a6')], at(TS)))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => scheme.verify(signed(VECTOR.expected, String(TS + 1)), secrets, at(TS)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses a timestamp more than 300 s away (the SDK mocks its clock at the vector time)', () => {
    expect(refusal(() => scheme.verify(signed(), secrets, at(TS + 301)))).toBe('timestamp_too_old');
    expect(refusal(() => scheme.verify(signed(), secrets, at(TS - 301)))).toBe('timestamp_too_new');
    expect(scheme.verify(signed(), secrets, at(TS + 300)).secretVersion).toBe(2);
  });

  it('refuses missing and malformed headers', () => {
    expect(refusal(() => scheme.verify(request({ 'x-slack-request-timestamp': String(TS) }), secrets, at(TS)))).toBe(
      'missing_header',
    );
    expect(refusal(() => scheme.verify(request({ 'x-slack-signature': VECTOR.expected }), secrets, at(TS)))).toBe(
      'missing_header',
    );
    expect(refusal(() => scheme.verify(signed(VECTOR.expected.slice(3)), secrets, at(TS)))).toBe('invalid_header');
    expect(refusal(() => scheme.verify(signed('v1=' + VECTOR.expected.slice(3)), secrets, at(TS)))).toBe(
      'invalid_header',
    );
    expect(refusal(() => scheme.verify(signed(VECTOR.expected, '1531420618.5'), secrets, at(TS)))).toBe(
      'invalid_header',
    );
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret('old-signing-secret', 1), secret('new-signing-secret', 2)],
    now: TS,
    headers: ['x-slack-signature', 'x-slack-request-timestamp'],
    covers: ['body', 'timestamp'],
    request: (message, signedMessage) =>
      webhookRequest({
        headers: {
          'x-slack-request-timestamp': String(message.timestamp),
          'x-slack-signature': sign('new-signing-secret', signedMessage.timestamp, signedMessage.body),
        },
        body: message.body,
      }),
  });
});

const context = { endpoint: 'slack', secrets: [], namedSecrets: {}, receivedAt: 0 };
const post = (contentType: string, body: string): WebhookRequest => ({
  method: 'POST',
  url: '/hooks/slack',
  headers: { 'content-type': contentType },
  query: {},
  rawBody: Buffer.from(body),
});

// The url_verification request documented at api.slack.com/events/url_verification.
const URL_VERIFICATION = post(
  'application/json',
  '{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}',
);

describe('slackChallenge', () => {
  it('is signed: the endpoint scheme verifies the challenge first', () => {
    expect(slackChallenge().signed).toBe(true);
    expect(slackChallenge().kind).toBe('token-echo');
    expect(slackChallenge().secretNames).toBeUndefined();
    expect(() => slackChallenge().validate?.('slack')).not.toThrow();
  });

  it('answers url_verification with the challenge as text', () => {
    const strategy = slackChallenge();
    expect(strategy.detect(URL_VERIFICATION)).toBe(true);
    expect(strategy.respond(URL_VERIFICATION, context)).toEqual({
      status: 200,
      body: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
  });

  it('answers {"challenge": …} when asked for JSON', () => {
    expect(slackChallenge({ respondWith: 'json' }).respond(URL_VERIFICATION, context)).toEqual({
      status: 200,
      body: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' },
    });
  });

  it('answers the slash-command ssl_check with a bare 200', () => {
    const sslCheck = post('application/x-www-form-urlencoded', 'ssl_check=1&token=Jhj5dZrVaK7ZwHHjRyZWjbDl');
    expect(slackChallenge().detect(sslCheck)).toBe(true);
    expect(slackChallenge().respond(sslCheck, context)).toEqual({ status: 200 });
  });

  it('leaves events and slash commands to the delivery path', () => {
    expect(slackChallenge().detect(post('application/json', '{"type":"event_callback","event":{}}'))).toBe(false);
    expect(slackChallenge().detect(post('application/x-www-form-urlencoded', 'command=%2Fweather&text=94070'))).toBe(
      false,
    );
  });

  it('refuses a challenge that is not a safe token', () => {
    const markup = post('application/json', '{"type":"url_verification","challenge":"<img src=x onerror=alert(1)>"}');
    expect(() => slackChallenge().respond(markup, context)).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
  });
});

describe('slackProvider.scheme().sign()', () => {
  it('reproduces the published vector and its timestamp header', () => {
    const signed = signVector(slackProvider.scheme(), VECTOR, 'signing_secret', {
      timestamp: TS,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(signed.headers).toEqual({ 'x-slack-signature': VECTOR.expected, 'x-slack-request-timestamp': String(TS) });
  });
});
