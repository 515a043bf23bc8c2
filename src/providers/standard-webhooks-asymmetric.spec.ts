import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { WebhookConfigurationError } from '../core/errors';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { standardWebhooksAsymmetric, standardWebhooksAsymmetricProvider } from './standard-webhooks-asymmetric';

// The provider's scheme takes the header family besides the settings every provider's takes.
const schemeOf = standardWebhooksAsymmetricProvider.scheme as (settings?: {
  headerPrefix?: 'webhook' | 'svix';
}) => ReturnType<typeof standardWebhooksAsymmetricProvider.scheme>;

// UPSTREAM vector: standard-webhooks libraries/go/webhook_asymmetric_test.go TestAsymmetricWebhookSign.
const VECTOR = publishedVector('standard_webhooks', 'signature_asymmetric');
const TS = Number(VECTOR.inputs.webhook_timestamp);
const PUBLIC = `whpk_${VECTOR.inputs.public_key_b64}`;
const seedKey = (seed: Buffer) =>
  createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
const whpk = (key: KeyObject) =>
  'whpk_' + Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url').toString('base64');
const signV1a = (key: KeyObject, id: string, ts: number | string, body: string | Buffer) =>
  'v1a,' + sign(null, Buffer.concat([Buffer.from(`${id}.${ts}.`), Buffer.from(body)]), key).toString('base64');

describe('standard-webhooks-asymmetric', () => {
  const scheme = schemeOf();
  const request = (overrides: Record<string, string | undefined> = {}, body: string | Buffer = VECTOR.inputs.body) =>
    webhookRequest({
      headers: {
        'webhook-id': VECTOR.inputs.webhook_id,
        'webhook-timestamp': VECTOR.inputs.webhook_timestamp,
        'webhook-signature': VECTOR.expected,
        ...overrides,
      },
      body,
    });
  const key = secret(PUBLIC, 1);

  it('the test signs like the vector, from the published signing key', () => {
    const signer = seedKey(Buffer.from(VECTOR.inputs.secret_key_b64, 'base64'));
    expect(signV1a(signer, VECTOR.inputs.webhook_id, TS, VECTOR.inputs.body)).toBe(VECTOR.expected);
  });

  it('accepts the vector with the whpk_ public key, bare or as bytes', () => {
    expect(scheme.verify(request(), [key], at(TS))).toEqual({
      secretVersion: 1,
      messageId: VECTOR.inputs.webhook_id,
      signedAt: new Date(TS * 1000),
    });
    expect(scheme.verify(request(), [secret(VECTOR.inputs.public_key_b64)], at(TS)).secretVersion).toBe(1);
    expect(
      scheme.verify(request(), [secret(Buffer.from(VECTOR.inputs.public_key_b64, 'base64'))], at(TS)).secretVersion,
    ).toBe(1);
  });

  it('skips v1 and unknown entries and accepts the v1a one among them', () => {
    const header = `v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v2,abc v1a,bogus ${VECTOR.expected}`;
    expect(scheme.verify(request({ 'webhook-signature': header }), [key], at(TS)).secretVersion).toBe(1);
    expect(
      refusal(() =>
        scheme.verify(
          request({ 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }),
          [key],
          at(TS),
        ),
      ),
    ).toBe('no_matching_signature');
  });

  it('refuses a tampered body, id or timestamp, and another key', () => {
    expect(refusal(() => scheme.verify(request({}, '{"test": 2432232315}'), [key], at(TS)))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => scheme.verify(request({ 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJeK' }), [key], at(TS)))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => scheme.verify(request({ 'webhook-timestamp': String(TS + 1) }), [key], at(TS)))).toBe(
      'no_matching_signature',
    );
    expect(
      refusal(() => scheme.verify(request(), [secret(whpk(generateKeyPairSync('ed25519').publicKey))], at(TS))),
    ).toBe('no_matching_signature');
  });

  it('refuses stale and future timestamps, missing headers and ids with a dot', () => {
    expect(refusal(() => scheme.verify(request(), [key], at(TS + 301)))).toBe('timestamp_too_old');
    expect(refusal(() => scheme.verify(request(), [key], at(TS - 301)))).toBe('timestamp_too_new');
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      expect(refusal(() => scheme.verify(request({ [name]: undefined }), [key], at(TS)))).toBe('missing_header');
    }
    expect(refusal(() => scheme.verify(request({ 'webhook-id': 'msg.1' }), [key], at(TS)))).toBe('invalid_header');
    expect(refusal(() => scheme.verify(request({ 'webhook-timestamp': `${TS}abc` }), [key], at(TS)))).toBe(
      'invalid_header',
    );
  });

  it('reads svix-* headers when asked', () => {
    const svix = schemeOf({ headerPrefix: 'svix' });
    const req = webhookRequest({
      headers: { 'svix-id': VECTOR.inputs.webhook_id, 'svix-timestamp': String(TS), 'svix-signature': VECTOR.expected },
      body: VECTOR.inputs.body,
    });
    expect(svix.verify(req, [key], at(TS)).secretVersion).toBe(1);
  });

  it('refuses a signing key (whsk_), a symmetric secret and malformed keys at start-up', () => {
    for (const bad of [
      `whsk_${VECTOR.inputs.secret_key_b64}`,
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'whpk_',
      'whpk_AAAA',
      'whpk_!!!!',
    ]) {
      expect(() => scheme.validateSecret!(bad)).toThrow(WebhookConfigurationError);
    }
  });

  it('signs the upstream vector exactly, from the whsk_ signing key or its PEM', () => {
    const input = {
      body: Buffer.from(VECTOR.inputs.body),
      timestamp: TS,
      id: VECTOR.inputs.webhook_id,
      contentType: 'application/json',
    };
    const expected = {
      'webhook-id': VECTOR.inputs.webhook_id,
      'webhook-timestamp': VECTOR.inputs.webhook_timestamp,
      'webhook-signature': VECTOR.expected,
    };
    expect(scheme.sign({ ...input, key: `whsk_${VECTOR.inputs.secret_key_b64}` }).headers).toEqual(expected);
    const pem = seedKey(Buffer.from(VECTOR.inputs.secret_key_b64, 'base64')).export({ format: 'pem', type: 'pkcs8' });
    expect(scheme.sign({ ...input, key: pem as string }).headers).toEqual(expected);
    expect(
      schemeOf({ headerPrefix: 'svix' }).sign({ ...input, key: `whsk_${VECTOR.inputs.secret_key_b64}` }).headers,
    ).toEqual({
      'svix-id': VECTOR.inputs.webhook_id,
      'svix-timestamp': VECTOR.inputs.webhook_timestamp,
      'svix-signature': VECTOR.expected,
    });
    expect(() => scheme.sign({ ...input, key: PUBLIC })).toThrow(WebhookConfigurationError);
  });

  it('verifies what it signs with a fresh test key; the preset records svix or standard-webhooks', () => {
    const { secret: publicKey, signingKey } = standardWebhooksAsymmetricProvider.testKey();
    expect(publicKey).toMatch(/^whpk_/);
    const { body, contentType } = standardWebhooksAsymmetricProvider.sampleEvent();
    const signed = scheme.sign({ body: Buffer.from(body), key: signingKey, timestamp: TS, id: 'msg_1', contentType });
    const seed = Buffer.from(signingKey.slice('whsk_'.length), 'base64');
    expect(signed.headers['webhook-signature']).toBe(signV1a(seedKey(seed), 'msg_1', TS, body));
    const req = webhookRequest({ headers: signed.headers, body });
    expect(scheme.verify(req, [secret(publicKey, 2)], at(TS))).toEqual({
      secretVersion: 2,
      messageId: 'msg_1',
      signedAt: new Date(TS * 1000),
    });
    expect(standardWebhooksAsymmetric({ headerPrefix: 'svix' }).provider).toBe('svix');
    const preset = standardWebhooksAsymmetric({ publicKey: PUBLIC, toleranceSeconds: 10 });
    expect(preset.provider).toBe('standard-webhooks');
    expect(refusal(() => preset.schemes[0].verify(request(), [key], at(TS + 11)))).toBe('timestamp_too_old');
  });

  const pair = generateKeyPairSync('ed25519');
  describeSchemeProperties({
    scheme,
    secrets: [key, secret(whpk(pair.publicKey), 2)],
    now: TS,
    headers: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    covers: ['body', 'id', 'timestamp'],
    expectedId: (message) => message.id,
    runs: 60,
    request: (message, signed) =>
      webhookRequest({
        headers: {
          'webhook-id': message.id,
          'webhook-timestamp': String(message.timestamp),
          'webhook-signature': signV1a(pair.privateKey, signed.id, signed.timestamp, signed.body),
        },
        body: message.body,
      }),
  });
});
