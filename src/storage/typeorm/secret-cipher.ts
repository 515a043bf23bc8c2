import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { WebhookConfigurationError } from '../../core/errors';
import type { EncryptionKeyInput, EncryptionKeyOption } from './typeorm-storage.options';

/** The key id of a bare `encryptionKey`. */
export const DEFAULT_KEY_ID = 'default';
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;
/** Format byte of the stored blob: 0x01 = AES-256-GCM, 12-byte IV, 16-byte tag. */
const FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CHECK_PLAINTEXT = Buffer.from('hookwarden key check v1');

interface MasterKey {
  readonly encryption: Buffer;
  readonly fingerprint: Buffer;
  readonly seal: Buffer;
}

/** A stored ciphertext could not be decrypted (wrong key, tampered row). Never holds the secret. @internal */
export class SecretDecryptionError extends Error {
  override readonly name = 'SecretDecryptionError';
}

/**
 * AES-256-GCM encryption of secrets under a keyring of master keys. Subkeys for encryption,
 * fingerprints and event seals are derived from each master key with HKDF-SHA256, so the master key is used for
 * nothing else. The associated data binds a ciphertext to its endpoint and version: a row copied to
 * another endpoint or version does not decrypt.
 * @internal
 */
export class SecretCipher {
  readonly currentKeyId: string;
  private readonly keys = new Map<string, MasterKey>();

  constructor(option: EncryptionKeyOption | undefined) {
    if (option === undefined || option === null || option === '') {
      throw new WebhookConfigurationError(
        'The TypeORM secret store needs `encryptionKey`: 32 random bytes as 64 hex digits or base64 ' +
          "(e.g. `openssl rand -base64 32`), or a keyring { current: 'id', keys: { id: key } }.",
      );
    }
    const ring =
      typeof option === 'string' || Buffer.isBuffer(option)
        ? { current: DEFAULT_KEY_ID, keys: { [DEFAULT_KEY_ID]: option } }
        : option;
    if (!ring.keys || typeof ring.keys !== 'object') {
      throw new WebhookConfigurationError('encryptionKey.keys must map key ids to 32-byte keys.');
    }
    for (const [id, input] of Object.entries(ring.keys)) {
      if (!KEY_ID.test(id)) {
        throw new WebhookConfigurationError(`Encryption key id "${id}" must be 1–64 letters, digits, '.', '_' or '-'.`);
      }
      const master = parseMasterKey(input, id);
      this.keys.set(id, {
        encryption: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'hookwarden/secret-encryption/v1', 32)),
        fingerprint: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'hookwarden/secret-fingerprint/v1', 32)),
        seal: Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'hookwarden/event-seal/v1', 32)),
      });
    }
    if (!this.keys.has(ring.current)) {
      throw new WebhookConfigurationError(
        `encryptionKey.current is "${ring.current}", which is not in encryptionKey.keys.`,
      );
    }
    this.currentKeyId = ring.current;
  }

  keyIds(): string[] {
    return [...this.keys.keys()];
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** Encrypts under the current key: `0x01 | iv | tag | ciphertext`. */
  encrypt(plaintext: Buffer, aad: Buffer, keyId = this.currentKeyId): { keyId: string; blob: Buffer } {
    const key = this.key(keyId);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.encryption, iv);
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId, blob: Buffer.concat([Buffer.of(FORMAT_V1), iv, cipher.getAuthTag(), body]) };
  }

  decrypt(keyId: string, blob: Buffer, aad: Buffer): Buffer {
    const key = this.keys.get(keyId);
    if (!key) throw new SecretDecryptionError(`no key with id "${keyId}" in the keyring`);
    if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_V1) {
      throw new SecretDecryptionError('unknown ciphertext format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.encryption, blob.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(aad);
      decipher.setAuthTag(blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new SecretDecryptionError(`the key "${keyId}" does not decrypt it (wrong key or altered row)`);
    }
  }

  /** A keyed hash of a secret, to find it again without decrypting (HMAC-SHA256 under a subkey). */
  fingerprint(keyId: string, secret: Buffer): Buffer {
    return createHmac('sha256', this.key(keyId).fingerprint).update(secret).digest();
  }

  /**
   * The key that seals accepted events with inbox work (see `EventSealer`): a subkey of its own, so
   * a seal can never be mistaken for a fingerprint or serve to decrypt. Undefined for an id not in the ring.
   */
  sealKey(keyId: string): Buffer | undefined {
    return this.keys.get(keyId)?.seal;
  }

  /** The check value stored per key id, so a wrong master key fails at start-up. */
  checkValue(keyId: string): Buffer {
    return this.encrypt(CHECK_PLAINTEXT, checkAad(keyId), keyId).blob;
  }

  verifyCheckValue(keyId: string, blob: Buffer): boolean {
    try {
      return this.decrypt(keyId, blob, checkAad(keyId)).equals(CHECK_PLAINTEXT);
    } catch {
      return false;
    }
  }

  private key(keyId: string): MasterKey {
    const key = this.keys.get(keyId);
    if (!key) throw new SecretDecryptionError(`no key with id "${keyId}" in the keyring`);
    return key;
  }
}

/** The associated data of a secret: its endpoint and version. @internal */
export function secretAad(endpoint: string, version: number): Buffer {
  return Buffer.from(`hookwarden/secret/v1\0${endpoint}\0${version}`);
}

function checkAad(keyId: string): Buffer {
  return Buffer.from(`hookwarden/key-check/v1\0${keyId}`);
}

/** Secrets keep their type: strings come back as strings, Buffers as Buffers. @internal */
export function encodeSecret(secret: string | Buffer): Buffer {
  return Buffer.isBuffer(secret)
    ? Buffer.concat([Buffer.of(0x62), secret])
    : Buffer.concat([Buffer.of(0x73), Buffer.from(secret, 'utf8')]);
}

/** @internal */
export function decodeSecret(plaintext: Buffer): string | Buffer {
  const body = plaintext.subarray(1);
  if (plaintext[0] === 0x73) return body.toString('utf8');
  if (plaintext[0] === 0x62) return Buffer.from(body);
  throw new SecretDecryptionError('unknown secret encoding');
}

/** The bytes a secret is compared by (as the in-memory store does: a string and its UTF-8 bytes are equal). @internal */
export function secretBytes(secret: string | Buffer): Buffer {
  return Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
}

function parseMasterKey(input: EncryptionKeyInput, id: string): Buffer {
  let key: Buffer | undefined;
  if (Buffer.isBuffer(input)) key = input;
  else if (typeof input === 'string') {
    const text = input.trim();
    if (HEX_KEY.test(text)) key = Buffer.from(text, 'hex');
    else if (BASE64_KEY.test(text)) key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  }
  if (!key || key.length !== 32) {
    throw new WebhookConfigurationError(
      `Encryption key "${id}" must be exactly 32 bytes: a Buffer, 64 hex digits or 44 base64 characters ` +
        '(generate one with `openssl rand -base64 32`).',
    );
  }
  return key;
}
