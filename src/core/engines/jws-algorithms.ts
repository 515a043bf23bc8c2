import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  constants,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import { parsePublicKey } from './public-keys';
import { utf8SecretBytes } from './scheme-support';

// The JWS algorithms (RFC 7518) mapped to node:crypto, and the key reading of the JWT engine.

/** The JWS algorithms the engine checks. A scheme lists the ones its provider uses; any other `alg` is refused. @publicApi */
export type JwsAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA';

/** @internal */
export interface AlgorithmSpec {
  readonly kind: 'hmac' | 'rsa' | 'rsa-pss' | 'ec' | 'ed25519';
  readonly hash?: 'sha256' | 'sha384' | 'sha512';
  readonly curve?: string;
}

/** How each JWS algorithm maps to node:crypto. @internal */
export const ALGORITHMS: Readonly<Record<JwsAlgorithm, AlgorithmSpec>> = {
  HS256: { kind: 'hmac', hash: 'sha256' },
  HS384: { kind: 'hmac', hash: 'sha384' },
  HS512: { kind: 'hmac', hash: 'sha512' },
  RS256: { kind: 'rsa', hash: 'sha256' },
  RS384: { kind: 'rsa', hash: 'sha384' },
  RS512: { kind: 'rsa', hash: 'sha512' },
  PS256: { kind: 'rsa-pss', hash: 'sha256' },
  PS384: { kind: 'rsa-pss', hash: 'sha384' },
  PS512: { kind: 'rsa-pss', hash: 'sha512' },
  ES256: { kind: 'ec', hash: 'sha256', curve: 'prime256v1' },
  ES384: { kind: 'ec', hash: 'sha384', curve: 'secp384r1' },
  ES512: { kind: 'ec', hash: 'sha512', curve: 'secp521r1' },
  EdDSA: { kind: 'ed25519' },
};

/** The JWS signature over `signingInput`: HMAC with the UTF-8 secret, or a private key (PEM or JWK). @internal */
export function createJwsSignature(alg: JwsAlgorithm, signingInput: Buffer, key: string | Buffer): Buffer {
  const spec = ALGORITHMS[alg];
  if (spec.kind === 'hmac') return createHmac(spec.hash!, utf8SecretBytes(key)).update(signingInput).digest();
  const text = Buffer.isBuffer(key) ? key.toString('utf8') : key;
  const privateKey = text.trim().startsWith('{')
    ? createPrivateKey({ key: JSON.parse(text), format: 'jwk' })
    : createPrivateKey(text);
  return cryptoSign(spec.hash ?? null, signingInput, { key: privateKey, ...signOptions(spec) });
}

/**
 * A JWS signature's bytes, only from their one canonical base64url spelling (no padding, unused
 * low bits of the last character zero): a lenient decoder reads 4 to 16 spellings as one signature,
 * and each respelled token is a new body to deduplicate. `undefined` for anything else.
 * @internal
 */
export function decodeSignature(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function signOptions(spec: AlgorithmSpec): { padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } {
  if (spec.kind === 'rsa-pss') {
    const saltLength = { sha256: 32, sha384: 48, sha512: 64 }[spec.hash!];
    return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
  }
  // JWS writes ECDSA signatures as r‖s (RFC 7518 §3.4), not DER.
  return spec.kind === 'ec' ? { dsaEncoding: 'ieee-p1363' } : {};
}

/** Verifies with a key of the algorithm's kind (and curve); any other key, or a malformed signature, is a mismatch. @internal */
export function verifyWith(spec: AlgorithmSpec, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  const type = key.asymmetricKeyType;
  const fits =
    spec.kind === 'ed25519'
      ? type === 'ed25519'
      : spec.kind === 'ec'
        ? type === 'ec' && key.asymmetricKeyDetails?.namedCurve === spec.curve
        : type === 'rsa' || type === 'rsa-pss';
  if (!fits) return false;
  try {
    return cryptoVerify(spec.hash ?? null, data, { key, ...signOptions(spec) }, signature);
  } catch {
    return false;
  }
}

/** A public key: PEM / base64 SPKI (as the asymmetric engine reads them) or a JWK in JSON. @internal */
export function readJwsPublicKey(value: string | Buffer, label: string): KeyObject {
  const text = (Buffer.isBuffer(value) ? value.toString('utf8') : value).trim();
  let key: KeyObject;
  if (text.startsWith('{')) {
    try {
      const jwk = JSON.parse(text) as Record<string, unknown>;
      if ('d' in jwk) throw new Error('private');
      key = createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch {
      throw new WebhookConfigurationError(`${label} must be a public key (PEM, base64 SPKI or a public JWK).`);
    }
  } else {
    key = parsePublicKey(text, label);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined && bits < 2048)
    throw new WebhookConfigurationError(`${label} must be RSA of 2048 bits or more.`);
  return key;
}
