import { createHmac } from 'node:crypto';
import { NOW, describeBodyHmacScheme, itAnswersTheChallenge, itSignsTheVector } from '../../test/support/provider-spec';

import { at, publishedVector, secret } from '../../test/support/scheme-testing';
import type { WebhookRequest } from '../core/request';
import { smartsheetProvider, smartsheetChallenge } from './smartsheet';

// SELF vector of shared/providers.md §8 (hex, per several independent implementations).
const VECTOR = publishedVector('smartsheet', 'signature');
const sign = (key: string, body: string | Buffer) => '' + createHmac('sha256', key).update(body).digest('hex');

describe('smartsheetProvider.scheme()', () => {
  const scheme = smartsheetProvider.scheme();
  const { request } = describeBodyHmacScheme({
    scheme,
    header: 'smartsheet-hmac-sha256',
    vector: VECTOR,
    keyInput: 'shared_secret',
    sign,
    misspelt: 'sha256=' + VECTOR.expected,
  });

  it('reports the body field nonce as the message id once the signature matched', () => {
    const body = JSON.stringify({ nonce: 'msg-1', events: [] });
    expect(scheme.verify(request(sign('new-key', body), body), [secret('new-key')], at(NOW)).messageId).toBe('msg-1');
    expect(
      scheme.verify(request(sign('new-key', 'not json'), 'not json'), [secret('new-key')], at(NOW)).messageId,
    ).toBeUndefined();
  });
});

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

describe('smartsheetProvider.scheme().sign()', () => {
  itSignsTheVector(smartsheetProvider.scheme(), VECTOR, 'shared_secret');
});

describe('smartsheetProvider.challengeRequest', () => {
  itAnswersTheChallenge(smartsheetProvider, smartsheetChallenge(), { status: 200, headers: new Headers(), text: '{}' });
});
