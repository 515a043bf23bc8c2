// Issue 13, item 1: no challenge answer may verify as a delivery. X's CRC answer is
// "sha256=" + base64(HMAC(consumer secret, crc_token)), exactly X's delivery signature over a body
// equal to the token; any computed challenge keyed with a delivery-signing secret is the same
// oracle unless what it signs and what deliveries sign can never be equal.
//
// The attacker here: asks every preset, and every preset combined with every computed strategy
// (X, Zoom, generic ComputedHmacStrategy, declarative challenge_tokens), for an answer over tokens
// of their choosing — shaped like bodies, forms and the providers' strings to sign — then sends each
// answer back as the signature of a delivery whose body is the token (or the body part of a
// string-to-sign), under every signature header, format and content type. Every such delivery must
// be refused. Expected signatures of the positive controls are computed here with node:crypto.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import type { ChallengeStrategy } from '../../core/challenge-strategy';
import { ComputedHmacStrategy } from '../../core/challenges/computed-hmac.strategy';
import { declarativeChallenge } from '../../core/challenges/declarative/declarative-challenge.strategy';
import { assertChallengeCannotSign } from '../../core/challenges/computed-token';
import { WebhookConfigurationError, WebhookVerificationError } from '../../core/errors';
import type { WebhookSecret } from '../../core/secret';
import type { SignatureScheme } from '../../core/signature-scheme';
import { at, webhookRequest } from '../../../test/support/scheme-testing';
import type { WebhookEndpointDefinition } from '../endpoint-definition';
import * as presets from '../index';
import { twitterChallenge, zoomChallenge } from './index';

const NOW = 1_700_000_000;
const URL = 'https://hooks.example.com/x';
const ed25519 = generateKeyPairSync('ed25519');
const ed25519Raw = Buffer.from(ed25519.publicKey.export({ format: 'jwk' }).x!, 'base64url');
const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

const S = 'shared-secret-used-for-everything';
const ENDPOINTS: Record<string, WebhookEndpointDefinition> = {
  github: presets.github({ secret: S }),
  stripe: presets.stripe({ secret: 'whsec_' + S }),
  slack: presets.slack({ signingSecret: S }),
  shopify: presets.shopify({ secret: S }),
  zoom: presets.zoom({ secretToken: S }),
  twitch: presets.twitch({ secret: S }),
  meta: presets.meta({ appSecret: S, verifyToken: 'vt' }),
  dropbox: presets.dropbox({ appSecret: S }),
  trello: presets.trello({ secret: S, callbackUrl: URL }),
  asana: presets.asana({ secret: S }),
  twilio: presets.twilio({ authToken: S, url: URL }),
  square: presets.square({ signatureKey: S, notificationUrl: URL }),
  box: presets.box({ primaryKey: S }),
  pagerduty: presets.pagerduty({ secret: S }),
  linear: presets.linear({ secret: S }),
  mailgun: presets.mailgun({ signingKey: S }),
  intercom: presets.intercom({ clientSecret: S }),
  twitter: presets.twitter({ consumerSecret: S }),
  smartsheet: presets.smartsheet({ sharedSecret: S }),
  'ms-graph': presets.msGraph({ clientState: S }),
  okta: presets.okta({ secret: S }),
  discord: presets.discord({ publicKey: ed25519Raw.toString('hex') }),
  sendgrid: presets.sendgrid({ publicKey: p256.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') }),
  'adobe-io': presets.adobeIo({
    publicKey: rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string,
    clientId: 'client_id1',
  }),
  strava: presets.strava({ token: S, verifyToken: 'vt' }),
  standard: presets.standardWebhooks({ secret: 'whsec_' + Buffer.from(S).toString('base64') }),
  svix: presets.svix({ secret: 'whsec_' + Buffer.from(S).toString('base64') }),
  'standard-v1a': presets.standardWebhooksAsymmetric({ publicKey: 'whpk_' + ed25519Raw.toString('base64') }),
  'hmac-body': presets.hmacEndpoint({ provider: 'acme', secret: S, header: 'x-acme-signature', prefix: 'sha256=' }),
  'hmac-ts-dot-body': presets.hmacEndpoint({
    provider: 'acme',
    secret: S,
    header: 'x-acme-signature',
    template: '{timestamp}{body}',
    timestampHeader: 'x-acme-timestamp',
    encoding: 'base64',
  }),
  'api-key': presets.apiKeyEndpoint({ provider: 'partner', header: 'x-api-key', secret: S }),
};

/** The computed strategies an attacker could find on any endpoint, and how each reads its token. */
const algorithms = ['sha1', 'sha256', 'sha512'] as const;
const encodings = ['hex', 'base64'] as const;
const COMPUTED: Array<[string, () => ChallengeStrategy]> = [
  ['twitterChallenge()', () => twitterChallenge()],
  ['zoomChallenge({ signed: false })', () => zoomChallenge({ signed: false })],
  ...algorithms.flatMap((algorithm) =>
    encodings.flatMap((encoding): Array<[string, () => ChallengeStrategy]> => [
      [
        `ComputedHmacStrategy ${algorithm}/${encoding}, any token`,
        () =>
          new ComputedHmacStrategy({
            match: { method: 'GET' },
            token: { from: 'query', name: 'crc_token' },
            algorithm,
            encoding,
            digestField: 'd',
            tokenSafety: { pattern: /[\x20-\x7e]+/, maxLength: 8192 },
          }),
      ],
      [
        `declarative HMAC-${algorithm.toUpperCase()}/${encoding} over the query`,
        () =>
          declarativeChallenge({
            detect: 'http_method == "GET"',
            challenge_tokens: [
              {
                name: 't',
                algorithm: `HMAC-${algorithm.toUpperCase()}` as 'HMAC-SHA256',
                payload: 'query_params["crc_token"]',
                encoding,
              },
            ],
            body: { d: '{{ challenge_token["t"] }}' },
            token_pattern: '[\\x20-\\x7e]+',
            max_token_length: 8192,
          }),
      ],
      [
        `declarative HMAC-${algorithm.toUpperCase()}/${encoding} over the raw body`,
        () =>
          declarativeChallenge({
            detect: 'true',
            challenge_tokens: [
              {
                name: 't',
                algorithm: `HMAC-${algorithm.toUpperCase()}` as 'HMAC-SHA256',
                payload: 'raw_body',
                encoding,
              },
            ],
            body: '{{ challenge_token["t"] }}',
          }),
      ],
    ]),
  ),
];

const ts = String(NOW);
/** Tokens shaped like tokens, bodies, forms and the providers' strings to sign. */
const TOKENS = [
  'qgg8vlvZRS6UYooatFL8Aw',
  '9b4507b3-9040-4669-9ca3-6b94edb50553',
  'YWJjZA==',
  'abc',
  '1337',
  'null',
  'for_user_id=1337',
  'a=b&c=d',
  '{"for_user_id":"1337","tweet_create_events":[]}',
  '{"event":"meeting.started","payload":{"account_id":"abc123"}}',
  '[1,2]',
  `v0:${ts}:abc`,
  `v0:${ts}:{"event":"meeting.started"}`,
  `${ts}.abc`,
  `${ts}.{"id":"evt_1"}`,
  `msg_1.${ts}.abc`,
  `${ts}abc`,
  `${ts}`,
  `${ts}${'a'.repeat(50)}`,
  `abc${URL}`,
  `${URL}abc`,
];

/** What a delivery forged from a token could look like: the body and signed values it implies. */
function splits(token: string): Array<{ body: string; timestamp: string; id?: string }> {
  const out: Array<{ body: string; timestamp: string; id?: string }> = [{ body: token, timestamp: ts }];
  let m = /^v0:(\d+):(.*)$/s.exec(token);
  if (m) out.push({ body: m[2], timestamp: m[1] });
  m = /^(\d+)\.(.*)$/s.exec(token);
  if (m) out.push({ body: m[2], timestamp: m[1] });
  m = /^([^.]+)\.(\d+)\.(.*)$/s.exec(token);
  if (m) out.push({ body: m[3], timestamp: m[2], id: m[1] });
  m = /^(\d{10})(.*)$/s.exec(token);
  if (m) out.push({ body: m[2], timestamp: m[1] });
  if (token.endsWith(URL)) out.push({ body: token.slice(0, -URL.length), timestamp: ts });
  if (token.startsWith(URL)) out.push({ body: token.slice(URL.length), timestamp: ts });
  return out;
}

const SIGNATURE_HEADERS = [
  'x-twitter-webhooks-signature',
  'x-zm-signature',
  'x-hub-signature-256',
  'x-hub-signature',
  'x-slack-signature',
  'x-shopify-hmac-sha256',
  'twitch-eventsub-message-signature',
  'x-dropbox-signature',
  'x-trello-webhook',
  'x-hook-signature',
  'x-twilio-signature',
  'x-square-hmacsha256-signature',
  'box-signature-primary',
  'x-pagerduty-signature',
  'linear-signature',
  'smartsheet-hmac-sha256',
  'stripe-signature',
  'webhook-signature',
  'svix-signature',
  'x-acme-signature',
];
const TIMESTAMP_HEADERS = ['x-zm-request-timestamp', 'x-slack-request-timestamp', 'x-acme-timestamp'];
const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/octet-stream',
  undefined,
];

/** Every way an answer's digest could be written into a signature header. */
function signatureForms(digest: string, timestamp: string): string[] {
  return [
    digest,
    `sha256=${digest}`,
    `sha1=${digest}`,
    `v0=${digest}`,
    `v1=${digest}`,
    `v1,${digest}`,
    `t=${timestamp},v1=${digest}`,
  ];
}

/** The strings an answer holds (body leaves and headers), and their digest parts after a prefix. */
function answerDigests(answer: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      found.add(value);
      const prefixed = /^[A-Za-z0-9]+[=,](.+)$/.exec(value);
      if (prefixed) found.add(prefixed[1]);
    } else if (value && typeof value === 'object') {
      for (const item of Object.values(value)) walk(item);
    }
  };
  walk(answer);
  return [...found];
}

function challengeRequest(token: string) {
  return webhookRequest({
    method: 'GET',
    url: `/hooks?crc_token=${encodeURIComponent(token)}`,
    query: {
      crc_token: token,
      challenge: token,
      'hub.challenge': token,
      'hub.mode': 'subscribe',
      'hub.verify_token': 'vt',
    },
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'endpoint.url_validation', payload: { plainToken: token } }),
  });
}

const secretsOf = (definition: WebhookEndpointDefinition): WebhookSecret[] =>
  (definition.secrets ?? []).map((value, index) => ({ version: index + 1, value }));

/** Asks the strategy for an answer; undefined when it refuses the token. */
function answerFor(strategy: ChallengeStrategy, definition: WebhookEndpointDefinition, token: string): unknown {
  try {
    const response = strategy.respond(challengeRequest(token), {
      endpoint: 'e',
      secrets: secretsOf(definition),
      namedSecrets: { 'verify-token': [{ version: 1, value: 'vt' }] },
      receivedAt: NOW * 1000,
    });
    return { body: response.body, headers: response.headers };
  } catch (error) {
    if (error instanceof WebhookVerificationError) return undefined;
    throw error;
  }
}

function verifies(
  schemes: readonly SignatureScheme[],
  secrets: WebhookSecret[],
  request: ReturnType<typeof webhookRequest>,
): boolean {
  try {
    for (const scheme of schemes) scheme.verify(request, secrets, at(NOW));
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

/** Every forged delivery built from the answer to `token`; returns the first that verifies. */
function forgery(definition: WebhookEndpointDefinition, answer: unknown, token: string): string | undefined {
  const secrets = secretsOf(definition);
  for (const digest of answerDigests(answer)) {
    for (const { body, timestamp, id } of splits(token)) {
      for (const value of signatureForms(digest, timestamp)) {
        for (const type of CONTENT_TYPES) {
          const headers: Record<string, string> = {};
          for (const name of SIGNATURE_HEADERS) headers[name] = value;
          for (const name of TIMESTAMP_HEADERS) headers[name] = timestamp;
          if (id) headers['webhook-id'] = headers['svix-id'] = id;
          if (type) headers['content-type'] = type;
          // Mailgun carries its signature in the body: the token split as timestamp + token.
          const bodies = [body];
          const mailgun = /^(\d{10})(.+)$/s.exec(token);
          if (mailgun) {
            bodies.push(JSON.stringify({ signature: { timestamp: mailgun[1], token: mailgun[2], signature: digest } }));
          }
          for (const candidate of bodies) {
            const request = webhookRequest({ method: 'POST', url: '/x', headers, body: candidate });
            if (verifies(definition.schemes, secrets, request)) {
              return `${JSON.stringify(candidate)} as ${type ?? 'no type'} with ${value}`;
            }
          }
        }
      }
    }
  }
  return undefined;
}

const combos: Array<[string, string, () => ChallengeStrategy | undefined]> = [
  ...Object.keys(ENDPOINTS).map((name): [string, string, () => ChallengeStrategy | undefined] => [
    name,
    'its own challenge',
    () => ENDPOINTS[name].challenge,
  ]),
  ...Object.keys(ENDPOINTS).flatMap((name) =>
    COMPUTED.map(([label, make]): [string, string, () => ChallengeStrategy | undefined] => [name, label, make]),
  ),
];

describe('a challenge answer never verifies as a delivery', () => {
  it.each(combos)('%s with %s', (name, _label, make) => {
    const definition = ENDPOINTS[name];
    const strategy = make();
    if (!strategy) return;
    try {
      assertChallengeCannotSign(name, definition.schemes, strategy);
    } catch (error) {
      // Refused at start-up: the endpoint never answers, so there is no oracle. Only Mailgun
      // (it signs timestamp + token, both token-shaped) is refused among the built-in schemes.
      expect(error).toBeInstanceOf(WebhookConfigurationError);
      expect(name).toBe('mailgun');
      return;
    }
    for (const token of TOKENS) {
      const answer = answerFor(strategy, definition, token);
      if (answer === undefined) continue;
      expect({ token, forged: forgery(definition, answer, token) }).toEqual({ token, forged: undefined });
    }
  });

  // The harness can see an oracle: the same forgery path accepts genuinely signed deliveries, so a
  // pass above is not a harness that never verifies anything.
  it.each([
    [
      'twitter',
      '{"for_user_id":"1","tweet_create_events":[]}',
      (b: string) => createHmac('sha256', S).update(b).digest('base64'),
    ],
    ['meta', '{"object":"page","entry":[]}', (b: string) => createHmac('sha256', S).update(b).digest('hex')],
    ['zoom', `v0:${ts}:{"event":"meeting.started"}`, (b: string) => createHmac('sha256', S).update(b).digest('hex')],
    [
      'stripe',
      `${ts}.{"id":"evt_1"}`,
      (b: string) =>
        createHmac('sha256', 'whsec_' + S)
          .update(b)
          .digest('hex'),
    ],
    ['mailgun', `${ts}${'a'.repeat(50)}`, (b: string) => createHmac('sha256', S).update(b).digest('hex')],
  ])('the harness accepts a genuine %s delivery built from its signed string', (name, signed, sign) => {
    expect(forgery(ENDPOINTS[name], { d: sign(signed) }, signed)).toBeDefined();
  });

  it('refuses at start-up a computed challenge keyed with a secret that signs token-shaped strings (Mailgun)', () => {
    expect(() => assertChallengeCannotSign('mg', ENDPOINTS.mailgun.schemes, twitterChallenge())).toThrow(
      /Webhook endpoint "mg": .*mailgun/,
    );
    // Keyed with another (named) secret it is no oracle, and starts.
    const named = new ComputedHmacStrategy({
      match: { method: 'GET' },
      token: { from: 'query', name: 'crc_token' },
      encoding: 'hex',
      digestField: 'd',
      secretName: 'crc-key',
    });
    expect(() => assertChallengeCannotSign('mg', ENDPOINTS.mailgun.schemes, named)).not.toThrow();
  });

  it('refuses a custom scheme that does not declare it rejects challenge answers', () => {
    const custom: SignatureScheme = { name: 'mine', requiresSecret: true, verify: () => ({}) };
    expect(() => assertChallengeCannotSign('e', [custom], twitterChallenge())).toThrow(/"mine"/);
    expect(() => assertChallengeCannotSign('e', [custom], presets.dropbox().challenge!)).not.toThrow();
  });
});
