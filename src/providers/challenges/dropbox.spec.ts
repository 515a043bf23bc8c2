import type { WebhookRequest } from '../../core/request';
import { dropboxChallenge } from './dropbox';

// dropbox.com/developers/reference/webhooks: GET <uri>?challenge=abc123
const get = (query: Record<string, unknown>): WebhookRequest => ({
  method: 'GET',
  url: '/hooks/dropbox',
  headers: {},
  query,
  rawBody: Buffer.alloc(0),
});
const context = { endpoint: 'dropbox', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('dropboxChallenge', () => {
  it('echoes the challenge as text', () => {
    expect(dropboxChallenge().detect(get({ challenge: 'abc123' }))).toBe(true);
    expect(dropboxChallenge().respond(get({ challenge: 'abc123' }), context)).toEqual({ status: 200, body: 'abc123' });
  });

  it('refuses reflected markup, an oversized challenge and one sent twice', () => {
    for (const challenge of ['<script>alert(1)</script>', 'x'.repeat(257), ['a', 'b']]) {
      expect(() => dropboxChallenge().respond(get({ challenge }), context)).toThrow(
        expect.objectContaining({ code: 'invalid_challenge' }),
      );
    }
  });

  it('leaves POST notifications to the delivery path', () => {
    expect(dropboxChallenge().detect({ ...get({}), method: 'POST' })).toBe(false);
  });
});
