import { WebhookConfigurationError } from '../errors';
import { at, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { OktaScheme } from './okta.scheme';

// Okta Event Hooks send the configured authorization header value as is (shared/providers.md §10).
const NOW = 1_700_000_000;
const body = JSON.stringify({ eventType: 'com.okta.event_hook', eventId: 'b5a188b9-5ece-4636-b041-482ffda96311' });
const request = (authorization?: string | string[]) => webhookRequest({ headers: { authorization }, body });

describe('OktaScheme', () => {
  const scheme = new OktaScheme();
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
    const custom = new OktaScheme({ header: 'X-Okta-Hook-Key' });
    const req = webhookRequest({ headers: { 'x-okta-hook-key': 'my-next-secret' }, body });
    expect(custom.verify(req, secrets, at(NOW)).secretVersion).toBe(2);
  });

  it('refuses an empty secret at start-up', () => {
    expect(() => scheme.validateSecret?.('')).toThrow(WebhookConfigurationError);
  });
});
