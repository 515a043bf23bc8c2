import type { WebhookRequest } from '../../core/request';
import { twitchChallenge } from './twitch';

// The verification body of the twitch signature vector (shared/providers.md §11).
const BODY =
  '{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","status":"webhook_callback_verification_pending","type":"channel.follow","version":"2"}}';
const post = (type: string): WebhookRequest => ({
  method: 'POST',
  url: '/hooks/twitch',
  headers: { 'content-type': 'application/json', 'twitch-eventsub-message-type': type },
  query: {},
  rawBody: Buffer.from(BODY),
});
const context = { endpoint: 'twitch', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('twitchChallenge', () => {
  it('is signed and echoes the challenge as text', () => {
    const strategy = twitchChallenge();
    expect(strategy.signed).toBe(true);
    expect(strategy.detect(post('webhook_callback_verification'))).toBe(true);
    expect(strategy.respond(post('webhook_callback_verification'), context)).toEqual({
      status: 200,
      body: 'pogchamp-kappa-360noscope-vohiyo',
    });
  });

  it('leaves notifications and revocations to the delivery path', () => {
    expect(twitchChallenge().detect(post('notification'))).toBe(false);
    expect(twitchChallenge().detect(post('revocation'))).toBe(false);
  });
});
