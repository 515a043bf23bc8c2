import type { WebhookRequest } from '../../core/request';
import { metaChallenge } from './meta';

const get = (query: Record<string, string>): WebhookRequest => ({
  method: 'GET',
  url: '/hooks/meta?' + new URLSearchParams(query).toString(),
  headers: {},
  query,
  rawBody: Buffer.alloc(0),
});
const context = (tokens: string[] = ['meatyhamhock']) => ({
  endpoint: 'meta',
  secrets: [],
  namedSecrets: { 'verify-token': tokens.map((value, i) => ({ version: tokens.length - i, value })) },
  receivedAt: 0,
});

// developers.facebook.com/docs/graph-api/webhooks/getting-started
const DOCUMENTED = { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'meatyhamhock' };

describe('metaChallenge', () => {
  it('reads the verify-token named secret and is not signed', () => {
    expect(metaChallenge().secretNames).toEqual(['verify-token']);
    expect(metaChallenge({ secretName: 'wa-verify-token' }).secretNames).toEqual(['wa-verify-token']);
    expect(metaChallenge().signed).toBe(false);
  });

  it('echoes hub.challenge as text when the verify token matches', () => {
    const strategy = metaChallenge();
    expect(strategy.detect(get(DOCUMENTED))).toBe(true);
    expect(strategy.respond(get(DOCUMENTED), context())).toEqual({ status: 200, body: '1158201444' });
  });

  it('accepts a previous verify token during a rotation', () => {
    expect(metaChallenge().respond(get(DOCUMENTED), context(['new-token', 'meatyhamhock'])).body).toBe('1158201444');
  });

  it('refuses a wrong verify token', () => {
    const wrong = get({ ...DOCUMENTED, 'hub.verify_token': 'meatyhamhockx' });
    expect(() => metaChallenge().respond(wrong, context())).toThrow(
      expect.objectContaining({ code: 'challenge_verification_failed' }),
    );
  });

  it('detects only hub.mode=subscribe on GET', () => {
    expect(metaChallenge().detect(get({ ...DOCUMENTED, 'hub.mode': 'unsubscribe' }))).toBe(false);
    expect(metaChallenge().detect({ ...get(DOCUMENTED), method: 'POST' })).toBe(false);
  });
});
