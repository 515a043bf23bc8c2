import type { WebhookRequest } from '../../core/request';
import { oktaChallenge } from './okta';

// support.okta.com "Unable to verify event hook"
const verification = (headers: WebhookRequest['headers'], method = 'GET'): WebhookRequest => ({
  method,
  url: '/hooks/okta',
  headers: { accept: 'application/json', authorization: 'my-shared-secret', ...headers },
  query: {},
  rawBody: Buffer.alloc(0),
});
const context = { endpoint: 'okta', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('oktaChallenge', () => {
  it('answers the documented example', () => {
    const req = verification({ 'x-okta-verification-challenge': 'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg' });
    expect(oktaChallenge().detect(req)).toBe(true);
    expect(oktaChallenge().respond(req, context)).toEqual({
      status: 200,
      body: { verification: 'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg' },
    });
  });

  it('can require the endpoint schemes (the authorization header) first', () => {
    expect(oktaChallenge().signed).toBe(false);
    expect(oktaChallenge({ signed: true }).signed).toBe(true);
  });

  it('refuses a GET without the header, and leaves POST events alone', () => {
    expect(() => oktaChallenge().respond(verification({}), context)).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
    expect(oktaChallenge().detect(verification({}, 'POST'))).toBe(false);
  });
});
