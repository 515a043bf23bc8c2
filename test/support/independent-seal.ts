// The event seal as specified, written out with node:crypto alone, independently of src/storage/event-seal.ts:
// HMAC-SHA256 under an HKDF-SHA256 subkey of the master key (info `hookwarden/event-seal/v1`), over a domain
// tag (`hookwarden/event-seal/v2` and a NUL), each text field (endpoint, message id, event type, status,
// content type) as a presence byte and a 32-bit big-endian length before its UTF-8 bytes, the body's SHA-256
// and its size as a 64-bit big-endian integer.
import { createHash, createHmac, hkdfSync } from 'node:crypto';

/** The seal key derived from a master key. */
export function independentSealKey(master: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'hookwarden/event-seal/v1', 32));
}

export interface IndependentSealFields {
  endpoint: string;
  messageId: string | null | undefined;
  eventType: string | null | undefined;
  status: string;
  /** The stored content type (default: application/json, what the specs store). */
  contentType?: string | null;
  body: Buffer;
  /** The whole body's size (default: the body's length). */
  bodySize?: number;
  /** `v1`: the first encoding, before the content type was sealed (domain `hookwarden/event-seal/v1`). */
  version?: 'v1' | 'v2';
}

/** The seal of these fields under `key` (a seal key, not the master key). */
export function independentSeal(key: Buffer, row: IndependentSealFields): Buffer {
  const field = (text: string | null | undefined) => {
    if (text === null || text === undefined) return Buffer.from([0]);
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([Buffer.from([1]), length, bytes]);
  };
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(row.bodySize ?? row.body.length));
  return createHmac('sha256', key)
    .update(
      Buffer.concat([
        Buffer.from(`hookwarden/event-seal/${row.version ?? 'v2'}\0`),
        field(row.endpoint),
        field(row.messageId),
        field(row.eventType),
        field(row.status),
        ...(row.version === 'v1' ? [] : [field(row.contentType === undefined ? 'application/json' : row.contentType)]),
        createHash('sha256').update(row.body).digest(),
        size,
      ]),
    )
    .digest();
}
