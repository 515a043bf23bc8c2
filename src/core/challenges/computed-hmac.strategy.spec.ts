import { publishedVector } from '../../../test/support/scheme-testing';
import type { ChallengeContext } from '../challenge-strategy';
import { WebhookConfigurationError } from '../errors';
import type { WebhookRequest } from '../request';
import { ComputedHmacStrategy } from './computed-hmac.strategy';

const ZOOM = publishedVector('zoom', 'challenge');
const X = publishedVector('twitter_x', 'challenge');

const context = (secrets: ChallengeContext['secrets'], namedSecrets: ChallengeContext['namedSecrets'] = {}) => ({
  endpoint: 'test',
  secrets,
  namedSecrets,
  receivedAt: 0,
});

const zoomLike = () =>
  new ComputedHmacStrategy({
    match: { method: 'POST', body: { event: 'endpoint.url_validation' } },
    token: { from: 'body', name: ['payload', 'plainToken'] },
    encoding: 'hex',
    tokenField: 'plainToken',
    digestField: 'encryptedToken',
  });

const zoomRequest = (plainToken: unknown): WebhookRequest => ({
  method: 'POST',
  url: '/',
  headers: { 'content-type': 'application/json' },
  query: {},
  rawBody: Buffer.from(
    JSON.stringify({ payload: { plainToken }, event_ts: 1654503849680, event: 'endpoint.url_validation' }),
  ),
});

const crcRequest = (token: string): WebhookRequest => ({
  method: 'GET',
  url: `/?crc_token=${token}`,
  headers: {},
  query: { crc_token: token },
  rawBody: Buffer.alloc(0),
});

describe('ComputedHmacStrategy', () => {
  it('answers the Zoom vector (elastic/beats)', () => {
    const strategy = zoomLike();
    const req = zoomRequest(ZOOM.inputs.plainToken);
    expect(strategy.kind).toBe('computed-hmac');
    expect(strategy.detect(req)).toBe(true);
    expect(strategy.respond(req, context([{ version: 1, value: ZOOM.inputs.secret_token }]))).toEqual({
      status: 200,
      body: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: ZOOM.expected },
    });
  });

  it('answers the X CRC vector with base64 and a prefix', () => {
    const strategy = new ComputedHmacStrategy({
      match: { method: 'GET' },
      token: { from: 'query', name: 'crc_token' },
      algorithm: 'sha256',
      encoding: 'base64',
      prefix: 'sha256=',
      digestField: 'response_token',
    });
    const answer = strategy.respond(
      crcRequest(X.inputs.crc_token),
      context([{ version: 1, value: X.inputs.consumer_secret }]),
    );
    expect(answer).toEqual({ status: 200, body: X.expected });
  });

  it('keys with the newest live secret (a Buffer works too)', () => {
    const strategy = zoomLike();
    const answer = strategy.respond(
      zoomRequest(ZOOM.inputs.plainToken),
      context([
        { version: 2, value: Buffer.from(ZOOM.inputs.secret_token) },
        { version: 1, value: 'an-older-secret' },
      ]),
    );
    expect((answer.body as Record<string, string>).encryptedToken).toBe(ZOOM.expected);
  });

  it('keys with a named secret when configured', () => {
    const strategy = new ComputedHmacStrategy({
      match: { method: 'GET' },
      token: { from: 'query', name: 'crc_token' },
      encoding: 'base64',
      prefix: 'sha256=',
      digestField: 'response_token',
      secretName: 'consumer-secret',
    });
    expect(strategy.secretNames).toEqual(['consumer-secret']);
    const answer = strategy.respond(
      crcRequest(X.inputs.crc_token),
      context([{ version: 1, value: 'not-this-one' }], {
        'consumer-secret': [{ version: 1, value: X.inputs.consumer_secret }],
      }),
    );
    expect(answer.body).toEqual(X.expected);
  });

  it('fails closed without a secret', () => {
    expect(() => zoomLike().respond(zoomRequest('abc'), context([]))).toThrow(
      expect.objectContaining({ code: 'no_secret_configured' }),
    );
  });

  it.each([
    ['missing', undefined],
    ['a number', 12345],
    ['oversized', 'a'.repeat(257)],
    ['markup', '"><script>'],
  ])('refuses a %s token with invalid_challenge', (_name, token) => {
    expect(() => zoomLike().respond(zoomRequest(token), context([{ version: 1, value: 's' }]))).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
  });

  it.each([
    [{ encoding: 'base32' }, 'encoding'],
    [{ algorithm: 'md5' }, 'algorithm'],
    [{ digestField: '' }, 'digestField'],
  ])('refuses bad options at start-up (%#)', (override, field) => {
    const strategy = new ComputedHmacStrategy({
      match: { method: 'GET' },
      token: { from: 'query', name: 'crc_token' },
      encoding: 'hex',
      digestField: 'd',
      ...override,
    } as never);
    expect(() => strategy.validate('zoom')).toThrow(WebhookConfigurationError);
    expect(() => strategy.validate('zoom')).toThrow(new RegExp(`"zoom".*${field}`));
  });
});

// Issue 13 item 1: whatever tokenSafety allows, only COMPUTED_TOKEN_PATTERN tokens are signed, so
// an answer is never the signature of a form, JSON or text body, nor of a "v0:ts:body" string.
describe('ComputedHmacStrategy never signs a token that could be a delivery', () => {
  const wide = new ComputedHmacStrategy({
    match: { method: 'GET' },
    token: { from: 'query', name: 'crc_token' },
    encoding: 'base64',
    prefix: 'sha256=',
    digestField: 'response_token',
    tokenSafety: { pattern: /[\x20-\x7e]+/ },
  });
  const secrets = [{ version: 1, value: 'consumer' }];

  it.each(['for_user_id=1337', 'a=b&c=d', '{}', '[1]', 'v0:1700000000:abc', '1700000000.abc', 'a b', 'a.b', 'ab=c'])(
    'refuses %j with invalid_challenge',
    (token) => {
      expect(() => wide.respond(crcRequest(token), context(secrets))).toThrow(
        expect.objectContaining({ code: 'invalid_challenge' }),
      );
    },
  );

  it('answers the tokens X and Zoom send, and base64 with padding', () => {
    for (const token of [X.inputs.crc_token, ZOOM.inputs.plainToken, 'YWJjZA==', 'a_b-c+d/e']) {
      expect(wide.respond(crcRequest(token), context(secrets)).status).toBe(200);
    }
  });

  it('says whether it computes with the signing secret', () => {
    expect(wide.computesWithSigningSecret).toBe(true);
    const named = new ComputedHmacStrategy({
      match: { method: 'GET' },
      token: { from: 'query', name: 'crc_token' },
      encoding: 'hex',
      digestField: 'd',
      secretName: 'crc-key',
    });
    expect(named.computesWithSigningSecret).toBe(false);
  });
});
