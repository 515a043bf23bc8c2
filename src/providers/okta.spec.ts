import { WebhookConfigurationError } from '../core/errors';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import type { WebhookRequest } from '../core/request';
import { okta, oktaChallenge, oktaProvider } from './okta';

// Okta Event Hooks send the configured authorization header value as is (shared/providers.md §10).
const NOW = 1_700_000_000;
const body = JSON.stringify({ eventType: 'com.okta.event_hook', eventId: 'b5a188b9-5ece-4636-b041-482ffda96311' });
const request = (authorization?: string | string[]) => webhookRequest({ headers: { authorization }, body });

describe('okta scheme', () => {
  const scheme = oktaProvider.scheme();
  const secrets = [secret('my-shared-secret', 1), secret('my-next-secret', 2)];

  it('accepts the configured header value, reporting the version and the eventId', () => {
    expect(scheme.verify(request('my-shared-secret'), secrets, at(NOW))).toEqual({
      secretVersion: 1,
      messageId: 'b5a188b9-5ece-4636-b041-482ffda96311',
    });
    expect(scheme.verify(request('my-next-secret'), secrets, at(NOW)).secretVersion).toBe(2);
  });

  it('refuses a missing, wrong, prefixed or repeated header with bad_credentials', () => {
    for (const value of [
      undefined,
      '',
      'my-shared-secreT',
      'my-shared-secret ',
      'Basic my-shared-secret',
      ['my-shared-secret', 'x'],
    ]) {
      expect(refusal(() => scheme.verify(request(value), secrets, at(NOW)))).toBe('bad_credentials');
    }
    expect(refusal(() => scheme.verify(request('my-shared-secret'), [], at(NOW)))).toBe('no_secret_configured');
  });

  it('reads a custom header when the hook is configured with one', () => {
    const [custom] = okta({ header: 'X-Okta-Hook-Key' }).schemes;
    const req = webhookRequest({ headers: { 'x-okta-hook-key': 'my-next-secret' }, body });
    expect(custom.verify(req, secrets, at(NOW)).secretVersion).toBe(2);
  });

  it('refuses an empty secret at start-up', () => {
    expect(() => scheme.validateSecret?.('')).toThrow(WebhookConfigurationError);
  });
});

// The challenge.
// support.okta.com "Unable to verify event hook"
const verification = (headers: WebhookRequest['headers'], method = 'GET'): WebhookRequest => ({
  method,
  url: '/hooks/okta',
  headers: { accept: 'application/json', authorization: 'my-shared-secret', ...headers },
  query: {},
  rawBody: Buffer.alloc(0),
});
const challengeContext = { endpoint: 'okta', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('oktaChallenge', () => {
  it('answers the documented example', () => {
    const req = verification({ 'x-okta-verification-challenge': 'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg' });
    expect(oktaChallenge().detect(req)).toBe(true);
    expect(oktaChallenge().respond(req, challengeContext)).toEqual({
      status: 200,
      body: { verification: 'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg' },
    });
  });

  it('can require the endpoint schemes (the authorization header) first', () => {
    expect(oktaChallenge().signed).toBe(false);
    expect(oktaChallenge({ signed: true }).signed).toBe(true);
  });

  it('refuses a GET without the header, and leaves POST events alone', () => {
    expect(() => oktaChallenge().respond(verification({}), challengeContext)).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
    expect(oktaChallenge().detect(verification({}, 'POST'))).toBe(false);
  });
});

describe('okta scheme sign() and catalogue entry', () => {
  it('sends the secret as the authorization header, and verify() accepts it with the eventId', () => {
    const scheme = oktaProvider.scheme();
    const signed = scheme.sign({
      body: Buffer.from(body),
      key: 'my-next-secret',
      timestamp: NOW,
      id: 'unused',
      contentType: 'application/json',
    });
    expect(signed).toEqual({ headers: { authorization: 'my-next-secret' } });
    expect(
      scheme.verify(webhookRequest({ headers: signed.headers, body }), [secret('my-next-secret', 2)], at(NOW)),
    ).toEqual({
      secretVersion: 2,
      messageId: 'b5a188b9-5ece-4636-b041-482ffda96311',
    });
  });

  it('probes with the one-time verification carrying the secret, and judges the JSON answer', () => {
    const probe = oktaProvider.challengeRequest!({ url: 'https://hooks.example.com/okta', secret: 'my-shared-secret' });
    expect(probe.headers['authorization']).toBe('my-shared-secret');
    const answer = oktaChallenge().respond(verification(probe.headers), challengeContext);
    const text = JSON.stringify(answer.body);
    expect(probe.check({ status: 200, headers: new Headers(), text })).toBeUndefined();
    expect(probe.check({ status: 500, headers: new Headers(), text })).toEqual(expect.any(String));
  });

  it('makes sample events with a fresh eventId', () => {
    const [a, b] = [oktaProvider.sampleEvent(), oktaProvider.sampleEvent()];
    expect(JSON.parse(a.body).eventId).not.toBe(JSON.parse(b.body).eventId);
  });
});
