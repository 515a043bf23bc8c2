import { WebhookConfigurationError } from '../errors';
import { at, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { StravaScheme } from './strava.scheme';

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

describe('StravaScheme', () => {
  const scheme = new StravaScheme({ subscriptionId: 120475 });
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
    expect(new StravaScheme().verify(request('/h?token=new-url-token', other), secrets, at(NOW)).secretVersion).toBe(2);
    const challenge = webhookRequest({ method: 'GET', url: '/h?hub.mode=subscribe&token=new-url-token' });
    expect(scheme.verify(challenge, secrets, at(NOW)).secretVersion).toBe(2);
  });

  it('validates its options', () => {
    expect(() => new StravaScheme({ subscriptionId: 1.5 })).toThrow(WebhookConfigurationError);
  });
});
