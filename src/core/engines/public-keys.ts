import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import { decodeBase64 } from './scheme-support';

// Public keys of the asymmetric schemes, parsed once per secret (see memoizeKey) and checked for
// the algorithm the scheme expects, so a key of the wrong kind stops start-up instead of failing
// every request.

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

/**
 * Verifies an asymmetric signature; a signature the library cannot even parse is a mismatch,
 * never an exception (it comes from the request).
 * @internal
 */
export function verifySignature(
  algorithm: string | null,
  data: Buffer,
  key: KeyObject,
  signature: Buffer,
  dsaEncoding?: 'der',
): boolean {
  try {
    return verify(algorithm, data, dsaEncoding ? { key, dsaEncoding } : key, signature);
  } catch {
    return false;
  }
}
