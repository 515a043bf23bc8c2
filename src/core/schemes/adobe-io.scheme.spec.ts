import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../../test/support/scheme-properties';
import { AdobeIoScheme } from './adobe-io.scheme';

// UPSTREAM vector: adobe/aio-lib-events test/mock.js (RSA-SHA256, PKCS#1 v1.5). Fresh RSA key pairs
// sign with node:crypto for rotation and properties.
const VECTOR = publishedVector('adobe_io', 'signature_rsa');
const INVALID_SIGNATURE = 'hXC8F1eTt8Xmz7ec/9MkHqfzubDCSfGsgb8dWD0F+hQ=';
const NOW = 1_700_000_000;
const signAdobe = (key: KeyObject, body: string | Buffer) => sign('sha256', Buffer.from(body), key).toString('base64');
const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }) as string;

describe('AdobeIoScheme', () => {
  const scheme = new AdobeIoScheme({ clientId: 'client_id1' });
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
    const otherClient = new AdobeIoScheme({ clientId: 'client_id2' });
    expect(
      refusal(() =>
        otherClient.verify(request({ 'x-adobe-digital-signature-1': VECTOR.inputs.signature }), [upstreamKey], at(NOW)),
      ),
    ).toBe('no_matching_signature');
    expect(
      new AdobeIoScheme().verify(
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

  it('accepts either configured key during Adobe key rotation and reports which', () => {
    const next = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keys = [upstreamKey, secret(pem(next.publicKey), 2)];
    const body = '{"event_id":"e2","recipient_client_id":"client_id1"}';
    expect(
      scheme.verify(request({ 'x-adobe-digital-signature-1': signAdobe(next.privateKey, body) }, body), keys, at(NOW))
        .secretVersion,
    ).toBe(2);
    expect(
      scheme.verify(request({ 'x-adobe-digital-signature-1': VECTOR.inputs.signature }), keys, at(NOW)).secretVersion,
    ).toBe(1);
  });

  it('refuses keys that are not RSA public keys of 2048 bits or more at start-up', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    for (const bad of ['', 'adobe_client_secret', pem(small), pem(ec)]) {
      expect(() => scheme.validateSecret(bad)).toThrow(WebhookConfigurationError);
    }
    expect(() => new AdobeIoScheme({ clientId: '' })).toThrow(WebhookConfigurationError);
  });

  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  describeSchemeProperties({
    scheme: new AdobeIoScheme(),
    secrets: [upstreamKey, secret(pem(pair.publicKey), 2)],
    now: NOW,
    headers: ['x-adobe-digital-signature-1', 'x-adobe-digital-signature-2'],
    covers: ['body'],
    runs: 40,
    request: (message, signed) =>
      request({ 'x-adobe-digital-signature-1': signAdobe(pair.privateKey, signed.body) }, message.body),
  });
});
