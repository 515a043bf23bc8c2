import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { EventWebhook } from '@sendgrid/eventwebhook';
import { WebhookConfigurationError } from '../core/errors';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { sendgrid, sendgridProvider } from './sendgrid';

// UPSTREAM vector and negative cases: sendgrid/sendgrid-nodejs packages/eventwebhook eventwebhook.spec.js.
// Fresh P-256 key pairs sign with node:crypto (ECDSA/SHA-256, DER), and SendGrid's SDK confirms them.
const VECTOR = publishedVector('sendgrid', 'signature_ecdsa');
const TS = Number(VECTOR.inputs.timestamp);
const WRONG_KEY =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==';
const spkiBase64 = (key: KeyObject) => key.export({ format: 'der', type: 'spki' }).toString('base64');
const signSendGrid = (key: KeyObject, timestamp: number | string, body: string | Buffer) =>
  sign('sha256', Buffer.concat([Buffer.from(String(timestamp)), Buffer.from(body)]), {
    key,
    dsaEncoding: 'der',
  }).toString('base64');
const headers = (signature: string | undefined, timestamp: string | undefined) => ({
  'x-twilio-email-event-webhook-signature': signature,
  'x-twilio-email-event-webhook-timestamp': timestamp,
});

describe('sendgrid', () => {
  const scheme = sendgridProvider.scheme();
  const request = (
    signature = VECTOR.inputs.signature_b64_der,
    timestamp = VECTOR.inputs.timestamp,
    body: string | Buffer = VECTOR.inputs.payload,
  ) => webhookRequest({ headers: headers(signature, timestamp), body });
  const key = secret(VECTOR.inputs.public_key_b64_der, 1);

  it('accepts the upstream vector with the base64 DER verification key', () => {
    expect(scheme.verify(request(), [key], at(TS))).toEqual({ secretVersion: 1, signedAt: new Date(TS * 1000) });
  });

  it('refuses the upstream negative cases: wrong key, wrong signature, payload, timestamp', () => {
    expect(refusal(() => scheme.verify(request(), [secret(WRONG_KEY)], at(TS)))).toBe('no_matching_signature');
    const otherSignature = VECTOR.inputs.signature_b64_der.replace('NH2j/0=', 'NH3j/0=');
    expect(refusal(() => scheme.verify(request(otherSignature), [key], at(TS)))).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(request(undefined, undefined, 'payload'), [key], at(TS)))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => scheme.verify(request(undefined, 'timestamp'), [key], at(TS)))).toBe('invalid_header');
  });

  it('refuses a stale or future timestamp and missing or malformed headers', () => {
    expect(refusal(() => scheme.verify(request(), [key], at(TS + 301)))).toBe('timestamp_too_old');
    expect(refusal(() => scheme.verify(request(), [key], at(TS - 301)))).toBe('timestamp_too_new');
    expect(
      refusal(() =>
        scheme.verify(webhookRequest({ headers: headers(undefined, VECTOR.inputs.timestamp) }), [key], at(TS)),
      ),
    ).toBe('missing_header');
    expect(
      refusal(() =>
        scheme.verify(webhookRequest({ headers: headers(VECTOR.inputs.signature_b64_der, undefined) }), [key], at(TS)),
      ),
    ).toBe('missing_header');
    expect(refusal(() => scheme.verify(request('not base64!'), [key], at(TS)))).toBe('invalid_header');
    expect(refusal(() => scheme.verify(request('A'.repeat(200)), [key], at(TS)))).toBe('invalid_header');
    expect(refusal(() => scheme.verify(request('AAAA'), [key], at(TS)))).toBe('no_matching_signature');
  });

  it('accepts a PEM key and refuses keys of another kind at start-up', () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${VECTOR.inputs.public_key_b64_der}\n-----END PUBLIC KEY-----\n`;
    expect(scheme.verify(request(), [secret(pem)], at(TS)).secretVersion).toBe(1);
    const ed = generateKeyPairSync('ed25519');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    for (const bad of ['', 'not a key', spkiBase64(ed.publicKey), spkiBase64(p384.publicKey)]) {
      expect(() => scheme.validateSecret!(bad)).toThrow(WebhookConfigurationError);
    }
    const privatePem = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    expect(() => scheme.validateSecret!(privatePem as string)).toThrow(/private key/);
  });

  // ECDSA signatures are randomized, so sign() is checked by independent verifiers (SendGrid's SDK
  // and node:crypto), not against a fixed value.
  it('signs what SendGrid SDK and node:crypto verify, and verifies it back', () => {
    const { secret: verificationKey, signingKey } = sendgridProvider.testKey();
    const { body, contentType } = sendgridProvider.sampleEvent();
    const signed = scheme.sign({ body: Buffer.from(body), key: signingKey, timestamp: TS, id: '', contentType });
    const signature = signed.headers['x-twilio-email-event-webhook-signature'];
    expect(signed.headers['x-twilio-email-event-webhook-timestamp']).toBe(String(TS));
    const sdk = new EventWebhook();
    expect(sdk.verifySignature(sdk.convertPublicKeyToECDSA(verificationKey), body, signature, String(TS))).toBe(true);
    const publicKey = createPublicKey({ key: Buffer.from(verificationKey, 'base64'), format: 'der', type: 'spki' });
    const message = Buffer.from(`${TS}${body}`);
    expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'))).toBe(
      true,
    );
    const req = webhookRequest({ headers: signed.headers, body });
    expect(scheme.verify(req, [secret(verificationKey, 4)], at(TS))).toEqual({
      secretVersion: 4,
      signedAt: new Date(TS * 1000),
    });
    expect(() =>
      scheme.sign({ body: Buffer.from(body), key: verificationKey, timestamp: TS, id: '', contentType }),
    ).toThrow(WebhookConfigurationError);
  });

  it('preset: builds its scheme with the tolerance', () => {
    const presetScheme = sendgrid({ publicKey: VECTOR.inputs.public_key_b64_der, toleranceSeconds: 10 }).schemes[0];
    expect(refusal(() => presetScheme.verify(request(), [key], at(TS + 11)))).toBe('timestamp_too_old');
    expect(presetScheme.verify(request(), [key], at(TS + 10)).secretVersion).toBe(1);
  });

  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  describeSchemeProperties({
    scheme,
    secrets: [key, secret(spkiBase64(pair.publicKey), 2)],
    now: TS,
    headers: ['x-twilio-email-event-webhook-signature', 'x-twilio-email-event-webhook-timestamp'],
    covers: ['body', 'timestamp'],
    runs: 60,
    request: (message, signed) =>
      webhookRequest({
        headers: headers(signSendGrid(pair.privateKey, signed.timestamp, signed.body), String(message.timestamp)),
        body: message.body,
      }),
  });
});
