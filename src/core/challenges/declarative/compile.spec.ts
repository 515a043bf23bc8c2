import { WebhookConfigurationError } from '../../errors';
import { DeclarativeChallengeStrategy } from './declarative-challenge.strategy';
import type { DeclarativeChallengeRule } from './declarative-rule.interface';

// Compilation (./compile.ts), through the strategy's validate(endpoint) as the module calls it at start-up.

function configError(rule: unknown, endpoint = 'rules'): string {
  try {
    new DeclarativeChallengeStrategy(rule as DeclarativeChallengeRule).validate(endpoint);
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a WebhookConfigurationError');
}

/** The least rule with a challenge token, for errors about tokens. */
const tokenRule: DeclarativeChallengeRule = {
  detect: 'true',
  challenge_tokens: [
    { name: 'encrypted', algorithm: 'HMAC-SHA256', payload: 'parsed_body.payload.plainToken', encoding: 'hex' },
  ],
  body: { encryptedToken: '{{ challenge_token["encrypted"] }}' },
};

describe('start-up validation names the endpoint, the field and the position', () => {
  it('a syntax error in detect', () => {
    expect(configError({ detect: 'http_method == "POST" &&& x' }, 'slack-rule')).toBe(
      'Webhook endpoint "slack-rule": challenge.detect at line 1, column 25: syntax error: Unexpected character: &.',
    );
  });

  it('a syntax error on a later line', () => {
    expect(configError({ detect: 'http_method == "POST" &&\n  parsed_body.type ==' })).toMatch(
      /^Webhook endpoint "rules": challenge\.detect at line 2, column \d+: syntax error/,
    );
  });

  it('an unknown variable and a detect that is not a bool', () => {
    expect(configError({ detect: 'http_method == "GET" && body.type == "x"' })).toMatch(
      /"rules": challenge\.detect at line 1, column 25: Unknown variable: body/,
    );
    expect(configError({ detect: 'http_method' })).toMatch(/challenge\.detect at line 1, column 1: .*must be a bool/);
  });

  it('a reference to an unknown token, in the body field that holds it', () => {
    const rule = {
      ...tokenRule,
      body: {
        plainToken: '{{ parsed_body.payload.plainToken }}',
        encryptedToken: '{{ challenge_token["encrypt"] }}',
      },
    };
    expect(configError(rule, 'zoom-rule')).toBe(
      'Webhook endpoint "zoom-rule": challenge.body.encryptedToken at line 1, column 4: ' +
        'unknown challenge token "encrypt" (defined: encrypted).',
    );
  });

  it('a token reference through field access, in a header, and without any token defined', () => {
    expect(configError({ detect: 'true', headers: { 'X-A': 'x{{ challenge_token.hash }}' } })).toMatch(
      /challenge\.headers\["X-A"\] at line 1, column 5: unknown challenge token "hash" \(defined: none\)/,
    );
  });

  it('challenge_token outside templates, or indexed by an expression', () => {
    expect(configError({ detect: 'challenge_token["a"] == "b"' })).toMatch(
      /challenge\.detect at line 1, column 1: challenge_token is only available in headers and body/,
    );
    expect(configError({ ...tokenRule, body: '{{ challenge_token[http_method] }}' })).toMatch(
      /challenge\.body at line 1, column 4: challenge_token must be indexed with a literal name/,
    );
    const payloadRule = {
      ...tokenRule,
      challenge_tokens: [{ ...tokenRule.challenge_tokens![0], payload: 'challenge_token["encrypted"]' }],
    };
    expect(configError(payloadRule)).toMatch(/challenge\.challenge_tokens\[0\]\.payload at line 1, column 1/);
  });

  it('a syntax error inside a placeholder, and an unterminated placeholder', () => {
    expect(configError({ detect: 'true', body: 'echo {{ parsed_body. }}' })).toMatch(
      /challenge\.body at line 1, column 22: syntax error/,
    );
    expect(configError({ detect: 'true', body: { a: { b: 'x {{ y' } } })).toBe(
      'Webhook endpoint "rules": challenge.body.a.b at line 1, column 3: unterminated placeholder "{{".',
    );
    expect(configError({ detect: 'true', body: { 'hub.challenge': '{{ }}' } })).toMatch(
      /challenge\.body\["hub\.challenge"\] at line 1, column 3: empty expression/,
    );
  });

  it.each([
    [{ detect: 42 }, 'challenge.detect: must be a CEL expression string'],
    [{ detect: 'true', status: 500 }, 'challenge.status: must be an integer from 200 to 299'],
    [{ detect: 'true', headers: { 'Bad Header': 'x' } }, 'challenge.headers["Bad Header"]: not a valid header name'],
    [{ detect: 'true', bodyy: 'x' }, 'challenge.bodyy: unknown field'],
    // Attacker text is not echoed: a key that is no identifier, a status that is no number.
    [
      { detect: 'true', 'Call <b>now</b>': 1 },
      'challenge[a key of 15 characters that is no identifier]: unknown field',
    ],
    [{ detect: 'true', status: 'ANY <b>x</b>' }, 'challenge.status: must be an integer from 200 to 299 (got a string)'],
    [{ detect: 'true', body: 5 }, 'challenge.body: must be a template string or a JSON object'],
    [{ detect: 'true', max_token_length: 0 }, 'challenge.max_token_length'],
    [{ detect: 'true', token_pattern: '([a-z' }, 'challenge.token_pattern'],
    [
      {
        detect: 'true',
        challenge_tokens: [{ name: 'a', algorithm: 'HMAC-MD5', payload: 'raw_body', encoding: 'hex' }],
      },
      'challenge.challenge_tokens[0].algorithm',
    ],
    [
      {
        detect: 'true',
        challenge_tokens: [{ name: 'a', algorithm: 'HMAC-SHA1', payload: 'raw_body', encoding: 'b32' }],
      },
      'challenge.challenge_tokens[0].encoding',
    ],
    [
      {
        detect: 'true',
        challenge_tokens: [
          { name: 'a', algorithm: 'HMAC-SHA1', payload: 'raw_body', encoding: 'hex' },
          { name: 'a', algorithm: 'HMAC-SHA1', payload: 'raw_body', encoding: 'hex' },
        ],
      },
      'challenge.challenge_tokens[1].name: "a" is defined twice',
    ],
    [
      {
        detect: 'true',
        challenge_tokens: [{ name: 'a', algorithm: 'HMAC-SHA1', payload: 'raw_body', encoding: 'hex', secret: {} }],
      },
      'challenge.challenge_tokens[0].secret',
    ],
    [
      {
        detect: 'true',
        challenge_tokens: [{ name: 'a', algorithm: 'HMAC-SHA1', payload: 'raw_body', encoding: 'hex', prefix: '<' }],
      },
      'challenge.challenge_tokens[0].prefix',
    ],
  ])('a malformed rule (%#)', (rule, message) => {
    const text = configError(rule);
    expect(text.startsWith('Webhook endpoint "rules": ')).toBe(true);
    expect(text).toContain(message);
  });
});

// A rule's CEL runs on every request to its endpoint, before any signature check, over bytes the
// sender chose (up to the body limit). Measured before these checks: 7 nested comprehensions of a
// ~256-character rule held the event loop ~1.2 s per request, and `matches('(a+)+$')` on 28
// characters of the body 2.8 s. A hostile review then found rules the first checks let through:
// `^(?:[]|(a+)+$)]` (35 s on 31 bytes: `[]` is an empty class in JavaScript), five `a{0,64}` (25 s
// on 200 bytes), and comprehensions whose expression reads the body (7 s on 1 MiB). What compiles
// must cost time linear in the request (times the rule's size).
describe('start-up validation refuses expressions whose cost grows faster than the request', () => {
  const detect = (expression: string) => configError({ detect: expression, body: 'ok' });

  it('a comprehension inside another (its cost is the product of both sizes)', () => {
    expect(detect('headers.exists(k, headers.exists(j, j == k))')).toMatch(
      /^Webhook endpoint "rules": challenge.detect at line 1, column \d+: a comprehension \(exists\) inside another/,
    );
    expect(detect('parsed_body.a.all(x, [1].map(y, y).size() > 0)')).toMatch(/comprehension \(map\) inside another/);
    expect(detect('[1].exists(x, [2].filter(y, y == x).size() == 0)')).toMatch(/inside another/);
  });

  it("a comprehension whose expression reads the request (once per element: the list's size times the request's)", () => {
    for (const expression of [
      "raw_body.split(',').exists(x, raw_body.contains('zz'))",
      'parsed_body.exists(x, raw_body.lastIndexOf("zz") > 0)',
      'parsed_body.map(x, raw_body).exists(y, y.contains("zz"))',
      "headers.exists(k, headers[k] == query_params['x'])",
    ]) {
      expect([expression, detect(expression)]).toEqual([
        expression,
        expect.stringMatching(/comprehension's expression reads/),
      ]);
    }
  });

  it('join() with a separator that is not a literal (its result can grow as a product)', () => {
    expect(detect("raw_body.split('').join(raw_body) == ''")).toMatch(/join\(\) needs literal arguments/);
  });

  it('a matches() pattern that is not a literal, or whose backtracking can cost more than linear time', () => {
    expect(detect('raw_body.matches(raw_body)')).toMatch(/matches\(\) needs a string literal pattern/);
    expect(detect("matches(raw_body, headers['x'])")).toMatch(/matches\(\) needs a string literal pattern/);
    const refused = [
      'a.*b',
      '(^a)',
      '^a|b.*c',
      '^.*a.*b',
      '^a+b{2,}',
      '^a*b{1,65}',
      '^\\\\(a+\\\\)+',
      '^' + 'a{0,64}'.repeat(5) + 'b',
      '^a?a?a?aaa',
      '^\\\\d+\\\\.\\\\d+$',
      '^(a+)+$',
      '^(\\\\w+\\\\s?)*$',
      '^((ab)*c)+',
      '^(?:x+y?)+z',
      '^(a?){30}',
      '^(?:[]|(a+)+$)]',
      '^(a|a)*b',
      '^(?:ab|cd){2}',
      '^(a|a){40}',
      '^(a)\\\\1',
    ];
    for (const pattern of refused) {
      expect([pattern, detect(`raw_body.matches('${pattern}')`)]).toEqual([
        pattern,
        expect.stringContaining('the pattern can cost more than linear time'),
      ]);
    }
    // The reasons, as the message gives them.
    expect(detect("raw_body.matches('challenge')")).toMatch(/not anchored at the start with \^/);
    expect(detect("raw_body.matches('^a|b')")).toMatch(/an alternative outside a group/);
    expect(detect("raw_body.matches('^a*b+')")).toMatch(/more than one quantifier of variable count/);
    expect(detect("raw_body.matches('^(a|b)*')")).toMatch(/a repeated group holding an alternation/);
    expect(detect("raw_body.matches('^(ab){2}(a)\\\\1')")).toMatch(/a backreference/);
  });

  it('compiles comprehensions one after the other, over their elements, and linear patterns', () => {
    const compiles = (expression: string) =>
      new DeclarativeChallengeStrategy({ detect: expression, body: 'ok' }).validate('rules');
    expect(() => compiles("headers.exists(k, k == 'x') && [1, 2].map(x, x * 2).exists(y, y == 4)")).not.toThrow();
    expect(() =>
      compiles("has(parsed_body.events) && parsed_body.events.exists(e, e.type == 'url_verification')"),
    ).not.toThrow();
    expect(() => compiles("raw_body.split(',').join('-') != '' && ['a', 'b'].join('-') == 'a-b'")).not.toThrow();
    const linear = [
      '^[a-z]+$',
      '^(ab)+',
      '^(a+)',
      '^(?:abc)?d',
      '^[(a+)+]',
      '^\\\\(a+\\\\)',
      '^a{2,5}(bc){3}',
      '^(?:a|b)c*',
      '^v\\\\d{1,3}\\\\.\\\\d{2}$',
      '^[^]',
    ];
    for (const pattern of linear) {
      expect(() => compiles(`raw_body.matches('${pattern}')`)).not.toThrow();
    }
  });
});
