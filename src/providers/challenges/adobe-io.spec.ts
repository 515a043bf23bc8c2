import type { WebhookRequest } from '../../core/request';
import { adobeIoChallenge } from './adobe-io';

const get = (query: Record<string, string>): WebhookRequest => ({
  method: 'GET',
  url: '/hooks/adobe-io',
  headers: {},
  query,
  rawBody: Buffer.alloc(0),
});
const context = { endpoint: 'adobe-io', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('adobeIoChallenge', () => {
  it('answers {"challenge": …} as JSON', () => {
    const strategy = adobeIoChallenge();
    expect(strategy.detect(get({ challenge: '8ec8d794-e0ab-42df-9017-e3dada8e84f7' }))).toBe(true);
    expect(strategy.respond(get({ challenge: '8ec8d794-e0ab-42df-9017-e3dada8e84f7' }), context)).toEqual({
      status: 200,
      body: { challenge: '8ec8d794-e0ab-42df-9017-e3dada8e84f7' },
    });
  });

  it('refuses a GET without a challenge', () => {
    expect(() => adobeIoChallenge().respond(get({}), context)).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
  });
});
