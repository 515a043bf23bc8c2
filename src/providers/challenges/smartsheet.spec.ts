import type { WebhookRequest } from '../../core/request';
import { smartsheetChallenge } from './smartsheet';

// developers.smartsheet.com webhook verification: the header and the body carry the same value.
const verification: WebhookRequest = {
  method: 'POST',
  url: '/hooks/smartsheet',
  headers: { 'content-type': 'application/json', 'smartsheet-hook-challenge': 'd6c4d2a1-2e1f-4b5a-9d5c-0f3a2b1c4d5e' },
  query: {},
  rawBody: Buffer.from('{"challenge":"d6c4d2a1-2e1f-4b5a-9d5c-0f3a2b1c4d5e","webhookId":1234567890}'),
};
const context = { endpoint: 'smartsheet', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('smartsheetChallenge', () => {
  it('answers with the Smartsheet-Hook-Response header and the smartsheetHookResponse body', () => {
    const strategy = smartsheetChallenge();
    expect(strategy.detect(verification)).toBe(true);
    expect(strategy.respond(verification, context)).toEqual({
      status: 200,
      headers: { 'Smartsheet-Hook-Response': 'd6c4d2a1-2e1f-4b5a-9d5c-0f3a2b1c4d5e' },
      body: { smartsheetHookResponse: 'd6c4d2a1-2e1f-4b5a-9d5c-0f3a2b1c4d5e' },
    });
    expect(strategy.deliveredSecret?.(verification)).toBeUndefined();
  });

  it('leaves callbacks to the delivery path', () => {
    const callback = { ...verification, headers: { 'content-type': 'application/json' } };
    expect(smartsheetChallenge().detect(callback)).toBe(false);
  });
});
