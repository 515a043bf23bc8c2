import { WebhookConfigurationError } from '../core/errors';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import type { WebhookRequest } from '../core/request';
import { strava, stravaChallenge, stravaProvider } from './strava';

// The scheme the preset builds (the catalogue entry's scheme() takes no subscription id).
const stravaScheme = (options: { subscriptionId?: number } = {}) =>
  strava({ subscriptionId: options.subscriptionId }).schemes[0];

// Strava signs nothing: the callback URL carries the endpoint's secret as a query parameter.
const NOW = 1_700_000_000;
const event = JSON.stringify({
  aspect_type: 'create',
  object_id: 1360128428,
  subscription_id: 120475,
  owner_id: 134815,
});
const request = (url: string, body = event) =>
  webhookRequest({ url, headers: { 'content-type': 'application/json' }, body });

describe('strava scheme', () => {
  const scheme = stravaScheme({ subscriptionId: 120475 });
  const secrets = [secret('old-url-token', 1), secret('new-url-token', 2)];

  it('accepts an event whose callback URL carries a live token, reporting its version', () => {
    expect(scheme.verify(request('/hooks/strava?token=new-url-token'), secrets, at(NOW))).toEqual({
      secretVersion: 2,
      messageId: undefined,
    });
    expect(scheme.verify(request('/hooks/strava?token=old-url-token'), secrets, at(NOW)).secretVersion).toBe(1);
  });

  it('fails closed: no token, a wrong one, or no secret configured', () => {
    expect(refusal(() => scheme.verify(request('/hooks/strava'), secrets, at(NOW)))).toBe('bad_credentials');
    expect(refusal(() => scheme.verify(request('/hooks/strava?token=guess'), secrets, at(NOW)))).toBe(
      'bad_credentials',
    );
    expect(refusal(() => scheme.verify(request('/hooks/strava?token=new-url-token'), [], at(NOW)))).toBe(
      'no_secret_configured',
    );
    const repeated = webhookRequest({ url: '/x', query: { token: ['new-url-token', 'new-url-token'] }, body: event });
    expect(refusal(() => scheme.verify(repeated, secrets, at(NOW)))).toBe('bad_credentials');
  });

  it('refuses an event of another subscription when the subscription id is configured', () => {
    const other = event.replace('120475', '999');
    expect(refusal(() => scheme.verify(request('/hooks/strava?token=new-url-token', other), secrets, at(NOW)))).toBe(
      'no_matching_signature',
    );
    expect(stravaScheme().verify(request('/h?token=new-url-token', other), secrets, at(NOW)).secretVersion).toBe(2);
    const challenge = webhookRequest({ method: 'GET', url: '/h?hub.mode=subscribe&token=new-url-token' });
    expect(scheme.verify(challenge, secrets, at(NOW)).secretVersion).toBe(2);
  });

  it('validates its options', () => {
    expect(() => stravaScheme({ subscriptionId: 1.5 })).toThrow(WebhookConfigurationError);
  });
});

// The challenge.
// developers.strava.com/docs/webhooks
const DOCUMENTED = { 'hub.mode': 'subscribe', 'hub.challenge': '15f7d1a91c1f40', 'hub.verify_token': 'STRAVA' };
const get = (query: Record<string, string>): WebhookRequest => ({
  method: 'GET',
  url: '/hooks/strava',
  headers: {},
  query,
  rawBody: Buffer.alloc(0),
});
const context = {
  endpoint: 'strava',
  secrets: [],
  namedSecrets: { 'verify-token': [{ version: 1, value: 'STRAVA' }] },
  receivedAt: 0,
};

describe('stravaChallenge', () => {
  it('answers {"hub.challenge": …} as JSON when the verify token matches', () => {
    const strategy = stravaChallenge();
    expect(strategy.secretNames).toEqual(['verify-token']);
    expect(strategy.detect(get(DOCUMENTED))).toBe(true);
    expect(strategy.respond(get(DOCUMENTED), context)).toEqual({
      status: 200,
      body: { 'hub.challenge': '15f7d1a91c1f40' },
    });
  });

  it('refuses a wrong verify token', () => {
    expect(() => stravaChallenge().respond(get({ ...DOCUMENTED, 'hub.verify_token': 'strava' }), context)).toThrow(
      expect.objectContaining({ code: 'challenge_verification_failed' }),
    );
  });
});

describe('strava scheme sign() and catalogue entry', () => {
  it('sends the token in the query parameter the preset reads, and verify() accepts it', () => {
    const scheme = stravaProvider.scheme();
    const signed = scheme.sign({
      body: Buffer.from(event),
      key: 'new-url-token',
      timestamp: NOW,
      id: 'unused',
      contentType: 'application/json',
    });
    expect(signed).toEqual({ headers: {}, query: { token: 'new-url-token' } });
    const url = `/hooks/strava?${new URLSearchParams(signed.query).toString()}`;
    expect(scheme.verify(request(url), [secret('new-url-token', 4)], at(NOW)).secretVersion).toBe(4);
  });

  it('reads a custom token parameter when the preset is given one', () => {
    const [scheme] = strava({ tokenParameter: 'key' }).schemes;
    expect(scheme.verify(request('/h?key=new-url-token'), [secret('new-url-token')], at(NOW)).secretVersion).toBe(1);
    expect(refusal(() => scheme.verify(request('/h?token=new-url-token'), [secret('new-url-token')], at(NOW)))).toBe(
      'bad_credentials',
    );
  });

  it('probes with the documented subscription check and judges the JSON answer', () => {
    const probe = stravaProvider.challengeRequest!({ url: 'https://hooks.example.com/strava', verifyToken: 'STRAVA' });
    expect(probe.method).toBe('GET');
    const answer = stravaChallenge().respond(get(probe.query!), context);
    expect(answer.status).toBe(200);
    const text = JSON.stringify(answer.body);
    expect(probe.check({ status: 200, headers: new Headers(), text })).toBeUndefined();
    expect(probe.check({ status: 200, headers: new Headers(), text: '{"hub.challenge":"other"}' })).toEqual(
      expect.any(String),
    );
  });

  it("makes sample events in Strava's shape", () => {
    const sample = JSON.parse(stravaProvider.sampleEvent().body) as Record<string, unknown>;
    expect(sample).toMatchObject({ aspect_type: 'create', object_type: 'activity' });
  });
});
