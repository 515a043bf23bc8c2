import { constants, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import { at, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { asymmetricSignature, type AsymmetricSchemeOptions } from './asymmetric.engine';

// The engine's own cases, beyond what the provider specs (discord, sendgrid, adobe-io,
// standard-webhooks-asymmetric) check with their published vectors. Expected signatures come from
// node:crypto written out here, or from the Plaid ES256 vector of shared/provider-vectors.

/**
 * shared/provider-vectors/plaid-vector.json: a JWT signed ES256 (ECDSA P-256/SHA-256, raw r‖s in
 * base64url) over `header.payload`, and the public JWK that verifies it.
 */
const PLAID_JWT =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6InRlc3Qta2lkLTEiLCJ0eXAiOiJKV1QifQ.eyJpYXQiOjE3MDAwMDAwMDAsInJlcXVlc3RfYm9keV9zaGEyNTYiOiIzNjM3YTA4MmUwMGNkYTRjNzMwNGVkMmZhY2M0NDE5YmIxNjVkYzc2ZmJkZTAxMTBmOTkyZDVmNjM3YmM4MzFlIn0.yWs-usLWuz1gs-AyFVZFKfb8zV42xhtqOIuYFbqA7DYBGvQc0w-gQr1pGwcfLA5SOozXU-bPzP0z1Thmi41ifg';
const PLAID_JWK = {
  kty: 'EC',
  crv: 'P-256',
  x: 'AZSc7X8YsDGnLM0nOmf--YiC1Nt_91B9BbDn4TYeqPQ',
  y: 'CfMYCkyYI6n2nQ_UUfPreqFgnjwaraxdfXo4Rv6Em0I',
};
const NOW = 1_700_000_000;

const base = (overrides: Partial<AsymmetricSchemeOptions> = {}): AsymmetricSchemeOptions => ({
  name: 'acme',
  algorithm: 'rsa-sha256',
  header: 'x-acme-signature',
  encoding: 'base64',
  publicKey: { encoding: 'spki', label: 'An Acme public key' },
  ...overrides,
});
const spki = (key: ReturnType<typeof generateKeyPairSync>['publicKey']) =>
  key.export({ format: 'der', type: 'spki' }).toString('base64');
const input = (body: string, extra: { id?: string; timestamp?: number } = {}) => ({
  body: Buffer.from(body),
  timestamp: extra.timestamp ?? NOW,
  id: extra.id ?? 'evt_1',
  contentType: 'application/json',
});

describe('AsymmetricScheme', () => {
  it('verifies the Plaid ES256 vector as raw r‖s ECDSA, and refuses it as DER or tampered', () => {
    const [header, payload, signature] = PLAID_JWT.split('.');
    const body = `${header}.${payload}`;
    const publicKey = createPublicKey({ key: PLAID_JWK, format: 'jwk' });
    const options = base({ algorithm: 'ecdsa-p256-sha256', ecdsaFormat: 'raw' });
    const key = secret(spki(publicKey), 1);
    const b64 = Buffer.from(signature, 'base64url').toString('base64');
    const req = (value: string, text = body) => webhookRequest({ headers: { 'x-acme-signature': value }, body: text });
    expect(asymmetricSignature(options).verify(req(b64), [key], at(NOW))).toEqual({ secretVersion: 1 });
    expect(refusal(() => asymmetricSignature(options).verify(req(b64, body + ' '), [key], at(NOW)))).toBe(
      'no_matching_signature',
    );
    const der = asymmetricSignature({ ...options, ecdsaFormat: 'der' });
    expect(refusal(() => der.verify(req(b64), [key], at(NOW)))).toBe('no_matching_signature');
    // Raw r‖s is exactly 64 bytes: anything else is malformed.
    expect(refusal(() => asymmetricSignature(options).verify(req(b64.slice(4)), [key], at(NOW)))).toBe(
      'invalid_header',
    );
  });

  it('signs raw ECDSA that node:crypto verifies as ieee-p1363', () => {
    const scheme = asymmetricSignature(base({ algorithm: 'ecdsa-p256-sha256', ecdsaFormat: 'raw', encoding: 'hex' }));
    const pair = scheme.generateTestKey();
    const signed = scheme.sign({ ...input('{"a":1}'), key: pair.signingKey });
    const signature = Buffer.from(signed.headers['x-acme-signature'], 'hex');
    expect(signature).toHaveLength(64);
    const publicKey = createPublicKey({ key: Buffer.from(pair.secret, 'base64'), format: 'der', type: 'spki' });
    expect(verify('sha256', Buffer.from('{"a":1}'), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(
      true,
    );
  });

  it('verifies RSA-PSS (salt = digest length) signed by node:crypto, and signs what node:crypto verifies', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const scheme = asymmetricSignature(
      base({ algorithm: 'rsa-pss-sha256', template: '{timestamp}.{body}', timestampHeader: 'x-acme-time' }),
    );
    const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    const message = Buffer.from(`${NOW}.{"a":1}`);
    const theirs = sign('sha256', message, { key: pair.privateKey, ...pss }).toString('base64');
    const req = webhookRequest({
      headers: { 'x-acme-signature': theirs, 'x-acme-time': String(NOW) },
      body: '{"a":1}',
    });
    expect(scheme.verify(req, [secret(spki(pair.publicKey))], at(NOW)).signedAt).toEqual(new Date(NOW * 1000));
    const privatePem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const ours = scheme.sign({ ...input('{"a":1}'), key: privatePem });
    expect(ours.headers['x-acme-time']).toBe(String(NOW));
    const signature = Buffer.from(ours.headers['x-acme-signature'], 'base64');
    expect(verify('sha256', message, { key: pair.publicKey, ...pss }, signature)).toBe(true);
    // A PKCS#1 v1.5 signature is not a PSS one.
    const v15 = sign('sha256', message, pair.privateKey).toString('base64');
    const v15Request = webhookRequest({
      headers: { 'x-acme-signature': v15, 'x-acme-time': String(NOW) },
      body: '{"a":1}',
    });
    expect(refusal(() => scheme.verify(v15Request, [secret(spki(pair.publicKey))], at(NOW)))).toBe(
      'no_matching_signature',
    );
  });

  it('reads hex RSA signatures of any valid length and refuses oversized or odd ones', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const scheme = asymmetricSignature(base({ encoding: 'hex', prefix: 'sha256=' }));
    const signature = sign('sha256', Buffer.from('hi'), pair.privateKey).toString('hex');
    const req = (value: string) => webhookRequest({ headers: { 'x-acme-signature': value }, body: 'hi' });
    const key = secret(spki(pair.publicKey));
    expect(scheme.verify(req(`sha256=${signature.toUpperCase()}`), [key], at(NOW)).secretVersion).toBe(1);
    expect(refusal(() => scheme.verify(req(signature), [key], at(NOW)))).toBe('invalid_header');
    expect(refusal(() => scheme.verify(req(`sha256=${signature}0`), [key], at(NOW)))).toBe('invalid_header');
    expect(refusal(() => scheme.verify(req(`sha256=${'ab'.repeat(513)}`), [key], at(NOW)))).toBe('invalid_header');
  });

  it('takes a signature from any of several headers; a malformed one is invalid_header, none missing_header', () => {
    const pair = generateKeyPairSync('ed25519');
    const scheme = asymmetricSignature(
      base({ algorithm: 'ed25519', header: ['x-sig-1', 'x-sig-2'], publicKey: { encoding: 'spki', label: 'A key' } }),
    );
    const good = sign(null, Buffer.from('body'), pair.privateKey).toString('base64');
    const other = sign(null, Buffer.from('other'), pair.privateKey).toString('base64');
    const key = secret(spki(pair.publicKey));
    const req = (headers: Record<string, string>) => webhookRequest({ headers, body: 'body' });
    expect(scheme.verify(req({ 'x-sig-1': other, 'x-sig-2': good }), [key], at(NOW)).secretVersion).toBe(1);
    expect(refusal(() => scheme.verify(req({ 'x-sig-1': other }), [key], at(NOW)))).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(req({ 'x-sig-2': 'nope', 'x-sig-1': good }), [key], at(NOW)))).toBe(
      'invalid_header',
    );
    expect(refusal(() => scheme.verify(req({}), [key], at(NOW)))).toBe('missing_header');
    expect(
      scheme.sign({ ...input('body'), key: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string })
        .headers,
    ).toEqual({
      'x-sig-1': good,
    });
  });

  it('refuses a signature list longer than 32 entries', () => {
    const scheme = asymmetricSignature(base({ algorithm: 'ed25519', prefix: 'v1a,', separator: ' ' }));
    const req = webhookRequest({ headers: { 'x-acme-signature': Array(33).fill('v1a,x').join(' ') }, body: 'b' });
    expect(refusal(() => scheme.verify(req, [secret('unused')], at(NOW)))).toBe('invalid_header');
  });

  it('signs and reads RFC 3339 and millisecond timestamps, and applies the window to them', () => {
    for (const [format, written] of [
      ['rfc3339', '2023-11-14T22:13:20Z'],
      ['unix-milliseconds', '1700000000000'],
    ] as const) {
      const scheme = asymmetricSignature(
        base({
          algorithm: 'ed25519',
          template: '{timestamp}|{body}',
          timestampHeader: 'x-acme-time',
          timestampFormat: format,
          toleranceSeconds: 60,
        }),
      );
      const pair = scheme.generateTestKey();
      const signed = scheme.sign({ ...input('{}'), key: pair.signingKey });
      expect(signed.headers['x-acme-time']).toBe(written);
      const req = webhookRequest({ headers: signed.headers, body: '{}' });
      expect(scheme.verify(req, [secret(pair.secret)], at(NOW + 60)).signedAt).toEqual(new Date(NOW * 1000));
      expect(refusal(() => scheme.verify(req, [secret(pair.secret)], at(NOW + 61)))).toBe('timestamp_too_old');
    }
  });

  it('reports an unsigned id header as such, and refuses ids holding an excluded character', () => {
    const unsigned = asymmetricSignature(base({ algorithm: 'ed25519', idHeader: 'x-acme-id' }));
    const pair = unsigned.generateTestKey();
    const signed = unsigned.sign({ ...input('{}', { id: 'evt_9' }), key: pair.signingKey });
    expect(signed.headers['x-acme-id']).toBe('evt_9');
    expect(
      unsigned.verify(webhookRequest({ headers: signed.headers, body: '{}' }), [secret(pair.secret)], at(NOW)),
    ).toEqual({
      secretVersion: 1,
      messageId: 'evt_9',
      unsignedMessageId: true,
    });
    const dotted = asymmetricSignature(
      base({ algorithm: 'ed25519', template: '{id}.{body}', idHeader: 'x-acme-id', idExcludes: '.,' }),
    );
    const req = webhookRequest({ headers: { ...signed.headers, 'x-acme-id': 'a,b' }, body: '{}' });
    expect(refusal(() => dotted.verify(req, [secret(pair.secret)], at(NOW)))).toBe('invalid_header');
  });

  it('runs the body check only once a signature verified', () => {
    const seen: string[] = [];
    const scheme = asymmetricSignature(
      base({
        algorithm: 'ed25519',
        checkBody: (body) => {
          seen.push(body.toString());
          throw new WebhookVerificationError(WebhookErrorCode.NoMatchingSignature, 'not for us');
        },
      }),
    );
    const pair = scheme.generateTestKey();
    const signed = scheme.sign({ ...input('{"to":"b"}'), key: pair.signingKey });
    expect(
      refusal(() =>
        scheme.verify(webhookRequest({ headers: signed.headers, body: '{"to":"x"}' }), [secret(pair.secret)], at(NOW)),
      ),
    ).toBe('no_matching_signature');
    expect(seen).toEqual([]);
    expect(
      refusal(() =>
        scheme.verify(webhookRequest({ headers: signed.headers, body: '{"to":"b"}' }), [secret(pair.secret)], at(NOW)),
      ),
    ).toBe('no_matching_signature');
    expect(seen).toEqual(['{"to":"b"}']);
  });

  it('fails closed without a live key, and refuses private keys or keys of another algorithm', () => {
    const scheme = asymmetricSignature(base({ algorithm: 'ecdsa-p256-sha256' }));
    const pair = scheme.generateTestKey();
    const signed = scheme.sign({ ...input('{}'), key: pair.signingKey });
    expect(refusal(() => scheme.verify(webhookRequest({ headers: signed.headers, body: '{}' }), [], at(NOW)))).toBe(
      'no_secret_configured',
    );
    expect(() => scheme.validateSecret(pair.signingKey)).toThrow(/private key/);
    const rsa = asymmetricSignature(base()).generateTestKey();
    expect(() => scheme.validateSecret(rsa.secret)).toThrow(WebhookConfigurationError);
    expect(() => scheme.sign({ ...input('{}'), key: rsa.signingKey })).toThrow(WebhookConfigurationError);
    expect(() => scheme.sign({ ...input('{}'), key: pair.secret })).toThrow(WebhookConfigurationError);
  });

  it('refuses definitions that cannot be safe or cannot work', () => {
    const bad: Partial<AsymmetricSchemeOptions>[] = [
      { header: [] },
      { template: '{timestamp}' },
      { template: '{body}{url}' },
      { template: '{id}{body}' },
      { template: '{timestamp}{body}' },
      { timestampHeader: 'x-acme-time' },
      { idHeader: 'x-id', idField: 'id' },
      { publicKey: { encoding: 'hex', label: 'A key' } },
      { template: '{timestamp}{body}', timestampHeader: 'x-t', toleranceSeconds: 0 },
    ];
    for (const overrides of bad) {
      expect(() => asymmetricSignature(base(overrides))).toThrow(WebhookConfigurationError);
    }
  });
});
