import { WebhookConfigurationError } from '../errors';
import type { WebhookRequest } from '../request';
import { StatusOnlyStrategy } from './status-only.strategy';

const request = (method: string, headers: WebhookRequest['headers'] = {}, body = ''): WebhookRequest => ({
  method,
  url: '/',
  headers,
  query: {},
  rawBody: Buffer.from(body),
});

describe('StatusOnlyStrategy', () => {
  it('answers a bare 200 to a HEAD', () => {
    const strategy = new StatusOnlyStrategy({ match: { method: 'HEAD' } });
    expect(strategy.kind).toBe('status-only');
    expect(strategy.detect(request('HEAD'))).toBe(true);
    expect(strategy.detect(request('POST'))).toBe(false);
    expect(strategy.respond()).toEqual({ status: 200 });
  });

  it('matches a form field (Slack ssl_check) and answers the configured status', () => {
    const strategy = new StatusOnlyStrategy({
      match: { method: 'POST', body: { ssl_check: '1' } },
      status: 204,
      signed: true,
    });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect(strategy.signed).toBe(true);
    expect(strategy.detect(request('POST', form, 'ssl_check=1&token=xyz'))).toBe(true);
    expect(strategy.detect(request('POST', form, 'ssl_check=0&token=xyz'))).toBe(false);
    expect(strategy.detect(request('POST', form, 'command=%2Fhello'))).toBe(false);
    expect(strategy.respond()).toEqual({ status: 204 });
  });

  it('accepts a function as matcher; one that throws detects nothing', () => {
    const strategy = new StatusOnlyStrategy({ match: (req) => req.url === '/' });
    expect(strategy.detect(request('GET'))).toBe(true);
    const broken = new StatusOnlyStrategy({
      match: () => {
        throw new Error('bug');
      },
    });
    expect(broken.detect(request('GET'))).toBe(false);
  });

  it('refuses a status outside 2xx at start-up', () => {
    const strategy = new StatusOnlyStrategy({ match: { method: 'HEAD' }, status: 404 });
    expect(() => strategy.validate('trello')).toThrow(WebhookConfigurationError);
    expect(() => strategy.validate('trello')).toThrow('Webhook endpoint "trello": StatusOnlyStrategy: status');
    expect(strategy.detect(request('HEAD'))).toBe(false);
    expect(() => strategy.respond()).toThrow(WebhookConfigurationError);
  });
});
