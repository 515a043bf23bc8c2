import { createHmac } from 'node:crypto';
import { NOW, describeBodyHmacScheme, itSignsTheVector } from '../../test/support/provider-spec';
import { answerProbe } from '../../test/support/challenge-probe';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import type { WebhookRequest } from '../core/request';
import { metaProvider, metaChallenge } from './meta';

// SELF vector of shared/providers.md §4 (Meta publishes none).
const VECTOR = publishedVector('meta', 'signature');
const sign = (key: string, body: string | Buffer) => 'sha256=' + createHmac('sha256', key).update(body).digest('hex');

describe('metaProvider.scheme()', () => {
  const scheme = metaProvider.scheme();
  const { request, secrets } = describeBodyHmacScheme({
    scheme,
    header: 'x-hub-signature-256',
    vector: VECTOR,
    keyInput: 'app_secret',
    sign,
    misspelt: VECTOR.expected.slice(7),
  });

  it('does not accept the legacy SHA-1 X-Hub-Signature in place of X-Hub-Signature-256', () => {
    const legacy = publishedVector('meta', 'signature_legacy_sha1');
    const onlyLegacy = webhookRequest({ headers: { 'x-hub-signature': legacy.expected }, body: legacy.inputs.body });
    expect(refusal(() => scheme.verify(onlyLegacy, secrets, at(NOW)))).toBe('missing_header');
  });

  it('hashes the escaped-unicode bytes as received, so a re-encoded body does not verify', () => {
    const escaped = '{"name":"\\u00e4\\u00f6\\u00e5"}';
    const decoded = JSON.stringify(JSON.parse(escaped));
    expect(scheme.verify(request(sign('k', escaped), escaped), [secret('k')], at(NOW)).secretVersion).toBe(1);
    expect(refusal(() => scheme.verify(request(sign('k', escaped), decoded), [secret('k')], at(NOW)))).toBe(
      'no_matching_signature',
    );
  });
});

const get = (query: Record<string, string>): WebhookRequest => ({
  method: 'GET',
  url: '/hooks/meta?' + new URLSearchParams(query).toString(),
  headers: {},
  query,
  rawBody: Buffer.alloc(0),
});
const context = (tokens: string[] = ['meatyhamhock']) => ({
  endpoint: 'meta',
  secrets: [],
  namedSecrets: { 'verify-token': tokens.map((value, i) => ({ version: tokens.length - i, value })) },
  receivedAt: 0,
});

// developers.facebook.com/docs/graph-api/webhooks/getting-started
const DOCUMENTED = { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'meatyhamhock' };

describe('metaChallenge', () => {
  it('reads the verify-token named secret and is not signed', () => {
    expect(metaChallenge().secretNames).toEqual(['verify-token']);
    expect(metaChallenge({ secretName: 'wa-verify-token' }).secretNames).toEqual(['wa-verify-token']);
    expect(metaChallenge().signed).toBe(false);
  });

  it('echoes hub.challenge as text when the verify token matches', () => {
    const strategy = metaChallenge();
    expect(strategy.detect(get(DOCUMENTED))).toBe(true);
    expect(strategy.respond(get(DOCUMENTED), context())).toEqual({ status: 200, body: '1158201444' });
  });

  it('accepts a previous verify token during a rotation', () => {
    expect(metaChallenge().respond(get(DOCUMENTED), context(['new-token', 'meatyhamhock'])).body).toBe('1158201444');
  });

  it('refuses a wrong verify token', () => {
    const wrong = get({ ...DOCUMENTED, 'hub.verify_token': 'meatyhamhockx' });
    expect(() => metaChallenge().respond(wrong, context())).toThrow(
      expect.objectContaining({ code: 'challenge_verification_failed' }),
    );
  });

  it('detects only hub.mode=subscribe on GET', () => {
    expect(metaChallenge().detect(get({ ...DOCUMENTED, 'hub.mode': 'unsubscribe' }))).toBe(false);
    expect(metaChallenge().detect({ ...get(DOCUMENTED), method: 'POST' })).toBe(false);
  });
});

describe('metaProvider.scheme().sign()', () => {
  itSignsTheVector(metaProvider.scheme(), VECTOR, 'app_secret');
});

describe('metaProvider.challengeRequest', () => {
  it("is detected and answered by the preset's strategy as the provider expects; a wrong answer is called wrong", () => {
    const probe = metaProvider.challengeRequest!({
      url: 'https://hooks.example.com/webhooks/meta',
      verifyToken: 'meatyhamhock',
    });
    const { detected, verdict } = answerProbe(probe, metaChallenge(), {
      namedSecrets: { 'verify-token': [secret('meatyhamhock')] },
    });
    expect(detected).toBe(true);
    expect(verdict).toBeUndefined();
    expect(probe.check({ status: 200, headers: new Headers(), text: 'other' })).toBeDefined();
    const wrongToken = metaProvider.challengeRequest!({
      url: 'https://hooks.example.com/webhooks/meta',
      verifyToken: 'x',
    });
    expect(() =>
      answerProbe(wrongToken, metaChallenge(), { namedSecrets: { 'verify-token': [secret('meatyhamhock')] } }),
    ).toThrow(expect.objectContaining({ code: 'challenge_verification_failed' }));
  });
});
