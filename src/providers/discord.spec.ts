import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { WebhookConfigurationError } from '../core/errors';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { discord, discordProvider } from './discord';

// SELF vector of shared/providers.md §15, made with the RFC 8032 §7.1 TEST 1 key pair (itself a
// published vector); more signatures from fresh key pairs with node:crypto.
const VECTOR = publishedVector('discord', 'signature');
const TS = Number(VECTOR.inputs.timestamp);
const rfcKey = createPrivateKey({
  key: Buffer.concat([
    Buffer.from('302e020100300506032b657004220420', 'hex'),
    Buffer.from(VECTOR.inputs.private_seed_hex, 'hex'),
  ]),
  format: 'der',
  type: 'pkcs8',
});
const rawPublicHex = (key: KeyObject) => Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
const signDiscord = (key: KeyObject, timestamp: number | string, body: string | Buffer) =>
  sign(null, Buffer.concat([Buffer.from(String(timestamp)), Buffer.from(body)]), key).toString('hex');

describe('discord', () => {
  const scheme = discordProvider.scheme();
  const request = (
    signature: string | undefined,
    timestamp: string | undefined = VECTOR.inputs.timestamp,
    body: string | Buffer = VECTOR.inputs.body,
  ) => webhookRequest({ headers: { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }, body });
  const publicKey = secret(VECTOR.inputs.public_key_hex, 1);

  it('the test signs like the vector (RFC 8032 key, deterministic Ed25519)', () => {
    expect(signDiscord(rfcKey, VECTOR.inputs.timestamp, VECTOR.inputs.body)).toBe(VECTOR.expected);
  });

  it('accepts the vector with the hex public key and reports the interaction id', () => {
    expect(scheme.verify(request(VECTOR.expected), [publicKey], at(TS))).toEqual({
      secretVersion: 1,
      messageId: '787053080478613555',
      signedAt: new Date(TS * 1000),
    });
    const upper = request(VECTOR.expected.toUpperCase());
    expect(scheme.verify(upper, [secret(VECTOR.inputs.public_key_hex.toUpperCase())], at(TS)).secretVersion).toBe(1);
  });

  it('refuses the deliberately bad signatures Discord sends, a tampered body or timestamp, and another key', () => {
    const flipped = (VECTOR.expected[0] === '0' ? '1' : '0') + VECTOR.expected.slice(1);
    expect(refusal(() => scheme.verify(request(flipped), [publicKey], at(TS)))).toBe('no_matching_signature');
    expect(
      refusal(() =>
        scheme.verify(
          request(VECTOR.expected, VECTOR.inputs.timestamp, VECTOR.inputs.body.replace('"type":1', '"type":2')),
          [publicKey],
          at(TS),
        ),
      ),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(VECTOR.expected, String(TS + 1)), [publicKey], at(TS)))).toBe(
      'no_matching_signature',
    );
    const other = rawPublicHex(generateKeyPairSync('ed25519').publicKey);
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [secret(other)], at(TS)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses a timestamp more than 300 s away', () => {
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [publicKey], at(TS + 301)))).toBe('timestamp_too_old');
    expect(refusal(() => scheme.verify(request(VECTOR.expected), [publicKey], at(TS - 301)))).toBe('timestamp_too_new');
  });

  it('refuses missing and malformed headers', () => {
    expect(refusal(() => scheme.verify(request(undefined), [publicKey], at(TS)))).toBe('missing_header');
    const noTimestamp = webhookRequest({
      headers: { 'x-signature-ed25519': VECTOR.expected },
      body: VECTOR.inputs.body,
    });
    expect(refusal(() => scheme.verify(noTimestamp, [publicKey], at(TS)))).toBe('missing_header');
    expect(refusal(() => scheme.verify(request(VECTOR.expected.slice(2)), [publicKey], at(TS)))).toBe('invalid_header');
    expect(
      refusal(() =>
        scheme.verify(request(Buffer.from(VECTOR.expected, 'hex').toString('base64')), [publicKey], at(TS)),
      ),
    ).toBe('invalid_header');
    expect(refusal(() => scheme.verify(request(VECTOR.expected, '1700000000.0'), [publicKey], at(TS)))).toBe(
      'invalid_header',
    );
  });

  it('refuses keys that are not 32-byte Ed25519 public keys in hex at start-up', () => {
    for (const bad of ['', 'xyz', VECTOR.inputs.public_key_hex.slice(2), VECTOR.inputs.private_seed_hex + '00']) {
      expect(() => scheme.validateSecret!(bad)).toThrow(WebhookConfigurationError);
    }
  });

  it('signs the vector exactly, from the seed in hex or the PEM private key', () => {
    const input = { body: Buffer.from(VECTOR.inputs.body), timestamp: TS, id: '', contentType: 'application/json' };
    const expected = { 'x-signature-ed25519': VECTOR.expected, 'x-signature-timestamp': VECTOR.inputs.timestamp };
    expect(scheme.sign({ ...input, key: VECTOR.inputs.private_seed_hex }).headers).toEqual(expected);
    const pem = rfcKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    expect(scheme.sign({ ...input, key: pem }).headers).toEqual(expected);
    expect(() => scheme.sign({ ...input, key: VECTOR.inputs.public_key_hex + '00' })).toThrow(
      WebhookConfigurationError,
    );
  });

  it('verifies what it signs with a fresh test key and a sample event', () => {
    const { secret: publicHex, signingKey } = discordProvider.testKey();
    const { body, contentType } = discordProvider.sampleEvent();
    const signed = scheme.sign({ body: Buffer.from(body), key: signingKey, timestamp: TS, id: '', contentType });
    const req = webhookRequest({ headers: signed.headers, body });
    expect(scheme.verify(req, [secret(publicHex, 3)], at(TS))).toEqual({
      secretVersion: 3,
      messageId: JSON.parse(body).id,
      signedAt: new Date(TS * 1000),
    });
    // An independent signer (node:crypto over timestamp + body) agrees with sign().
    const independent = signDiscord(
      createPrivateKey({
        key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(signingKey, 'hex')]),
        format: 'der',
        type: 'pkcs8',
      }),
      TS,
      body,
    );
    expect(signed.headers['x-signature-ed25519']).toBe(independent);
  });

  it('preset: builds its scheme with the tolerance, and answers a signed PING (challengeRequest)', () => {
    const definition = discord({ publicKey: VECTOR.inputs.public_key_hex, toleranceSeconds: 10 });
    const presetScheme = definition.schemes[0];
    expect(refusal(() => presetScheme.verify(request(VECTOR.expected), [publicKey], at(TS + 11)))).toBe(
      'timestamp_too_old',
    );
    expect(() => discord({ toleranceSeconds: 0 })).toThrow(WebhookConfigurationError);
    const probe = discordProvider.challengeRequest!({
      url: 'https://example.com/hooks',
      secret: VECTOR.inputs.private_seed_hex,
    });
    const ping = webhookRequest({ method: probe.method, headers: probe.headers, body: probe.body });
    const now = Number(probe.headers['x-signature-timestamp']);
    expect(scheme.verify(ping, [publicKey], at(now)).secretVersion).toBe(1);
    expect(definition.challenge?.detect(ping)).toBe(true);
    expect(probe.check({ status: 200, headers: new Headers(), text: '{"type":1}' })).toBeUndefined();
    expect(probe.check({ status: 401, headers: new Headers(), text: '' })).toBeDefined();
    expect(probe.check({ status: 200, headers: new Headers(), text: '{"type":4}' })).toBeDefined();
  });

  const pair = generateKeyPairSync('ed25519');
  describeSchemeProperties({
    scheme,
    secrets: [publicKey, secret(rawPublicHex(pair.publicKey), 2)],
    now: TS,
    headers: ['x-signature-ed25519', 'x-signature-timestamp'],
    covers: ['body', 'timestamp'],
    runs: 60,
    request: (message, signed) =>
      request(signDiscord(pair.privateKey, signed.timestamp, signed.body), String(message.timestamp), message.body),
  });
});
