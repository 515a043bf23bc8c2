import type { ChallengeContext } from '../challenge-strategy';
import { WebhookConfigurationError } from '../errors';
import type { WebhookRequest } from '../request';
import { HeaderCodeStrategy } from './header-code.strategy';

const request = (headers: WebhookRequest['headers'], method = 'POST'): WebhookRequest => ({
  method,
  url: '/',
  headers,
  query: {},
  rawBody: Buffer.from('{}'),
});

const context = (namedSecrets: ChallengeContext['namedSecrets'] = {}): ChallengeContext => ({
  endpoint: 'test',
  secrets: [],
  namedSecrets,
  receivedAt: 0,
});

const ASANA_SECRET = 'b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81';

describe('HeaderCodeStrategy', () => {
  it('copies the request header into the response header of the same name', () => {
    const strategy = new HeaderCodeStrategy({ requestHeader: 'X-Hook-Secret' });
    const req = request({ 'x-hook-secret': ASANA_SECRET });
    expect(strategy.kind).toBe('header-code');
    expect(strategy.detect(req)).toBe(true);
    expect(strategy.detect(request({}))).toBe(false);
    expect(strategy.respond(req, context())).toEqual({ status: 200, headers: { 'X-Hook-Secret': ASANA_SECRET } });
  });

  it('answers under another header name and in a JSON body too', () => {
    const strategy = new HeaderCodeStrategy({
      requestHeader: 'Smartsheet-Hook-Challenge',
      responseHeader: 'Smartsheet-Hook-Response',
      jsonField: 'smartsheetHookResponse',
    });
    expect(strategy.respond(request({ 'smartsheet-hook-challenge': 'd6c4d2a1' }), context())).toEqual({
      status: 200,
      headers: { 'Smartsheet-Hook-Response': 'd6c4d2a1' },
      body: { smartsheetHookResponse: 'd6c4d2a1' },
    });
  });

  it('answers a derived value, bounded like the code', () => {
    const strategy = new HeaderCodeStrategy({ requestHeader: 'X-Code', derive: (code) => code.toUpperCase() });
    expect(strategy.respond(request({ 'x-code': 'abc' }), context()).headers).toEqual({ 'X-Code': 'ABC' });
    const unsafe = new HeaderCodeStrategy({ requestHeader: 'X-Code', derive: (code) => `${code}\r\nX-Injected: 1` });
    expect(() => unsafe.respond(request({ 'x-code': 'abc' }), context())).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
  });

  it('hands over the code as a delivered secret only when asked to, and only a safe one', () => {
    const asana = new HeaderCodeStrategy({ requestHeader: 'X-Hook-Secret', deliversSecret: true });
    expect(asana.deliveredSecret(request({ 'x-hook-secret': ASANA_SECRET }))).toBe(ASANA_SECRET);
    expect(asana.deliveredSecret(request({ 'x-hook-secret': 'a b<c>' }))).toBeUndefined();
    expect(asana.deliveredSecret(request({}))).toBeUndefined();
    const plain = new HeaderCodeStrategy({ requestHeader: 'X-Hook-Secret' });
    expect(plain.deliveredSecret(request({ 'x-hook-secret': ASANA_SECRET }))).toBeUndefined();
  });

  it.each([
    ['oversized', 'a'.repeat(300)],
    ['markup', '<svg/onload=alert(1)>'],
    ['a quote', 'abc"def'],
    ['binary', '\u0001\u0002'],
    ['sent twice', ['abc', 'def']],
  ])('refuses a %s code with invalid_challenge', (_name, value) => {
    const strategy = new HeaderCodeStrategy({ requestHeader: 'X-Hook-Secret', match: { method: 'POST' } });
    expect(() => strategy.respond(request({ 'x-hook-secret': value }), context())).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
  });

  describe('checked against a named secret (Adobe Sign client id)', () => {
    const strategy = new HeaderCodeStrategy({
      requestHeader: 'X-AdobeSign-ClientId',
      jsonField: 'xAdobeSignClientId',
      expectSecret: 'client-id',
    });
    const secrets = { 'client-id': [{ version: 1, value: 'CBJCHBCAABAAq0Zh' }] };

    it('declares the secret and answers a matching id', () => {
      expect(strategy.secretNames).toEqual(['client-id']);
      expect(
        strategy.respond(request({ 'x-adobesign-clientid': 'CBJCHBCAABAAq0Zh' }, 'GET'), context(secrets)),
      ).toEqual({
        status: 200,
        headers: { 'X-AdobeSign-ClientId': 'CBJCHBCAABAAq0Zh' },
        body: { xAdobeSignClientId: 'CBJCHBCAABAAq0Zh' },
      });
    });

    it('refuses another id, and fails closed with no id configured', () => {
      expect(() => strategy.respond(request({ 'x-adobesign-clientid': 'OTHER' }, 'GET'), context(secrets))).toThrow(
        expect.objectContaining({ code: 'challenge_verification_failed' }),
      );
      expect(() => strategy.respond(request({ 'x-adobesign-clientid': 'CBJCHBCAABAAq0Zh' }, 'GET'), context())).toThrow(
        expect.objectContaining({ code: 'no_secret_configured' }),
      );
    });
  });

  it.each([
    [{ requestHeader: 'not a header' }, 'requestHeader'],
    [{ requestHeader: 'X-A', responseHeader: 'X:B' }, 'responseHeader'],
    [{ requestHeader: 'X-A', status: 500 }, 'status'],
    [{ requestHeader: 'X-A', jsonField: '' }, 'jsonField'],
  ])('refuses bad options at start-up (%#)', (options, field) => {
    const strategy = new HeaderCodeStrategy(options as never);
    expect(() => strategy.validate('asana')).toThrow(WebhookConfigurationError);
    expect(() => strategy.validate('asana')).toThrow(new RegExp(`"asana".*${field}`));
  });
});
