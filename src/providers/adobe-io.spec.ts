import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { WebhookRequest } from '../core/request';
import { WebhookConfigurationError } from '../core/errors';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { adobeIo, adobeIoChallenge, adobeIoProvider } from './adobe-io';

// The provider's scheme takes Adobe's client id besides the settings every provider's takes.
const adobeIoScheme = adobeIoProvider.scheme as (settings?: {
  clientId?: string;
}) => ReturnType<typeof adobeIoProvider.scheme>;

// UPSTREAM vector: adobe/aio-lib-events test/mock.js (RSA-SHA256, PKCS#1 v1.5). Fresh RSA key pairs
// sign with node:crypto for rotation and properties.
const VECTOR = publishedVector('adobe_io', 'signature_rsa');
const INVALID_SIGNATURE = 'hXC8F1eTt8Xmz7ec/9MkHqfzubDCSfGsgb8dWD0F+hQ=';
const NOW = 1_700_000_000;
const signAdobe = (key: KeyObject, body: string | Buffer) => sign('sha256', Buffer.from(body), key).toString('base64');
const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }) as string;

const get = (query: Record<string, string>): WebhookRequest => ({
  method: 'GET',
  url: '/hooks/adobe-io',
  headers: {},
  query,
  rawBody: Buffer.alloc(0),
});
const context = { endpoint: 'adobe-io', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('adobe-io', () => {
  const scheme = adobeIoScheme({ clientId: 'client_id1' });
  const request = (signatures: Record<string, string | undefined>, body: string | Buffer = VECTOR.inputs.payload) =>
    webhookRequest({
      headers: {
        ...signatures,
        // Ignored: a key location chosen by the sender proves nothing.
        'x-adobe-public-key1-path': '/prod/keys/pub-key-voy5XEbWmT.pem',
      },
      body,
    });
  const upstreamKey = secret(VECTOR.inputs.public_key_pem, 1);

  it('accepts the upstream vector in either signature header, checking recipient_client_id', () => {
    for (const name of ['x-adobe-digital-signature-1', 'x-adobe-digital-signature-2']) {
      expect(scheme.verify(request({ [name]: VECTOR.inputs.signature }), [upstreamKey], at(NOW))).toEqual({
        secretVersion: 1,
        messageId: 'eventId1',
      });
    }
    const both = request({
      'x-adobe-digital-signature-1': INVALID_SIGNATURE,
      'x-adobe-digital-signature-2': VECTOR.inputs.signature,
    });
    expect(scheme.verify(both, [upstreamKey], at(NOW)).secretVersion).toBe(1);
  });

  it('accepts the key as base64 of the PEM, as the Adobe samples give it', () => {
    const base64Pem = Buffer.from(VECTOR.inputs.public_key_pem).toString('base64');
    expect(
      scheme.verify(request({ 'x-adobe-digital-signature-1': VECTOR.inputs.signature }), [secret(base64Pem)], at(NOW))
        .secretVersion,
    ).toBe(1);
  });

  it('refuses the upstream invalid signature, a tampered body and another key', () => {
    expect(
      refusal(() =>
        scheme.verify(request({ 'x-adobe-digital-signature-1': INVALID_SIGNATURE }), [upstreamKey], at(NOW)),
      ),
    ).toBe('no_matching_signature');
    const tampered = VECTOR.inputs.payload.replace('world', 'World');
    expect(
      refusal(() =>
        scheme.verify(
          request({ 'x-adobe-digital-signature-1': VECTOR.inputs.signature }, tampered),
          [upstreamKey],
          at(NOW),
        ),
      ),
    ).toBe('no_matching_signature');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(
      refusal(() =>
        scheme.verify(
          request({ 'x-adobe-digital-signature-1': VECTOR.inputs.signature }),
          [secret(pem(other))],
          at(NOW),
        ),
      ),
    ).toBe('no_matching_signature');
  });

  it('refuses an authentic event addressed to another client id', () => {
    const otherClient = adobeIoScheme({ clientId: 'client_id2' });
    expect(
      refusal(() =>
        otherClient.verify(request({ 'x-adobe-digital-signature-1': VECTOR.inputs.signature }), [upstreamKey], at(NOW)),
      ),
    ).toBe('no_matching_signature');
    expect(
      adobeIoScheme().verify(
        request({ 'x-adobe-digital-signature-1': VECTOR.inputs.signature }),
        [upstreamKey],
        at(NOW),
      ).secretVersion,
    ).toBe(1);
  });

  it('refuses missing and malformed signature headers', () => {
    expect(refusal(() => scheme.verify(request({}), [upstreamKey], at(NOW)))).toBe('missing_header');
    expect(
      refusal(() => scheme.verify(request({ 'x-adobe-digital-signature-1': 'not base64!' }), [upstreamKey], at(NOW))),
    ).toBe('invalid_header');
    expect(
      refusal(() => scheme.verify(request({ 'x-adobe-digital-signature-2': 'A'.repeat(800) }), [upstreamKey], at(NOW))),
    ).toBe('invalid_header');
  });

  it('refuses keys that are not RSA public keys of 2048 bits or more at start-up', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    for (const bad of ['', 'adobe_client_secret', pem(small), pem(ec)]) {
      expect(() => scheme.validateSecret!(bad)).toThrow(WebhookConfigurationError);
    }
    expect(() => adobeIoScheme({ clientId: '' })).toThrow(WebhookConfigurationError);
  });

  // RSA PKCS#1 v1.5 is deterministic: sign() must equal node:crypto's signature with the same key.
  it('signs exactly as node:crypto RSA-SHA256 does, and verifies it back', () => {
    const { secret: publicPem, signingKey } = adobeIoProvider.testKey();
    const { body, contentType } = adobeIoProvider.sampleEvent();
    const signed = adobeIoScheme().sign({
      body: Buffer.from(body),
      key: signingKey,
      timestamp: NOW,
      id: '',
      contentType,
    });
    expect(signed.headers).toEqual({
      'x-adobe-digital-signature-1': signAdobe(createPrivateKey(signingKey), body),
    });
    expect(adobeIoScheme().verify(request(signed.headers, body), [secret(publicPem, 5)], at(NOW))).toEqual({
      secretVersion: 5,
      messageId: JSON.parse(body).event_id,
    });
  });

  it('preset: checks the recipient when given a client id, and answers the challenge', () => {
    const definition = adobeIo({ publicKey: VECTOR.inputs.public_key_pem, clientId: 'client_id2' });
    const signedRequest = request({ 'x-adobe-digital-signature-1': VECTOR.inputs.signature });
    expect(refusal(() => definition.schemes[0].verify(signedRequest, [upstreamKey], at(NOW)))).toBe(
      'no_matching_signature',
    );
    expect(adobeIo().schemes[0].verify(signedRequest, [upstreamKey], at(NOW)).secretVersion).toBe(1);
    expect(() => adobeIo({ clientId: '' })).toThrow(WebhookConfigurationError);
    const probe = adobeIoProvider.challengeRequest!({ url: 'https://example.com/hooks' });
    const challenge = get(probe.query as Record<string, string>);
    expect(definition.challenge?.detect(challenge)).toBe(true);
    const answer = definition.challenge!.respond(challenge, context) as { status: number; body: unknown };
    expect(
      probe.check({ status: answer.status, headers: new Headers(), text: JSON.stringify(answer.body) }),
    ).toBeUndefined();
    expect(probe.check({ status: 200, headers: new Headers(), text: '{"challenge":"other"}' })).toBeDefined();
  });

  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  describeSchemeProperties({
    scheme: adobeIoScheme(),
    secrets: [upstreamKey, secret(pem(pair.publicKey), 2)],
    now: NOW,
    headers: ['x-adobe-digital-signature-1', 'x-adobe-digital-signature-2'],
    covers: ['body'],
    runs: 40,
    request: (message, signed) =>
      request({ 'x-adobe-digital-signature-1': signAdobe(pair.privateKey, signed.body) }, message.body),
  });
});

describe('adobeIoChallenge', () => {
  it('answers {"challenge": …} as JSON', () => {
    const strategy = adobeIoChallenge();
    expect(strategy.detect(get({ challenge: '8ec8d794-e0ab-42df-9017-e3dada8e84f7' }))).toBe(true);
    expect(strategy.respond(get({ challenge: '8ec8d794-e0ab-42df-9017-e3dada8e84f7' }), context)).toEqual({
      status: 200,
      body: { challenge: '8ec8d794-e0ab-42df-9017-e3dada8e84f7' },
    });
  });

  it('refuses a GET without a challenge', () => {
    expect(() => adobeIoChallenge().respond(get({}), context)).toThrow(
      expect.objectContaining({ code: 'invalid_challenge' }),
    );
  });
});
