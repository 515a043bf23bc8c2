import type { WebhookRequest } from '../../core/request';
import { stravaChallenge } from './strava';

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
