import type { WebhookRequest } from '../../core/request';
import { trelloChallenge } from './trello';

const req = (method: string): WebhookRequest => ({
  method,
  url: '/hooks/trello',
  headers: {},
  query: {},
  rawBody: Buffer.alloc(0),
});

describe('trelloChallenge', () => {
  it('answers HEAD with a bare 200', () => {
    const strategy = trelloChallenge();
    expect(strategy.kind).toBe('status-only');
    expect(strategy.signed).toBe(false);
    expect(strategy.detect(req('HEAD'))).toBe(true);
    expect(strategy.respond(req('HEAD'), { endpoint: 'trello', secrets: [], namedSecrets: {}, receivedAt: 0 })).toEqual(
      {
        status: 200,
      },
    );
  });

  it('leaves POST deliveries to the delivery path', () => {
    expect(trelloChallenge().detect(req('POST'))).toBe(false);
  });
});
