import { createHash, createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../core/constant-time';
import type { EventSealCheck } from './event-log.interface';

/**
 * What an accepted event's seal covers, as stored: the row's identity, its status, the content type
 * its payload is parsed by, and its whole body (by SHA-256 and size). Whoever can write the events
 * table can rewrite a body and its digest column together; without the key they cannot make a seal
 * that matches.
 * @internal
 */
export interface EventSealFields {
  readonly endpoint: string;
  readonly messageId: string | null | undefined;
  readonly eventType: string | null | undefined;
  readonly status: string;
  /** The stored `content-type` (see {@link storedContentType}): the same bytes parse otherwise as a form. */
  readonly contentType: string | null | undefined;
  /** The SHA-256 of the whole body (32 bytes). */
  readonly bodySha256: Buffer;
  readonly bodySize: number;
}

/** A stored row, for {@link EventSealer.check}: the seal is recomputed from the stored body itself. @internal */
export interface SealedRow {
  readonly endpoint: string;
  readonly messageId: string | null | undefined;
  readonly eventType: string | null | undefined;
  readonly status: string;
  readonly contentType: string | null | undefined;
  readonly body: Buffer;
  readonly bodySize: number;
  readonly seal: Buffer | null | undefined;
  readonly sealKeyId: string | null | undefined;
}

/** The seal keys by id, and the id new seals are made under. Never logged. @internal */
export interface EventSealKeys {
  readonly currentKeyId: string;
  key(id: string): Buffer | undefined;
}

/**
 * The encodings by version: v2 seals the content type too. Seals are made as v2; a seal that does
 * not check as v2 is checked as v1, which rows sealed before v2 hold (a v2 seal never checks as v1:
 * the domain tags differ, so what v2 covers stays covered).
 */
const DOMAINS = { v1: Buffer.from('hookwarden/event-seal/v1\0'), v2: Buffer.from('hookwarden/event-seal/v2\0') };

/**
 * The content type of stored headers as a job's payload is parsed by it: names compared in lower
 * case, the last of several spellings winning, as the worker reads them.
 * @internal
 */
export function storedContentType(headers: Readonly<Record<string, string>> | null | undefined): string | undefined {
  let found: string | undefined;
  for (const [name, value] of Object.entries(headers ?? {})) if (name.toLowerCase() === 'content-type') found = value;
  return found;
}

/** Why a replay with `reverify` is refused, per seal check: fixed text, never the stored bytes. @internal */
export const SEAL_REFUSALS: Record<Exclude<EventSealCheck, 'intact'>, string> = {
  unsealed: 'The stored event has no seal to check (no inbox work, or stored before seals or without a key).',
  unknown_key: 'The key that sealed the stored event is no longer in the keyring.',
  truncated: 'The stored body is not whole.',
  mismatch: 'The stored event does not match its seal: it was altered after it was accepted.',
};

/**
 * The canonical bytes a seal is the HMAC of: a domain tag, then each text field as a presence byte
 * (0 for none) and a 32-bit big-endian byte length before its UTF-8 bytes, the 32-byte digest, and
 * the size as a 64-bit big-endian integer. Lengths make the encoding injective: no two rows share it.
 * @internal
 */
export function sealInput(fields: EventSealFields, version: 'v1' | 'v2' = 'v2'): Buffer {
  // One buffer written in place: this runs for every accepted event with inbox work.
  const DOMAIN = DOMAINS[version];
  const texts = [fields.endpoint, fields.messageId, fields.eventType, fields.status];
  if (version === 'v2') texts.push(fields.contentType);
  let length = DOMAIN.length + 32 + 8;
  for (const text of texts) length += text === null || text === undefined ? 1 : 5 + Buffer.byteLength(text, 'utf8');
  const out = Buffer.allocUnsafe(length);
  let at = DOMAIN.copy(out, 0);
  for (const text of texts) {
    if (text === null || text === undefined) {
      out[at++] = 0;
      continue;
    }
    out[at] = 1;
    const written = out.write(text, at + 5, 'utf8');
    out.writeUInt32BE(written, at + 1);
    at += 5 + written;
  }
  at += fields.bodySha256.copy(out, at);
  out.writeBigUInt64BE(BigInt(fields.bodySize), at);
  return out;
}

/**
 * Seals accepted events that have inbox work (HMAC-SHA256 under a key the database does not hold),
 * so that replaying one with `reverify` can tell a stored request from one rewritten in the table.
 * @internal
 */
export class EventSealer {
  constructor(private readonly keys: EventSealKeys) {}

  /** A random key for this process only (the in-memory store, which keeps nothing across restarts). */
  static random(): EventSealer {
    const key = randomBytes(32);
    return new EventSealer({ currentKeyId: 'process', key: (id) => (id === 'process' ? key : undefined) });
  }

  seal(fields: EventSealFields): { keyId: string; seal: Buffer } {
    const keyId = this.keys.currentKeyId;
    return { keyId, seal: mac(this.keys.key(keyId)!, fields) };
  }

  /** Recomputes the seal over the stored row, its digest taken from the stored bytes, not a column. */
  check(row: SealedRow): EventSealCheck {
    if (!row.seal || !row.sealKeyId) return 'unsealed';
    const key = this.keys.key(row.sealKeyId);
    if (!key) return 'unknown_key';
    if (row.body.length !== row.bodySize) return 'truncated';
    const fields = { ...row, bodySha256: createHash('sha256').update(row.body).digest() };
    if (constantTimeEqual(mac(key, fields), row.seal)) return 'intact';
    return constantTimeEqual(mac(key, fields, 'v1'), row.seal) ? 'intact' : 'mismatch';
  }
}

function mac(key: Buffer, fields: EventSealFields, version: 'v1' | 'v2' = 'v2'): Buffer {
  return createHmac('sha256', key).update(sealInput(fields, version)).digest();
}
