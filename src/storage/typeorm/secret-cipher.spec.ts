import { createHmac, randomBytes } from 'node:crypto';
import { independentSealKey } from '../../../test/support/independent-seal';
import { WebhookConfigurationError } from '../../core/errors';
import { SecretCipher, decodeSecret, encodeSecret, secretAad } from './secret-cipher';

describe('SecretCipher', () => {
  const key = randomBytes(32);

  it.each([
    ['a Buffer', key],
    ['hex', key.toString('hex')],
    ['base64', key.toString('base64')],
    ['base64url', key.toString('base64url')],
  ])('accepts a 32-byte key as %s, and the same key decrypts whatever its form', (_form, input) => {
    const blob = new SecretCipher(key).encrypt(Buffer.from('s'), secretAad('e', 1)).blob;
    expect(new SecretCipher(input).decrypt('default', blob, secretAad('e', 1)).toString()).toBe('s');
  });

  it.each([
    ['missing', undefined],
    ['short', randomBytes(16).toString('base64')],
    ['long hex', randomBytes(33).toString('hex')],
    ['not a key', 'correct horse battery staple'],
    ['a current id not in the keyring', { current: 'k2', keys: { k1: key } }],
    ['a malformed id', { current: 'bad id', keys: { 'bad id': key } }],
  ])('refuses a %s key with a configuration error', (_case, input) => {
    expect(() => new SecretCipher(input as never)).toThrow(WebhookConfigurationError);
  });

  it('encrypts with a fresh IV each time, authenticates, and binds the associated data', () => {
    const cipher = new SecretCipher({ current: 'k1', keys: { k1: key } });
    const one = cipher.encrypt(Buffer.from('secret'), secretAad('e', 1));
    const two = cipher.encrypt(Buffer.from('secret'), secretAad('e', 1));
    expect(one.keyId).toBe('k1');
    expect(one.blob.equals(two.blob)).toBe(false);
    const tampered = Buffer.from(one.blob);
    tampered[tampered.length - 1] ^= 1;
    expect(() => cipher.decrypt('k1', tampered, secretAad('e', 1))).toThrow(/does not decrypt/);
    expect(() => cipher.decrypt('k1', one.blob, secretAad('e', 2))).toThrow(/does not decrypt/);
    expect(() => cipher.decrypt('k9', one.blob, secretAad('e', 1))).toThrow(/no key with id "k9"/);
  });

  it('derives keyed fingerprints per key and checks values per key id', () => {
    const cipher = new SecretCipher({ current: 'a', keys: { a: key, b: randomBytes(32) } });
    const secret = Buffer.from('whsec_x');
    expect(cipher.fingerprint('a', secret).equals(cipher.fingerprint('a', secret))).toBe(true);
    expect(cipher.fingerprint('a', secret).equals(cipher.fingerprint('b', secret))).toBe(false);
    expect(cipher.verifyCheckValue('a', cipher.checkValue('a'))).toBe(true);
    expect(cipher.verifyCheckValue('b', cipher.checkValue('a'))).toBe(false);
  });

  it('derives the event-seal subkey of each master key with HKDF-SHA256, apart from the others', () => {
    const other = randomBytes(32);
    const cipher = new SecretCipher({ current: 'k2', keys: { k1: key, k2: other } });
    const expected = independentSealKey;
    expect(cipher.sealKey('k1')!.equals(expected(key))).toBe(true);
    expect(cipher.sealKey('k2')!.equals(expected(other))).toBe(true);
    expect(cipher.sealKey('k3')).toBeUndefined();
    // Not the fingerprint subkey: a seal is never a fingerprint of the same bytes.
    const bytes = Buffer.from('x');
    expect(cipher.fingerprint('k1', bytes).equals(createHmac('sha256', expected(key)).update(bytes).digest())).toBe(
      false,
    );
  });

  it('keeps the type of a secret', () => {
    expect(decodeSecret(encodeSecret('whsec_abc'))).toBe('whsec_abc');
    const raw = randomBytes(8);
    expect(decodeSecret(encodeSecret(raw))).toEqual(raw);
  });
});
