// The attacker's tool against `hash(secret + message)` digests: SHA-256 length extension, written
// here from FIPS 180-4 (not from the code under test). Given the digest of an unknown secret
// followed by a known message, and only the secret's length, it computes a valid digest of
// secret + message + padding + any suffix.

const K = Uint32Array.from(
  // The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
  primes(64).map((p) => Math.floor((Math.cbrt(p) % 1) * 2 ** 32) >>> 0),
);

function primes(count: number): number[] {
  const found: number[] = [];
  for (let n = 2; found.length < count; n++) if (found.every((p) => n % p !== 0)) found.push(n);
  return found;
}

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

function compress(state: Uint32Array, block: Buffer): void {
  const w = new Uint32Array(64);
  for (let i = 0; i < 16; i++) w[i] = block.readUInt32BE(i * 4);
  for (let i = 16; i < 64; i++) {
    const s0 = rotr(w[i - 15]!, 7) ^ rotr(w[i - 15]!, 18) ^ (w[i - 15]! >>> 3);
    const s1 = rotr(w[i - 2]!, 17) ^ rotr(w[i - 2]!, 19) ^ (w[i - 2]! >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) >>> 0;
  }
  let [a, b, c, d, e, f, g, h] = state as unknown as number[];
  for (let i = 0; i < 64; i++) {
    const t1 = (h! + (rotr(e!, 6) ^ rotr(e!, 11) ^ rotr(e!, 25)) + ((e! & f!) ^ (~e! & g!)) + K[i]! + w[i]!) >>> 0;
    const t2 = ((rotr(a!, 2) ^ rotr(a!, 13) ^ rotr(a!, 22)) + ((a! & b!) ^ (a! & c!) ^ (b! & c!))) >>> 0;
    [h, g, f, e, d, c, b, a] = [g, f, e, (d! + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
  }
  [a, b, c, d, e, f, g, h].forEach((v, i) => (state[i] = (state[i]! + v!) >>> 0));
}

/** SHA-256's padding of a message of `length` bytes: 0x80, zeros, the bit length (64-bit big-endian). */
export function sha256Padding(length: number): Buffer {
  const zeros = (((55 - length) % 64) + 64) % 64;
  const padding = Buffer.alloc(1 + zeros + 8);
  padding[0] = 0x80;
  padding.writeBigUInt64BE(BigInt(length) * 8n, 1 + zeros);
  return padding;
}

/**
 * From `digest` = SHA-256(secret + known) and the secret's length: the bytes to append to `known`
 * (its padding, then `suffix`) and the SHA-256 of secret + known + those bytes, in hex.
 */
export function extendSha256(
  digest: Buffer,
  secretLength: number,
  known: Buffer,
  suffix: Buffer,
): { appended: Buffer; digest: string } {
  const state = new Uint32Array(8);
  for (let i = 0; i < 8; i++) state[i] = digest.readUInt32BE(i * 4);
  const glue = sha256Padding(secretLength + known.length);
  const processed = secretLength + known.length + glue.length;
  const tail = Buffer.concat([suffix, sha256Padding(processed + suffix.length)]);
  for (let i = 0; i < tail.length; i += 64) compress(state, tail.subarray(i, i + 64));
  const out = Buffer.alloc(32);
  state.forEach((word, i) => out.writeUInt32BE(word, i * 4));
  return { appended: Buffer.concat([glue, suffix]), digest: out.toString('hex') };
}
