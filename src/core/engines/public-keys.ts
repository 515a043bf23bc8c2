import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import { decodeBase64 } from './scheme-support';

// Keys of the asymmetric engine: public keys parsed once per secret (see memoizeKey) and checked for
// the algorithm the scheme expects, so a key of the wrong kind stops start-up instead of failing
// every request; private keys read for sign(); fresh pairs for tests.

/**
 * The signature algorithms of the asymmetric engine. ECDSA is P-256 with SHA-256; RSA is PKCS#1
 * v1.5 padding with SHA-256, SHA-512 or (legacy senders only) SHA-1, or PSS/SHA-256 with a salt as
 * long as the digest (32 bytes).
 * @publicApi
 */
export type AsymmetricAlgorithm =
  'ed25519' | 'ecdsa-p256-sha256' | 'rsa-sha256' | 'rsa-sha512' | 'rsa-sha1' | 'rsa-pss-sha256';

/**
 * How an endpoint's configured public key is written.
 * @publicApi
 * @example { encoding: 'hex', label: 'A Discord public key', hint: 'Developer Portal → General Information' }
 * @example { encoding: 'base64', prefix: 'whpk_', privatePrefix: 'whsk_', label: 'A Standard Webhooks public key' }
 */
export interface PublicKeyFormat {
  /**
   * `hex` or `base64`: the 32 raw bytes of an Ed25519 key (a `Buffer` secret is the raw bytes).
   * `spki`: PEM, base64 of a PEM, or base64 of the DER SubjectPublicKeyInfo (any algorithm).
   */
  readonly encoding: 'hex' | 'base64' | 'spki';
  /** Text before a raw key (`whpk_`); optional in the configured value. */
  readonly prefix?: string;
  /** The prefix of the provider's private keys (`whsk_`): refused as a public key, read by `sign()`. */
  readonly privatePrefix?: string;
  /** What the key is called in error messages (`A Discord public key`). */
  readonly label: string;
  /** Where the user finds it, added to error messages. */
  readonly hint?: string;
  /**
   * The smallest RSA modulus accepted.
   * @default 2048
   */
  readonly minRsaBits?: number;
}

/** A fresh key pair: `secret` as the endpoint is configured, `signingKey` as `sign()` reads it. @publicApi */
export interface TestKeyPair {
  readonly secret: string;
  readonly signingKey: string;
}

/** PKCS#8 DER of an Ed25519 private key, before its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };

/** An Ed25519 public key from its 32 raw bytes. @internal */
export function ed25519PublicKey(raw: Buffer, what: string): KeyObject {
  if (raw.length !== 32) throw new WebhookConfigurationError(`${what} must be a 32-byte Ed25519 public key.`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/**
 * A public key given as PEM, as base64 of a PEM (Adobe's samples), or as base64 of the DER
 * SubjectPublicKeyInfo (SendGrid's Mail Settings). Private keys are refused.
 * @internal
 */
export function parsePublicKey(value: string | Buffer, what: string): KeyObject {
  const text = (Buffer.isBuffer(value) ? value.toString('utf8') : value).trim();
  if (/PRIVATE KEY/.test(text)) {
    throw new WebhookConfigurationError(`${what} must be the public key; a private key was configured.`);
  }
  try {
    if (text.startsWith('-----BEGIN')) return createPublicKey(text);
    const decoded = decodeBase64(text.replace(/\s+/g, ''));
    if (!decoded) throw new Error('not base64');
    const pem = decoded.toString('utf8');
    if (pem.startsWith('-----BEGIN')) {
      if (/PRIVATE KEY/.test(pem)) throw new Error('private');
      return createPublicKey(pem);
    }
    return createPublicKey({ key: decoded, format: 'der', type: 'spki' });
  } catch {
    throw new WebhookConfigurationError(`${what} must be a public key in PEM or base64 DER (SubjectPublicKeyInfo).`);
  }
}

/** The configured public key, read per `format` and checked against `algorithm`. @internal */
export function readPublicKey(
  value: string | Buffer,
  format: PublicKeyFormat,
  algorithm: AsymmetricAlgorithm,
): KeyObject {
  const what = format.label;
  if (format.encoding === 'spki') return assertKeyFits(parsePublicKey(value, what), format, algorithm);
  if (Buffer.isBuffer(value)) return ed25519PublicKey(value, what);
  if (format.privatePrefix && value.startsWith(format.privatePrefix)) {
    throw new WebhookConfigurationError(
      `${what}: a signing key (${format.privatePrefix}) was configured; configure the public key` +
        `${format.prefix ? ` (${format.prefix})` : ''} instead.`,
    );
  }
  const raw = decodeRaw(stripPrefix(value, format.prefix), format.encoding);
  if (!raw) throw new WebhookConfigurationError(`${what} must be ${describeRaw(format)}${hintOf(format)}.`);
  return ed25519PublicKey(raw, what);
}

/**
 * The private key `sign()` signs with: PEM (PKCS#8, PKCS#1 or SEC1), base64 of a PEM or of PKCS#8
 * DER; for raw Ed25519 formats also the provider's own form: the 32-byte seed in the key's encoding,
 * after `privatePrefix` when there is one (a `Buffer` is the seed).
 * @internal
 */
export function readPrivateKey(
  value: string | Buffer,
  format: PublicKeyFormat,
  algorithm: AsymmetricAlgorithm,
): KeyObject {
  let key: KeyObject | undefined;
  try {
    key = parsePrivateKey(value, format);
  } catch {
    key = undefined;
  }
  if (!key) {
    const forms = format.encoding === 'spki' ? 'PEM' : `PEM, or the 32-byte seed as ${describeRaw(format, true)}`;
    throw new WebhookConfigurationError(`Signing needs the private key of ${format.label} (${forms}).`);
  }
  return assertKeyFits(key, format, algorithm);
}

/** A fresh key pair written as `format` says (raw Ed25519 keys: the seed as the signing key). @internal */
export function generateTestKeyPair(format: PublicKeyFormat, algorithm: AsymmetricAlgorithm): TestKeyPair {
  const pair =
    algorithm === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : algorithm === 'ecdsa-p256-sha256'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('rsa', { modulusLength: Math.max(format.minRsaBits ?? 2048, 2048) });
  if (format.encoding === 'spki') {
    return {
      secret: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      signingKey: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    };
  }
  const jwk = pair.privateKey.export({ format: 'jwk' });
  const write = (base64url: string) =>
    Buffer.from(base64url, 'base64url').toString(format.encoding as 'hex' | 'base64');
  return {
    secret: (format.prefix ?? '') + write(jwk.x!),
    signingKey: (format.privatePrefix ?? '') + write(jwk.d!),
  };
}

/**
 * Verifies a signature; one the library cannot even parse is a mismatch, never an exception (it
 * comes from the request). ECDSA signatures are DER, or r‖s (`ieee-p1363`, as WebCrypto writes them).
 * @internal
 */
export function verifySignature(
  algorithm: AsymmetricAlgorithm,
  data: Buffer,
  key: KeyObject,
  signature: Buffer,
  dsaEncoding: DsaEncoding = 'der',
): boolean {
  try {
    return verify(digestOf(algorithm), data, keyInput(algorithm, key, dsaEncoding), signature);
  } catch {
    return false;
  }
}

/** Signs as {@link verifySignature} verifies. @internal */
export function createSignature(
  algorithm: AsymmetricAlgorithm,
  data: Buffer,
  key: KeyObject,
  dsaEncoding: DsaEncoding = 'der',
): Buffer {
  return sign(digestOf(algorithm), data, keyInput(algorithm, key, dsaEncoding));
}

/** @internal */
export type DsaEncoding = 'der' | 'ieee-p1363';

function digestOf(algorithm: AsymmetricAlgorithm): string | null {
  if (algorithm === 'ed25519') return null;
  return algorithm === 'rsa-sha512' ? 'sha512' : algorithm === 'rsa-sha1' ? 'sha1' : 'sha256';
}

function keyInput(algorithm: AsymmetricAlgorithm, key: KeyObject, dsaEncoding: DsaEncoding) {
  if (algorithm === 'rsa-pss-sha256') return { key, ...PSS };
  return algorithm === 'ecdsa-p256-sha256' ? { key, dsaEncoding } : key;
}

function parsePrivateKey(value: string | Buffer, format: PublicKeyFormat): KeyObject | undefined {
  if (Buffer.isBuffer(value)) {
    return format.encoding === 'spki' ? parsePrivateKey(value.toString('utf8'), format) : ed25519PrivateKey(value);
  }
  const text = value.trim();
  if (text.startsWith('-----BEGIN')) return createPrivateKey(text);
  if (format.encoding !== 'spki') {
    const seed = decodeRaw(stripPrefix(text, format.privatePrefix), format.encoding);
    if (seed) return ed25519PrivateKey(seed);
  }
  const decoded = decodeBase64(text.replace(/\s+/g, ''));
  if (!decoded) return undefined;
  const pem = decoded.toString('utf8');
  return pem.startsWith('-----BEGIN')
    ? createPrivateKey(pem)
    : createPrivateKey({ key: decoded, format: 'der', type: 'pkcs8' });
}

function ed25519PrivateKey(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new Error('not a seed');
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function assertKeyFits(key: KeyObject, format: PublicKeyFormat, algorithm: AsymmetricAlgorithm): KeyObject {
  const minBits = format.minRsaBits ?? 2048;
  const fits =
    algorithm === 'ed25519'
      ? key.asymmetricKeyType === 'ed25519'
      : algorithm === 'ecdsa-p256-sha256'
        ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
        : key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= minBits;
  if (!fits) {
    const kind =
      algorithm === 'ed25519'
        ? 'an Ed25519'
        : algorithm === 'ecdsa-p256-sha256'
          ? 'an ECDSA P-256'
          : `an RSA (at least ${minBits} bits)`;
    throw new WebhookConfigurationError(`${format.label} must be ${kind} key.`);
  }
  return key;
}

function stripPrefix(value: string, prefix: string | undefined): string {
  return prefix && value.startsWith(prefix) ? value.slice(prefix.length) : value;
}

function decodeRaw(value: string, encoding: 'hex' | 'base64'): Buffer | undefined {
  if (encoding === 'hex') return HEX_KEY.test(value) ? Buffer.from(value, 'hex') : undefined;
  const raw = decodeBase64(value);
  return raw?.length === 32 ? raw : undefined;
}

function describeRaw(format: PublicKeyFormat, seed = false): string {
  const digits = format.encoding === 'hex' ? '64 hex digits' : 'the base64 of 32 bytes';
  const prefix = seed ? format.privatePrefix : format.prefix;
  return prefix ? `"${prefix}" followed by ${digits}` : digits;
}

function hintOf(format: PublicKeyFormat): string {
  return format.hint ? ` (${format.hint})` : '';
}
