import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { ChallengeContext } from '../challenge-strategy';
import { WebhookConfigurationError } from '../errors';
import type { WebhookRequest } from '../request';
import { TokenEchoStrategy } from './token-echo.strategy';

const request = (init: Partial<WebhookRequest> & { body?: string } = {}): WebhookRequest => ({
  method: init.method ?? 'GET',
  url: init.url ?? '/',
  headers: init.headers ?? {},
  query: init.query ?? {},
  rawBody: Buffer.from(init.body ?? ''),
});

const context = (namedSecrets: ChallengeContext['namedSecrets'] = {}): ChallengeContext => ({
  endpoint: 'test',
  secrets: [],
  namedSecrets,
  receivedAt: 0,
});

const META_QUERY = { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'meatyhamhock' };

describe('TokenEchoStrategy', () => {
  it('echoes a query token as text', () => {
    const strategy = new TokenEchoStrategy({ match: { method: 'GET' }, token: { from: 'query', name: 'challenge' } });
    const req = request({ query: { challenge: 'abc123' } });
    expect(strategy.kind).toBe('token-echo');
    expect(strategy.signed).toBe(false);
    expect(strategy.detect(req)).toBe(true);
    expect(strategy.respond(req, context())).toEqual({ status: 200, body: 'abc123' });
    expect(strategy.detect(request({ method: 'POST', query: { challenge: 'abc123' } }))).toBe(false);
  });

  it('echoes a JSON body field as JSON under the configured name', () => {
    const strategy = new TokenEchoStrategy({
      match: { method: 'POST', body: { type: 'url_verification' } },
      token: { from: 'body', name: 'challenge' },
      respondWith: { json: 'challenge' },
      signed: true,
    });
    const req = request({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}',
    });
    expect(strategy.signed).toBe(true);
    expect(strategy.detect(req)).toBe(true);
    expect(strategy.respond(req, context())).toEqual({
      status: 200,
      body: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' },
    });
  });

  it('echoes a form field and a header', () => {
    const form = new TokenEchoStrategy({ match: { method: 'POST' }, token: { from: 'body', name: 'challenge' } });
    const formReq = request({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'challenge=a%2Bb&x=1',
    });
    expect(form.respond(formReq, context())).toEqual({ status: 200, body: 'a+b' });

    const header = new TokenEchoStrategy({
      match: { method: 'GET' },
      token: { from: 'header', name: 'X-Okta-Verification-Challenge' },
      respondWith: { json: 'verification' },
      status: 201,
    });
    const headerReq = request({
      headers: { 'x-okta-verification-challenge': 'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg' },
    });
    expect(header.respond(headerReq, context())).toEqual({
      status: 201,
      body: { verification: 'Me_rShK8JHsTnbyYrWXCEoMGbM_zsZ6k0hLPZ_Pg' },
    });
  });

  describe('with a verify token', () => {
    const strategy = new TokenEchoStrategy({
      match: { method: 'GET', query: { 'hub.mode': 'subscribe' } },
      token: { from: 'query', name: 'hub.challenge' },
      verifyToken: { field: { from: 'query', name: 'hub.verify_token' } },
    });
    const secrets = { 'verify-token': [{ version: 1, value: 'meatyhamhock' }] };

    it('declares the named secret it reads', () => {
      expect(strategy.secretNames).toEqual(['verify-token']);
    });

    it('answers when the token matches', () => {
      expect(strategy.respond(request({ query: META_QUERY }), context(secrets))).toEqual({
        status: 200,
        body: '1158201444',
      });
    });

    it('refuses a wrong or missing verify token with challenge_verification_failed', () => {
      for (const token of ['wrong', 'meatyhamhoc', 'meatyhamhockk', undefined]) {
        const query = { ...META_QUERY, 'hub.verify_token': token };
        expect(() => strategy.respond(request({ query }), context(secrets))).toThrow(
          expect.objectContaining({ code: 'challenge_verification_failed' }),
        );
      }
    });

    it('checks the verify token before the echoed token', () => {
      const query = { ...META_QUERY, 'hub.challenge': '<script>', 'hub.verify_token': 'wrong' };
      expect(() => strategy.respond(request({ query }), context(secrets))).toThrow(
        expect.objectContaining({ code: 'challenge_verification_failed' }),
      );
    });

    it('fails closed without a configured verify token', () => {
      expect(() => strategy.respond(request({ query: META_QUERY }), context())).toThrow(
        expect.objectContaining({ code: 'no_secret_configured' }),
      );
    });
  });

  it.each([
    ['missing', undefined],
    ['oversized', 'a'.repeat(257)],
    ['markup', '<b>hi</b>'],
    ['CRLF', 'a\r\nb'],
    ['binary', '\u0000\u0007'],
  ])('refuses a %s token with invalid_challenge', (_name, token) => {
    const strategy = new TokenEchoStrategy({ match: { method: 'GET' }, token: { from: 'query', name: 'challenge' } });
    const req = request({ query: token === undefined ? {} : { challenge: token } });
    expect(strategy.detect(req)).toBe(true);
    expect(() => strategy.respond(req, context())).toThrow(expect.objectContaining({ code: 'invalid_challenge' }));
  });

  it('honours a configured token bound', () => {
    const strategy = new TokenEchoStrategy({
      match: { method: 'GET' },
      token: { from: 'query', name: 'challenge' },
      tokenSafety: { maxLength: 4, pattern: /[0-9]+/ },
    });
    expect(strategy.respond(request({ query: { challenge: '1234' } }), context()).body).toBe('1234');
    expect(() => strategy.respond(request({ query: { challenge: '12345' } }), context())).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
  });

  it.each([
    [{ match: { method: 'GET' }, token: { from: 'cookie', name: 'x' } }, 'token.from'],
    [{ match: { method: 'GET' }, token: { from: 'query', name: '' } }, 'token.name'],
    [{ match: { method: 'GET' }, token: { from: 'query', name: 'c' }, status: 302 }, 'status'],
    [{ match: { method: 'GET' }, token: { from: 'query', name: 'c' }, respondWith: { json: '' } }, 'respondWith.json'],
    [{ match: { method: 'GET' }, token: { from: 'query', name: 'c' }, tokenSafety: { maxLength: 0 } }, 'maxLength'],
    [{ match: { headers: { 'bad header': true } }, token: { from: 'query', name: 'c' } }, 'match.headers'],
  ])('refuses bad options at start-up, naming the endpoint (%#)', (options, field) => {
    const strategy = new TokenEchoStrategy(options as never);
    expect(() => strategy.validate('meta')).toThrow(WebhookConfigurationError);
    expect(() => strategy.validate('meta')).toThrow(/Webhook endpoint "meta": TokenEchoStrategy: /);
    expect(() => strategy.validate('meta')).toThrow(field);
    expect(strategy.detect(request({ query: { c: 'x' } }))).toBe(false);
  });

  it('can be subclassed as an injectable provider', async () => {
    @Injectable()
    class ChallengeName {
      readonly name = 'challenge';
    }
    @Injectable()
    class DropboxLike extends TokenEchoStrategy {
      constructor(names: ChallengeName) {
        super({ match: { method: 'GET' }, token: { from: 'query', name: names.name } });
      }
    }
    const moduleRef = await Test.createTestingModule({ providers: [ChallengeName, DropboxLike] }).compile();
    const strategy = moduleRef.get(DropboxLike);
    expect(strategy.respond(request({ query: { challenge: 'abc' } }), context())).toEqual({ status: 200, body: 'abc' });
  });
});
