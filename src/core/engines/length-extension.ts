import type { HmacAlgorithm } from './engine-parts';

/** Block and length-field sizes of the Merkle–Damgård hashes a digest scheme may use. */
const SHAPES: Readonly<Record<HmacAlgorithm, { block: number; lengthField: number }>> = {
  sha1: { block: 64, lengthField: 8 },
  sha256: { block: 64, lengthField: 8 },
  sha512: { block: 128, lengthField: 16 },
};

/**
 * Whether `body` (the message from the body to its end), hashed after `bodyStart` bytes of the
 * message (the secret and what precedes the body), holds the hash's own padding of an earlier
 * message at a block boundary: 0x80, zeros, and that message's bit length. This is the mark of a
 * length extension of `hash(secret + …)`: from one signed delivery, an attacker appends the padding
 * and any bytes, and computes the digest without the secret. An honest body holds it by chance
 * with a probability below 2^-64.
 *
 * The padding starts in the body: every other part of the message is the secret, a configured
 * value or a printable header, none of which can hold 0x80 or a NUL byte. Its length field may end
 * in a part hashed after the body (a timestamp's digit), hence the message to its end.
 * @internal
 */
export function extendsEarlierMessage(algorithm: HmacAlgorithm, bodyStart: number, body: Buffer): boolean {
  const { block, lengthField } = SHAPES[algorithm];
  const end = bodyStart + body.length;
  // Each block boundary k inside the body whose length field also is: the field ends at k.
  for (let k = Math.ceil((bodyStart + lengthField + 1) / block) * block; k <= end; k += block) {
    const field = k - bodyStart - lengthField;
    // A body's bit length fits in 53 bits: the field's higher bytes must be zero.
    let high = 0;
    for (let i = field; i < field + lengthField - 8; i++) high |= body[i]!;
    const upper = body.readUInt32BE(field + lengthField - 8);
    if (high !== 0 || upper >= 2 ** 21) continue;
    const bits = upper * 2 ** 32 + body.readUInt32BE(field + lengthField - 4);
    if (bits % 8 !== 0) continue;
    const earlier = bits / 8;
    // The earlier message ended in the body, and its padding (0x80, zeros, the length) ends at k,
    // padded as little as the hash pads: to the first block boundary with room for the length.
    if (earlier < bodyStart || Math.ceil((earlier + 1 + lengthField) / block) * block !== k) continue;
    if (body[earlier - bodyStart] !== 0x80) continue;
    let zeros = true;
    for (let i = earlier - bodyStart + 1; i < field && zeros; i++) zeros = body[i] === 0;
    if (zeros) return true;
  }
  return false;
}
