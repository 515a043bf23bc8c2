import type { WebhookRequest } from '../../core/request';
import { slackChallenge } from './slack';

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
