import fc from 'fast-check';
import { WebhookVerificationError } from '../errors';
import type { WebhookRequest } from '../request';
import {
  assertMatchesSecret,
  matchesRequest,
  readBody,
  readField,
  readFormBody,
  readJsonBody,
  runMatcher,
} from './challenge-request';

const request = (init: Partial<WebhookRequest> & { body?: string | Buffer } = {}): WebhookRequest => ({
  method: init.method ?? 'POST',
  url: init.url ?? '/',
  headers: init.headers ?? {},
  query: init.query ?? {},
  rawBody: init.rawBody ?? Buffer.from(init.body ?? ''),
});

describe('challenge request helpers', () => {
  describe('body readers', () => {
    it('reads JSON by content type, including +json and a charset', () => {
      for (const type of ['application/json', 'application/json; charset=utf-8', 'application/vnd.api+json']) {
        expect(readJsonBody(request({ headers: { 'content-type': type }, body: '{"a":1}' }))).toEqual({ a: 1 });
      }
    });

    it('reads JSON without a content type, but not under another one', () => {
      expect(readJsonBody(request({ body: '{"a":"b"}' }))).toEqual({ a: 'b' });
      expect(readJsonBody(request({ headers: { 'content-type': 'text/plain' }, body: '{"a":"b"}' }))).toBeUndefined();
    });

    it('gives undefined for invalid JSON and an empty body', () => {
      expect(readJsonBody(request({ headers: { 'content-type': 'application/json' }, body: '{"a":' }))).toBeUndefined();
      expect(readJsonBody(request({ headers: { 'content-type': 'application/json' } }))).toBeUndefined();
    });

    it('reads a form; a repeated field is a list; __proto__ is a plain field', () => {
      const form = readFormBody(
        request({
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'ssl_check=1&token=a%2Bb&x=1&x=2&__proto__=p',
        }),
      );
      expect({ ...form }).toEqual({ ssl_check: '1', token: 'a+b', x: ['1', '2'], ['__proto__']: 'p' });
      expect(Object.getPrototypeOf(form)).toBeNull();
      expect(Object.prototype.hasOwnProperty.call(form, '__proto__')).toBe(true);
      expect(readFormBody(request({ headers: { 'content-type': 'application/json' }, body: 'a=1' }))).toBeUndefined();
    });

    it('picks the reader by content type and parses once per request', () => {
      const form = request({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'type=x' });
      expect({ ...(readBody(form) as object) }).toEqual({ type: 'x' });
      expect(readBody(form)).toBe(readBody(form));
      expect(readBody(request({ headers: { 'content-type': 'text/plain' }, body: 'type=x' }))).toBeUndefined();
    });
  });

  describe('readField', () => {
    const req = request({
      headers: { 'content-type': 'application/json', 'x-one': 'v', 'x-two': ['a', 'b'] },
      query: { crc_token: 'abc', list: ['a', 'b'], nested: { a: 'b' } },
      body: '{"challenge":"c1","payload":{"plainToken":"p1"},"n":5}',
    });

    it('reads query parameters, headers in any case, and body paths', () => {
      expect(readField(req, { from: 'query', name: 'crc_token' })).toBe('abc');
      expect(readField(req, { from: 'header', name: 'X-One' })).toBe('v');
      expect(readField(req, { from: 'body', name: 'challenge' })).toBe('c1');
      expect(readField(req, { from: 'body', name: ['payload', 'plainToken'] })).toBe('p1');
    });

    it('gives nothing for a value that is not one string, or is inherited', () => {
      expect(readField(req, { from: 'query', name: 'list' })).toBeUndefined();
      expect(readField(req, { from: 'query', name: 'nested' })).toBeUndefined();
      expect(readField(req, { from: 'header', name: 'x-two' })).toBeUndefined();
      expect(readField(req, { from: 'body', name: 'n' })).toBeUndefined();
      expect(readField(req, { from: 'body', name: 'constructor' })).toBeUndefined();
      expect(readField(req, { from: 'query', name: 'toString' })).toBeUndefined();
      expect(readField(req, { from: 'body', name: ['payload', 'missing'] })).toBeUndefined();
    });
  });

  describe('matchers', () => {
    const req = request({
      method: 'GET',
      headers: { 'twitch-eventsub-message-type': 'webhook_callback_verification' },
      query: { 'hub.mode': 'subscribe' },
    });

    it('needs every condition', () => {
      expect(matchesRequest(req, { method: 'GET', query: { 'hub.mode': 'subscribe' } })).toBe(true);
      expect(matchesRequest(req, { method: ['POST', 'GET'] })).toBe(true);
      expect(matchesRequest(req, { method: 'POST', query: { 'hub.mode': 'subscribe' } })).toBe(false);
      expect(matchesRequest(req, { query: { 'hub.mode': 'unsubscribe' } })).toBe(false);
      expect(matchesRequest(req, { query: { 'hub.challenge': true } })).toBe(false);
      expect(
        matchesRequest(req, { headers: { 'Twitch-Eventsub-Message-Type': 'webhook_callback_verification' } }),
      ).toBe(true);
    });

    it('treats a throwing function as no match', () => {
      expect(
        runMatcher(req, () => {
          throw new Error('bug');
        }),
      ).toBe(false);
      expect(runMatcher(req, (r) => r.method === 'GET')).toBe(true);
    });
  });

  describe('assertMatchesSecret', () => {
    const secrets = [
      { version: 2, value: 'new-token' },
      { version: 1, value: Buffer.from('old-token') },
    ];

    it('accepts any live version', () => {
      expect(() => assertMatchesSecret('new-token', secrets)).not.toThrow();
      expect(() => assertMatchesSecret('old-token', secrets)).not.toThrow();
    });

    it.each([
      ['a wrong token', 'meatyhamhock', 'challenge_verification_failed'],
      ['a prefix of the token', 'new-', 'challenge_verification_failed'],
      ['no token', undefined, 'challenge_verification_failed'],
    ])('refuses %s', (_name, presented, code) => {
      expect(() => assertMatchesSecret(presented, secrets)).toThrow(
        expect.objectContaining({ code, message: expect.not.stringContaining('token-') }),
      );
    });

    it('never matches an empty token, even against an empty secret', () => {
      expect(() => assertMatchesSecret('', [{ version: 1, value: '' }])).toThrow(
        expect.objectContaining({ code: 'challenge_verification_failed' }),
      );
    });

    it('fails closed when no secret is configured', () => {
      expect(() => assertMatchesSecret('anything', [])).toThrow(
        expect.objectContaining({ code: 'no_secret_configured' }),
      );
      expect(() => assertMatchesSecret('anything', undefined)).toThrow(
        expect.objectContaining({ code: 'no_secret_configured' }),
      );
    });
  });

  describe('properties', () => {
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/x-www-form-urlencoded',
        'text/plain',
        'application/json; charset=utf-8',
        'application/merge-patch+json',
      ),
      fc.string({ maxLength: 40 }),
    );
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 1024 }).map((bytes) => Buffer.from(bytes)),
      fc.json().map((text) => Buffer.from(text)),
      fc.string({ maxLength: 200 }).map((text) => Buffer.from(text)),
      fc
        .dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }))
        .map((fields) => Buffer.from(new URLSearchParams(fields).toString())),
    );
    const path = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.array(fc.constantFrom('__proto__', 'constructor', 'prototype', 'a', 'challenge', ''), { maxLength: 4 }),
    );

    it('reads any body under any content type without throwing', () => {
      fc.assert(
        fc.property(fc.option(contentType, { nil: undefined }), body, path, (type, raw, name) => {
          const req = request({ headers: type === undefined ? {} : { 'content-type': type }, rawBody: raw });
          readJsonBody(req);
          readFormBody(req);
          readBody(req);
          const value = readField(req, { from: 'body', name });
          expect(value === undefined || typeof value === 'string').toBe(true);
        }),
        { numRuns: 2000 },
      );
    });

    it('reads any query and headers without throwing, and only ever gives a string', () => {
      const value = fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 5 })), fc.anything());
      fc.assert(
        fc.property(
          fc.dictionary(fc.string({ maxLength: 10 }), value),
          fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string(), fc.array(fc.string()))),
          fc.string({ maxLength: 10 }),
          (query, headers, name) => {
            const req = request({ query, headers });
            for (const from of ['query', 'header'] as const) {
              const got = readField(req, { from, name });
              expect(got === undefined || typeof got === 'string').toBe(true);
            }
            matchesRequest(req, { query: { [name]: true }, headers: { [name]: 'x' } });
          },
        ),
        { numRuns: 1000 },
      );
    });

    it('compares any presented value without throwing anything but the typed error', () => {
      fc.assert(
        fc.property(fc.option(fc.string({ unit: 'binary' }), { nil: undefined }), fc.string(), (presented, secret) => {
          try {
            assertMatchesSecret(presented, [{ version: 1, value: secret }]);
            expect(presented).toBe(secret);
            expect(secret).not.toBe('');
          } catch (error) {
            if (!(error instanceof WebhookVerificationError)) throw error;
          }
        }),
        { numRuns: 1000 },
      );
    });
  });
});
