import { createHash, createHmac, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import { at, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { JwtScheme } from './jwt.engine';

// The JWT/JWS engine as data. Tokens are built here with node:crypto written out (base64url of the
// JSON, HMAC or signature over `header.payload`), never with the engine's own sign().
const NOW = 1_700_000_000;
const b64u = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const body = '{"id":"evt_1"}';
const bodySha256 = createHash('sha256').update(body).digest('hex');

function hs256(key: string, header: object, payload: object | string): string {
  const input = `${b64u(JSON.stringify(header))}.${typeof payload === 'string' ? payload : b64u(JSON.stringify(payload))}`;
  return `${input}.${b64u(createHmac('sha256', key).update(input).digest())}`;
}

describe('JwtScheme (HMAC, token in a header)', () => {
  const scheme = new JwtScheme({
    name: 'acme',
    token: { header: 'Authorization', authScheme: 'Bearer' },
    algorithms: ['HS256'],
    claims: { issuer: 'acme', issuedAt: true, bodyHash: { claim: 'body_sha256' } },
    idClaim: 'jti',
    toleranceSeconds: 60,
  });
  const claims = { iss: 'acme', iat: NOW, jti: 'j-1', body_sha256: bodySha256 };
  const verify = (authorization: string, sent = body, now = NOW) =>
    scheme.verify(webhookRequest({ headers: { authorization }, body: sent }), [secret('k', 2)], at(now));

  it('accepts a token signed with a live secret and reports the jti and iat', () => {
    expect(verify(`bearer ${hs256('k', { alg: 'HS256', typ: 'JWT' }, claims)}`)).toEqual({
      secretVersion: 2,
      messageId: 'j-1',
      signedAt: new Date(NOW * 1000),
    });
  });

  it('refuses alg none, an unlisted alg, another key, a wrong issuer, another body and a stale iat', () => {
    const none = `${b64u('{"alg":"none"}')}.${b64u(JSON.stringify(claims))}.${b64u('x')}`;
    expect(refusal(() => verify(`Bearer ${none}`))).toBe('invalid_header');
    expect(refusal(() => verify(`Bearer ${hs256('k', { alg: 'HS512' }, claims)}`))).toBe('invalid_header');
    expect(refusal(() => verify(`Bearer ${hs256('other', { alg: 'HS256' }, claims)}`))).toBe('no_matching_signature');
    expect(refusal(() => verify(`Bearer ${hs256('k', { alg: 'HS256' }, { ...claims, iss: 'x' })}`))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => verify(`Bearer ${hs256('k', { alg: 'HS256' }, claims)}`, '{"id":"evt_2"}'))).toBe(
      'no_matching_signature',
    );
    expect(refusal(() => verify(`Bearer ${hs256('k', { alg: 'HS256' }, claims)}`, body, NOW + 61))).toBe(
      'timestamp_too_old',
    );
    const { iat: _iat, ...withoutIat } = claims;
    expect(refusal(() => verify(`Bearer ${hs256('k', { alg: 'HS256' }, withoutIat)}`))).toBe('timestamp_too_old');
  });

  it('refuses a missing auth scheme, a malformed token and an unknown critical header with a code', () => {
    const token = hs256('k', { alg: 'HS256' }, claims);
    expect(refusal(() => verify(token))).toBe('invalid_header');
    expect(refusal(() => verify('Bearer a.b'))).toBe('invalid_header');
    expect(refusal(() => verify(`Bearer ${b64u('not json')}.${b64u('{}')}.${b64u('x')}`))).toBe('invalid_header');
    expect(refusal(() => verify(`Bearer ${hs256('k', { alg: 'HS256', crit: ['exp'] }, claims)}`))).toBe(
      'invalid_header',
    );
  });

  it('refuses a signature spelled another way (unused low bits of its last base64url character)', () => {
    // An outside review replayed a token-as-body delivery 15 more times, each a new body (and a new
    // dedupe key): a lenient decoder reads 4 or 16 spellings of the last character as one signature.
    const token = hs256('k', { alg: 'HS256' }, claims);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1)!);
    const respelled = token.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(respelled.split('.')[2], 'base64url')).toEqual(Buffer.from(token.split('.')[2], 'base64url'));
    expect(verify(`Bearer ${token}`)).toMatchObject({ messageId: 'j-1' });
    expect(refusal(() => verify(`Bearer ${respelled}`))).toBe('invalid_header');
    expect(refusal(() => verify(`Bearer ${token}=`))).toBe('invalid_header');
  });

  it('signs what it verifies', () => {
    const signed = scheme.sign({ body: Buffer.from(body), key: 'k', timestamp: NOW, id: 'j-9', contentType: 'x' });
    expect(verify(signed.headers.authorization)).toMatchObject({ messageId: 'j-9' });
  });
});

describe('JwtScheme (public keys)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }).toString();
  const signRs256 = (payload: object, key = rsa.privateKey) => {
    const input = `${b64u('{"alg":"RS256"}')}.${b64u(JSON.stringify(payload))}`;
    return `${input}.${b64u(cryptoSign('sha256', Buffer.from(input), key))}`;
  };

  it('takes the whole body as an RS256 token and checks exp', () => {
    const scheme = new JwtScheme({
      name: 'acme',
      token: 'body',
      algorithms: ['RS256'],
      claims: { expires: { lifetimeSeconds: 60 } },
    });
    const run = (token: string, now = NOW) =>
      scheme.verify(webhookRequest({ body: token }), [secret(pem(rsa.publicKey), 1)], at(now));
    const token = signRs256({ exp: NOW + 10 });
    // The token is the body: duplicates are recognised by what it signs (header.payload), not by
    // the body, whose signature part another valid spelling could change.
    const signedInput = token.slice(0, token.lastIndexOf('.'));
    expect(run(token)).toEqual({
      secretVersion: 1,
      signedContentKey: `sha256:${createHash('sha256').update(signedInput).digest('hex')}`,
    });
    expect(refusal(() => run(signRs256({ exp: NOW + 10 }), NOW + 11))).toBe('timestamp_too_old');
    expect(refusal(() => run(`${signRs256({ exp: NOW + 10 })}\n`))).toBe('invalid_body');
    // Algorithm confusion: an HS256 token keyed with the public key's text is not accepted.
    expect(refusal(() => run(hs256(pem(rsa.publicKey), { alg: 'HS256' }, { exp: NOW + 10 })))).toBe('invalid_body');
  });

  it('keys an ES256 token-as-body by what it signs: the malleated signature (r, n − s) is the same delivery', () => {
    const scheme = new JwtScheme({ name: 'acme', token: 'body', algorithms: ['ES256'] });
    const input = `${b64u('{"alg":"ES256"}')}.${b64u(JSON.stringify({ iat: NOW, n: 1 }))}`;
    const signature = cryptoSign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
    // ECDSA accepts s and n − s alike: a second valid token, byte for byte another body.
    const n = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
    const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
    const flipped = Buffer.concat([
      signature.subarray(0, 32),
      Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'),
    ]);
    const jwk = JSON.stringify(ec.publicKey.export({ format: 'jwk' }));
    const run = (token: string) => scheme.verify(webhookRequest({ body: token }), [secret(jwk, 1)], at(NOW));
    const key = `sha256:${createHash('sha256').update(input).digest('hex')}`;
    expect(run(`${input}.${b64u(signature)}`)).toEqual({ secretVersion: 1, signedContentKey: key });
    expect(run(`${input}.${b64u(flipped)}`)).toEqual({ secretVersion: 1, signedContentKey: key });
  });

  it('verifies ES256 written as r‖s (RFC 7518) with a JWK, and a detached RFC 7797 JWS over the raw body', () => {
    const jwk = JSON.stringify(ec.publicKey.export({ format: 'jwk' }));
    const detached = new JwtScheme({ name: 'acme', token: { header: 'x-jws' }, algorithms: ['ES256'], detached: true });
    const header = b64u(JSON.stringify({ alg: 'ES256', b64: false, crit: ['b64'] }));
    const signature = cryptoSign('sha256', Buffer.from(`${header}.${body}`), {
      key: ec.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    const run = (value: string, sent = body) =>
      detached.verify(webhookRequest({ headers: { 'x-jws': value }, body: sent }), [secret(jwk, 4)], at(NOW));
    expect(run(`${header}..${b64u(signature)}`)).toEqual({ secretVersion: 4 });
    expect(refusal(() => run(`${header}..${b64u(signature)}`, '{"id":"evt_2"}'))).toBe('no_matching_signature');
    expect(refusal(() => run(`${header}.${b64u(body)}.${b64u(signature)}`))).toBe('invalid_header');
    const encoded = b64u('{"alg":"ES256"}');
    const overB64 = cryptoSign('sha256', Buffer.from(`${encoded}.${b64u(body)}`), {
      key: ec.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    expect(run(`${encoded}..${b64u(overB64)}`)).toEqual({ secretVersion: 4 });
  });

  it('reads keys from resolveKeys (a key resolver) by the header, and needs no secret then', () => {
    const scheme = new JwtScheme({
      name: 'acme',
      token: { header: 'x-token' },
      algorithms: ['RS256'],
      resolveKeys: (header) => (header.kid === 'k1' ? [rsa.publicKey] : undefined),
    });
    const input = `${b64u('{"alg":"RS256","kid":"k1"}')}.${b64u('{}')}`;
    const token = `${input}.${b64u(cryptoSign('sha256', Buffer.from(input), rsa.privateKey))}`;
    expect(scheme.requiresSecret).toBe(false);
    expect(scheme.verify(webhookRequest({ headers: { 'x-token': token } }), [], at(NOW))).toEqual({});
    const other = `${b64u('{"alg":"RS256","kid":"k2"}')}.${b64u('{}')}.${token.split('.')[2]}`;
    expect(refusal(() => scheme.verify(webhookRequest({ headers: { 'x-token': other } }), [], at(NOW)))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses definitions that mix HMAC with public keys or put claims on a detached JWS', () => {
    expect(() => new JwtScheme({ name: 'x', token: 'body', algorithms: ['HS256', 'RS256'] })).toThrow(
      WebhookConfigurationError,
    );
    expect(
      () => new JwtScheme({ name: 'x', token: { header: 'x' }, algorithms: ['RS256'], detached: true, claims: {} }),
    ).toThrow(WebhookConfigurationError);
  });
});

describe('JwtScheme without jose', () => {
  it('says jose could not be loaded, instead of calling a well-formed token malformed', () => {
    jest.isolateModules(() => {
      jest.doMock('jose', () => {
        throw new Error('Cannot use import statement outside a module');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { JwtScheme: Isolated } = require('./jwt.engine') as typeof import('./jwt.engine');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { WebhookConfigurationError: IsolatedError } = require('../errors') as typeof import('../errors');
      const scheme = new Isolated({ name: 'acme', token: { header: 'X-Token' }, algorithms: ['HS256'] });
      const token = hs256('k', { alg: 'HS256' }, { iat: NOW });
      const verify = () =>
        scheme.verify(webhookRequest({ headers: { 'x-token': token }, body }), [secret('k', 1)], at(NOW));
      expect(verify).toThrow(IsolatedError);
      expect(verify).toThrow(/need jose/);
    });
    jest.dontMock('jose');
  });
});
