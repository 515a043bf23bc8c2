import type { ChallengeContext } from '../../core/challenge-strategy';
import type { WebhookRequest } from '../../core/request';
import { adobeSignChallenge } from './adobe-sign';

const CLIENT_ID = 'CBJCHBCAABAAq0ZhQx7W8hNRk8aX9Ag5xDDvD5Sb';
const verification = (clientId: string): WebhookRequest => ({
  method: 'GET',
  url: '/hooks/adobe-sign',
  headers: { 'x-adobesign-clientid': clientId },
  query: {},
  rawBody: Buffer.alloc(0),
});
const context = (ids: string[] = []): ChallengeContext => ({
  endpoint: 'adobe-sign',
  secrets: [],
  namedSecrets: ids.length ? { 'client-id': ids.map((value, i) => ({ version: i + 1, value })) } : {},
  receivedAt: 0,
});

describe('adobeSignChallenge', () => {
  it('echoes the client id in the X-AdobeSign-ClientId header and the xAdobeSignClientId body', () => {
    const strategy = adobeSignChallenge();
    expect(strategy.secretNames).toBeUndefined();
    expect(strategy.detect(verification(CLIENT_ID))).toBe(true);
    expect(strategy.respond(verification(CLIENT_ID), context())).toEqual({
      status: 200,
      headers: { 'X-AdobeSign-ClientId': CLIENT_ID },
      body: { xAdobeSignClientId: CLIENT_ID },
    });
  });

  it('checks the client id against the client-id secret when asked to', () => {
    const strategy = adobeSignChallenge({ verifyClientId: true });
    expect(strategy.secretNames).toEqual(['client-id']);
    expect(strategy.respond(verification(CLIENT_ID), context([CLIENT_ID])).status).toBe(200);
    expect(() => strategy.respond(verification('CBJCHBCAABAAsomeoneelse'), context([CLIENT_ID]))).toThrow(
      expect.objectContaining({ code: 'challenge_verification_failed' }),
    );
    expect(() => strategy.respond(verification(CLIENT_ID), context())).toThrow(
      expect.objectContaining({ code: 'no_secret_configured' }),
    );
    expect(adobeSignChallenge({ verifyClientId: 'sign-app-id' }).secretNames).toEqual(['sign-app-id']);
  });

  it('leaves POST notifications to the delivery path', () => {
    expect(adobeSignChallenge().detect({ ...verification(CLIENT_ID), method: 'POST' })).toBe(false);
  });
});
