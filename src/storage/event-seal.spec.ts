// The seal of an accepted event, from the attacker's side: whoever can write the events table can
// rewrite a body and its digest column, move a row to another endpoint or cut it, but cannot make
// a seal without the key. Expected seals are computed with node:crypto alone (test/support/independent-seal.ts).
import { createHash, randomBytes } from 'node:crypto';
import { independentSeal } from '../../test/support/independent-seal';
import { EventSealer, storedContentType, type SealedRow } from './event-seal';

const KEY = randomBytes(32);
const sealer = new EventSealer({ currentKeyId: 'k1', key: (id) => (id === 'k1' ? KEY : undefined) });

const body = Buffer.from('{"type":"invoice.paid","amount":100}');
const row = {
  endpoint: 'billing',
  messageId: 'msg_1',
  eventType: 'invoice.paid',
  status: 'accepted',
  contentType: 'application/json',
  body,
  bodySize: body.length,
};

function sealed(): SealedRow {
  const made = sealer.seal({ ...row, bodySha256: createHash('sha256').update(body).digest() });
  return { ...row, seal: made.seal, sealKeyId: made.keyId };
}

describe('EventSealer', () => {
  it('seals under the current key exactly as the encoding written out here, and checks it intact', () => {
    const stored = sealed();
    expect(stored.sealKeyId).toBe('k1');
    expect(stored.seal!.equals(independentSeal(KEY, row))).toBe(true);
    expect(sealer.check(stored)).toBe('intact');
  });

  it('refuses a body rewritten with its digest: the digest is recomputed from the stored bytes', () => {
    const forged = Buffer.from('{"type":"invoice.paid","amount":999}');
    expect(sealer.check({ ...sealed(), body: forged, bodySize: forged.length })).toBe('mismatch');
  });

  it.each([
    ['another endpoint', { endpoint: 'payroll' }],
    ['another message id', { messageId: 'msg_2' }],
    ['no message id', { messageId: null }],
    ['another type', { eventType: 'invoice.voided' }],
    ['another status (released)', { status: 'rejected' }],
    ['another content type (the same bytes parsed as a form)', { contentType: 'application/x-www-form-urlencoded' }],
    ['no content type', { contentType: undefined }],
  ])('refuses the row moved to %s', (_name, change) => {
    expect(sealer.check({ ...sealed(), ...change })).toBe('mismatch');
  });

  it('tells field boundaries apart (no two rows share an encoding)', () => {
    const a = sealer.seal({ ...row, endpoint: 'ab', messageId: 'c', bodySha256: Buffer.alloc(32) });
    const b = sealer.seal({ ...row, endpoint: 'a', messageId: 'bc', bodySha256: Buffer.alloc(32) });
    const empty = sealer.seal({ ...row, messageId: '', bodySha256: Buffer.alloc(32) });
    const none = sealer.seal({ ...row, messageId: null, bodySha256: Buffer.alloc(32) });
    expect(a.seal.equals(b.seal)).toBe(false);
    expect(empty.seal.equals(none.seal)).toBe(false);
  });

  it('refuses a cut body, a missing seal, a key no longer in the ring and a seal of another key', () => {
    const stored = sealed();
    expect(sealer.check({ ...stored, body: body.subarray(0, 10) })).toBe('truncated');
    expect(sealer.check({ ...stored, seal: null })).toBe('unsealed');
    expect(sealer.check({ ...stored, sealKeyId: null })).toBe('unsealed');
    expect(sealer.check({ ...stored, sealKeyId: 'k0' })).toBe('unknown_key');
    const other = new EventSealer({ currentKeyId: 'k1', key: () => randomBytes(32) });
    expect(other.check(stored)).toBe('mismatch');
    expect(sealer.check({ ...stored, seal: stored.seal!.subarray(0, 16) })).toBe('mismatch');
  });

  it('checks a seal of the first encoding (before the content type was sealed), and only as that', () => {
    const v1 = independentSeal(KEY, { ...row, version: 'v1' });
    const stored: SealedRow = { ...row, seal: v1, sealKeyId: 'k1' };
    expect(sealer.check(stored)).toBe('intact');
    // What v1 never covered stays uncovered for such rows; what it covered is checked.
    expect(sealer.check({ ...stored, contentType: 'application/x-www-form-urlencoded' })).toBe('intact');
    expect(sealer.check({ ...stored, endpoint: 'payroll' })).toBe('mismatch');
    const forged = Buffer.from('{"type":"invoice.paid","amount":999}');
    expect(sealer.check({ ...stored, body: forged, bodySize: forged.length })).toBe('mismatch');
    // A v2 seal is never read as v1: its content type stays covered.
    expect(sealer.check({ ...sealed(), contentType: 'text/plain' })).toBe('mismatch');
  });

  it('reads the content type as the worker does: any spelling of the name, the last one winning', () => {
    expect(storedContentType({ 'Content-Type': 'application/json' })).toBe('application/json');
    expect(storedContentType({ 'content-type': 'text/plain', 'CONTENT-TYPE': 'application/json' })).toBe(
      'application/json',
    );
    expect(storedContentType({ accept: 'application/json' })).toBeUndefined();
    expect(storedContentType(null)).toBeUndefined();
  });

  it('a random per-process sealer checks its own seals and no other process', () => {
    const a = EventSealer.random();
    const made = a.seal({ ...row, bodySha256: createHash('sha256').update(body).digest() });
    const stored = { ...row, seal: made.seal, sealKeyId: made.keyId };
    expect(a.check(stored)).toBe('intact');
    expect(EventSealer.random().check(stored)).toBe('mismatch');
  });
});
