import fc from 'fast-check';
import { publishedVector } from '../../../../test/support/scheme-testing';
import type { ChallengeContext } from '../../challenge-strategy';
import { WebhookConfigurationError, WebhookVerificationError } from '../../errors';
import type { WebhookRequest } from '../../request';
import { declarativeChallenge, DeclarativeChallengeStrategy } from './declarative-challenge.strategy';
import type { DeclarativeChallengeRule, DeclarativeSecret } from './declarative-rule.interface';

const ZOOM = publishedVector('zoom', 'challenge');
const X = publishedVector('twitter_x', 'challenge');

const request = (init: Partial<WebhookRequest> & { body?: string } = {}): WebhookRequest => ({
  method: init.method ?? 'POST',
  url: init.url ?? '/',
  headers: init.headers ?? {},
  query: init.query ?? {},
  rawBody: Buffer.from(init.body ?? ''),
});
const json = (body: string, method = 'POST') =>
  request({ method, headers: { 'content-type': 'application/json' }, body });

const context = (
  secrets: ChallengeContext['secrets'] = [],
  namedSecrets: ChallengeContext['namedSecrets'] = {},
): ChallengeContext => ({ endpoint: 'rules', secrets, namedSecrets, receivedAt: 0 });

function compiled(rule: DeclarativeChallengeRule, endpoint = 'rules'): DeclarativeChallengeStrategy {
  const strategy = declarativeChallenge(rule);
  strategy.validate(endpoint);
  return strategy;
}

// The documented requests (shared/providers.md), answered by rules alone, without the presets.
const SLACK_BODY =
  '{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}';
const ZOOM_BODY = `{"payload":{"plainToken":"${ZOOM.inputs.plainToken}"},"event_ts":1654503849680,"event":"endpoint.url_validation"}`;
const META_QUERY = { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'meatyhamhock' };

const slackRule: DeclarativeChallengeRule = {
  detect: 'http_method == "POST" && parsed_body.type == "url_verification"',
  body: '{{ parsed_body.challenge }}',
  signed: true,
};
const zoomRule: DeclarativeChallengeRule = {
  detect: 'http_method == "POST" && parsed_body.event == "endpoint.url_validation"',
  signed: true,
  challenge_tokens: [
    { name: 'encrypted', algorithm: 'HMAC-SHA256', payload: 'parsed_body.payload.plainToken', encoding: 'hex' },
  ],
  body: { plainToken: '{{ parsed_body.payload.plainToken }}', encryptedToken: '{{ challenge_token["encrypted"] }}' },
};
const metaRule: DeclarativeChallengeRule = {
  detect: 'http_method == "GET" && query_params["hub.mode"] == "subscribe"',
  verify_token: { value: 'query_params["hub.verify_token"]' },
  body: '{{ query_params["hub.challenge"] }}',
};

describe('DeclarativeChallengeStrategy', () => {
  describe('reproduces providers without their presets', () => {
    it('Slack url_verification: the documented challenge as text, signed', () => {
      const strategy = compiled(slackRule);
      const req = json(SLACK_BODY);
      expect(strategy.kind).toBe('declarative');
      expect(strategy.signed).toBe(true);
      expect(strategy.detect(req)).toBe(true);
      expect(strategy.respond(req, context())).toEqual({
        status: 200,
        body: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      });
      expect(strategy.detect(json('{"type":"event_callback","event":{}}'))).toBe(false);
    });

    it('Zoom endpoint.url_validation: the published vector (elastic/beats)', () => {
      const strategy = compiled(zoomRule);
      const req = json(ZOOM_BODY);
      expect(strategy.detect(req)).toBe(true);
      expect(strategy.respond(req, context([{ version: 1, value: ZOOM.inputs.secret_token }]))).toEqual({
        status: 200,
        body: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: ZOOM.expected },
      });
    });

    it('Meta hub.challenge: echoed after the verify token matches the named secret', () => {
      const strategy = compiled(metaRule);
      const req = request({ method: 'GET', query: META_QUERY });
      expect(strategy.secretNames).toEqual(['verify-token']);
      expect(strategy.detect(req)).toBe(true);
      const secrets = { 'verify-token': [{ version: 1, value: 'meatyhamhock' }] };
      expect(strategy.respond(req, context([], secrets))).toEqual({ status: 200, body: '1158201444' });
      const wrong = request({ method: 'GET', query: { ...META_QUERY, 'hub.verify_token': 'nope' } });
      expect(() => strategy.respond(wrong, context([], secrets))).toThrow(
        expect.objectContaining({ code: 'challenge_verification_failed' }),
      );
      const missing = request({ method: 'GET', query: { 'hub.mode': 'subscribe', 'hub.challenge': '1' } });
      expect(() => strategy.respond(missing, context([], secrets))).toThrow(
        expect.objectContaining({ code: 'challenge_verification_failed' }),
      );
      expect(() => strategy.respond(req, context())).toThrow(expect.objectContaining({ code: 'no_secret_configured' }));
    });

    it('X CRC: the vector with base64 and a prefix', () => {
      const strategy = compiled({
        detect: 'http_method == "GET" && "crc_token" in query_params',
        challenge_tokens: [
          {
            name: 'crc',
            algorithm: 'HMAC-SHA256',
            payload: 'query_params["crc_token"]',
            encoding: 'base64',
            prefix: 'sha256=',
          },
        ],
        body: { response_token: '{{ challenge_token["crc"] }}' },
      });
      const req = request({ method: 'GET', query: { crc_token: X.inputs.crc_token } });
      expect(strategy.respond(req, context([{ version: 1, value: X.inputs.consumer_secret }]))).toEqual({
        status: 200,
        body: X.expected,
      });
    });

    it('a header answer (Smartsheet) and constants in a JSON body', () => {
      const strategy = compiled({
        detect: '"smartsheet-hook-challenge" in headers',
        status: 200,
        headers: { 'Smartsheet-Hook-Response': '{{ headers["smartsheet-hook-challenge"] }}' },
        body: { smartsheetHookResponse: '{{ parsed_body.challenge }}', ok: true, n: 1, none: null, list: ['a', 2] },
      });
      const req = request({
        headers: { 'content-type': 'application/json', 'smartsheet-hook-challenge': 'd6c4d2a1' },
        body: '{"challenge":"d6c4d2a1","webhookId":1}',
      });
      expect(strategy.respond(req, context())).toEqual({
        status: 200,
        headers: { 'Smartsheet-Hook-Response': 'd6c4d2a1' },
        body: { smartsheetHookResponse: 'd6c4d2a1', ok: true, n: 1, none: null, list: ['a', 2] },
      });
    });
  });

  it('works with a rule read from a JSON configuration file', () => {
    const fromFile = JSON.parse(JSON.stringify(zoomRule)) as DeclarativeChallengeRule;
    const strategy = compiled(fromFile);
    const answer = strategy.respond(json(ZOOM_BODY), context([{ version: 1, value: ZOOM.inputs.secret_token }]));
    expect((answer.body as Record<string, string>).encryptedToken).toBe(ZOOM.expected);
  });

  it('uses a literal or a named secret for a token, and fails closed without one', () => {
    const rule = (secret: DeclarativeSecret): DeclarativeChallengeRule => ({
      ...zoomRule,
      challenge_tokens: [{ ...zoomRule.challenge_tokens![0], secret }],
    });
    const literal = compiled(rule(ZOOM.inputs.secret_token));
    expect((literal.respond(json(ZOOM_BODY), context()).body as Record<string, string>).encryptedToken).toBe(
      ZOOM.expected,
    );
    const named = compiled(rule({ from: 'named', name: 'zoom-token' }));
    expect(named.secretNames).toEqual(['zoom-token']);
    const namedSecrets = { 'zoom-token': [{ version: 1, value: ZOOM.inputs.secret_token }] };
    expect(
      (named.respond(json(ZOOM_BODY), context([], namedSecrets)).body as Record<string, string>).encryptedToken,
    ).toBe(ZOOM.expected);
    expect(() => named.respond(json(ZOOM_BODY), context())).toThrow(
      expect.objectContaining({ code: 'no_secret_configured' }),
    );
    expect(() => compiled(zoomRule).respond(json(ZOOM_BODY), context())).toThrow(
      expect.objectContaining({ code: 'no_secret_configured' }),
    );
  });

  describe('at run time', () => {
    it('counts a detect expression that fails as "not a challenge"', () => {
      const strategy = compiled(slackRule);
      expect(strategy.detect(request({ body: 'not json' }))).toBe(false);
      expect(strategy.detect(json('{"no_type":1}'))).toBe(false);
      expect(strategy.detect(json('[1,2]'))).toBe(false);
      expect(strategy.detect(request({ method: 'GET' }))).toBe(false);
    });

    it.each([
      ['oversized', 'a'.repeat(257)],
      ['markup', '<script>alert(1)</script>'],
      ['CRLF', 'abc\r\nSet-Cookie: a=b'],
      ['binary', '\u0000\u00ff'],
      ['an object', { a: 1 }],
      ['a list', ['a']],
      ['null', null],
    ])('refuses to echo a %s value with invalid_challenge', (_name, challenge) => {
      const req = json(JSON.stringify({ type: 'url_verification', challenge }));
      expect(() => compiled(slackRule).respond(req, context())).toThrow(
        expect.objectContaining({ code: 'invalid_challenge' }),
      );
    });

    it('echoes a JSON number as its text', () => {
      const req = json('{"type":"url_verification","challenge":5}');
      expect(compiled(slackRule).respond(req, context()).body).toBe('5');
    });

    it('refuses a placeholder that fails (a missing field) with invalid_challenge', () => {
      const strategy = compiled(slackRule);
      expect(() => strategy.respond(json('{"type":"url_verification"}'), context())).toThrow(
        expect.objectContaining({ code: 'invalid_challenge' }),
      );
    });

    it('checks header values too, so a header cannot be split', () => {
      const strategy = compiled({ detect: 'true', headers: { 'X-Echo': 'v={{ headers["x-in"] }}' } });
      expect(strategy.respond(request({ headers: { 'x-in': 'ok' } }), context()).headers).toEqual({ 'X-Echo': 'v=ok' });
      expect(() => strategy.respond(request({ headers: { 'x-in': 'a\r\nX-Evil: 1' } }), context())).toThrow(
        expect.objectContaining({ code: 'invalid_challenge' }),
      );
    });

    it('applies the rule’s token bounds', () => {
      const strategy = compiled({
        detect: 'true',
        body: 'Echo: {{ query_params["t"] }}',
        max_token_length: 60,
        token_pattern: '[A-Za-z0-9 :-]+',
      });
      expect(strategy.respond(request({ query: { t: 'Validation: Testing 1-2' } }), context()).body).toBe(
        'Echo: Validation: Testing 1-2',
      );
      expect(() => strategy.respond(request({ query: { t: 'a'.repeat(61) } }), context())).toThrow(
        expect.objectContaining({ code: 'invalid_challenge' }),
      );
      expect(() => strategy.respond(request({ query: { t: 'a/b' } }), context())).toThrow(
        expect.objectContaining({ code: 'invalid_challenge' }),
      );
    });

    it('sees only query parameters and headers sent once, as strings', () => {
      const strategy = compiled({ detect: '"c" in query_params', body: '{{ query_params["c"] }}' });
      expect(strategy.detect(request({ query: { c: ['a', 'b'] } }))).toBe(false);
      expect(strategy.detect(request({ query: { c: 'a' } }))).toBe(true);
    });

    it('compiles an unvalidated rule on first use; a bad one detects nothing and cannot answer', () => {
      const good = declarativeChallenge(slackRule);
      expect(good.respond(json(SLACK_BODY), context()).body).toBe(
        '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      );
      const bad = declarativeChallenge({ detect: 'http_method ==' });
      expect(bad.detect(json(SLACK_BODY))).toBe(false);
      expect(() => bad.respond(json(SLACK_BODY), context())).toThrow(WebhookConfigurationError);
    });
  });

  describe('properties', () => {
    const strategies = [compiled(slackRule), compiled(zoomRule), compiled(metaRule)];
    const anyRequest = fc.record({
      method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT'),
      url: fc.constant('/'),
      headers: fc.dictionary(
        fc.constantFrom('content-type', 'x-a', 'smartsheet-hook-challenge'),
        fc.oneof(fc.constantFrom('application/json', 'application/x-www-form-urlencoded'), fc.string()),
      ),
      query: fc.dictionary(
        fc.constantFrom('hub.mode', 'hub.challenge', 'hub.verify_token', 'x'),
        fc.oneof(fc.constant('subscribe'), fc.string({ unit: 'binary' }), fc.array(fc.string())),
      ),
      rawBody: fc.oneof(
        fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
        fc.json().map((text) => Buffer.from(text)),
        fc
          .record({
            type: fc.constantFrom('url_verification', 'x'),
            event: fc.constantFrom('endpoint.url_validation', 'x'),
            challenge: fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer(), fc.constant(null)),
            payload: fc.record({ plainToken: fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean()) }),
          })
          .map((body) => Buffer.from(JSON.stringify(body))),
      ),
    });
    const ctx = context([{ version: 1, value: 's' }], { 'verify-token': [{ version: 1, value: 'v' }] });

    it('detect never throws and respond throws only the typed error; echoed values are always safe', () => {
      fc.assert(
        fc.property(anyRequest, (req) => {
          for (const strategy of strategies) {
            if (!strategy.detect(req as WebhookRequest)) continue;
            try {
              const answer = strategy.respond(req as WebhookRequest, ctx);
              const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? '');
              expect(text).not.toMatch(/[<>\r\n]/);
            } catch (error) {
              if (!(error instanceof WebhookVerificationError)) throw error;
            }
          }
        }),
        { numRuns: 1500 },
      );
    });
  });
});

// Issue 13 item 1: a declarative challenge token only signs COMPUTED_TOKEN_PATTERN values.
describe('declarative challenge_tokens never sign a value that could be a delivery', () => {
  const rule = (payload: string, secret?: DeclarativeSecret): DeclarativeChallengeRule => ({
    detect: 'http_method == "GET"',
    challenge_tokens: [
      { name: 't', algorithm: 'HMAC-SHA256', payload, encoding: 'hex', ...(secret ? { secret } : {}) },
    ],
    body: { d: '{{ challenge_token["t"] }}' },
    token_pattern: '[\\x20-\\x7e]+',
  });

  it.each(['for_user_id=1337', '{"a":1}', 'v0:1700000000:abc', '1700000000.abc', 'a b'])('refuses %j', (value) => {
    const strategy = compiled(rule('query_params["x"]'));
    expect(() =>
      strategy.respond(request({ method: 'GET', query: { x: value } }), context([{ version: 1, value: 'k' }])),
    ).toThrow(expect.objectContaining({ code: 'invalid_challenge' }));
  });

  it('refuses a payload built into a string to sign', () => {
    const strategy = compiled(rule('"v0:" + query_params["ts"] + ":" + query_params["x"]'));
    expect(() =>
      strategy.respond(
        request({ method: 'GET', query: { ts: '1700000000', x: 'abc' } }),
        context([{ version: 1, value: 'k' }]),
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_challenge' }));
  });

  it('says whether a token is keyed with the signing secret (the default, or a literal that could be it)', () => {
    expect(compiled(rule('query_params["x"]')).computesWithSigningSecret).toBe(true);
    expect(compiled(rule('query_params["x"]', { from: 'endpoint' })).computesWithSigningSecret).toBe(true);
    expect(compiled(rule('query_params["x"]', 'literal')).computesWithSigningSecret).toBe(true);
    expect(compiled(rule('query_params["x"]', { from: 'named', name: 'crc' })).computesWithSigningSecret).toBe(false);
  });
});
