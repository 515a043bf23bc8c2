import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { front, frontProvider } from './front';

// Front application webhooks: the timestamp is in milliseconds (dev.frontapp.com/docs/
// application-webhooks; the research had the unit in doubt), and saving a webhook sends a signed
// `sync` event with X-Front-Challenge, echoed back.
const NOW = 1_700_000_000;
const KEY = 'front-app-secret';
const body = '{"type":"sync","authorization":{"id":"cmp_1"}}';
const signed = (timestamp: string, extra: Record<string, string> = {}) =>
  webhookRequest({
    method: 'POST',
    headers: {
      'x-front-signature': createHmac('sha256', KEY).update(`${timestamp}:${body}`).digest('base64'),
      'x-front-request-timestamp': timestamp,
      ...extra,
    },
    body,
  });

describe('front', () => {
  const scheme = frontProvider.scheme();

  it('reads the timestamp in milliseconds: a value in seconds reads as 1970 and is refused', () => {
    expect(() => scheme.verify(signed(`${NOW}000`), [secret(KEY)], at(NOW))).not.toThrow();
    expect(refusal(() => scheme.verify(signed(String(NOW)), [secret(KEY)], at(NOW)))).toBe('timestamp_too_old');
  });

  it('echoes X-Front-Challenge as the body, and only once the endpoint schemes have checked it', () => {
    const challenge = front({ secret: KEY }).challenge!;
    const request = signed(`${NOW}000`, { 'x-front-challenge': 'a1b2c3d4e5' });
    expect(challenge.signed).toBe(true);
    expect(challenge.detect(request)).toBe(true);
    const context = { endpoint: 'front', secrets: [secret(KEY)], namedSecrets: {}, receivedAt: NOW * 1000 };
    expect(challenge.respond(request, context)).toEqual({ status: 200, body: 'a1b2c3d4e5' });
    expect(challenge.detect(signed(`${NOW}000`))).toBe(false);
  });
});
