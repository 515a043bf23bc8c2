import type { WebhookRequest } from '../../core/request';
import { msGraphChallenge } from './ms-graph';

// The token as Microsoft Graph sends it (URL-decoded by the query parser).
const TOKEN =
  'Validation: Testing client application reachability for subscription Request-Id: 3b3f9821-ce3f-23d9-879b-00a23f3';
const validation = (query: Record<string, string>, method = 'POST'): WebhookRequest => ({
  method,
  url: '/hooks/graph',
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  query,
  rawBody: Buffer.alloc(0),
});
const context = { endpoint: 'graph', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('msGraphChallenge', () => {
  it('echoes the decoded validationToken as text, spaces included', () => {
    expect(msGraphChallenge().detect(validation({ validationToken: TOKEN }))).toBe(true);
    expect(msGraphChallenge().respond(validation({ validationToken: TOKEN }), context)).toEqual({
      status: 200,
      body: TOKEN,
    });
  });

  it('keys detection on the parameter, whatever the method', () => {
    expect(msGraphChallenge().detect(validation({ validationToken: TOKEN }, 'GET'))).toBe(true);
    expect(msGraphChallenge().detect(validation({}))).toBe(false);
  });

  it('still refuses markup, quotes and oversized tokens', () => {
    for (const token of ['<script>alert(1)</script>', 'a"b', 'x'.repeat(1025)]) {
      expect(() => msGraphChallenge().respond(validation({ validationToken: token }), context)).toThrow(
        expect.objectContaining({ code: 'invalid_challenge' }),
      );
    }
  });

  it('keeps the printable pattern when only the length is overridden', () => {
    const strategy = msGraphChallenge({ tokenSafety: { maxLength: 2000 } });
    expect(strategy.respond(validation({ validationToken: TOKEN + 'x'.repeat(1500) }), context).status).toBe(200);
  });
});
