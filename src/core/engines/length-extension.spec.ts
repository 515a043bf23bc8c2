// The length-extension mark, against padding written from FIPS 180-4 in the tests (SHA-1 and
// SHA-256 pad to 64-byte blocks with a 64-bit length, SHA-512 to 128-byte blocks with a 128-bit one).
import fc from 'fast-check';
import { sha256Padding } from '../../../test/support/length-extension';
import { extendsEarlierMessage } from './length-extension';

function sha512Padding(length: number): Buffer {
  const zeros = (((111 - length) % 128) + 128) % 128;
  const padding = Buffer.alloc(1 + zeros + 16);
  padding[0] = 0x80;
  padding.writeBigUInt64BE(BigInt(length) * 8n, 1 + zeros + 8);
  return padding;
}

const paddings = { sha1: sha256Padding, sha256: sha256Padding, sha512: sha512Padding } as const;

describe('extendsEarlierMessage', () => {
  it.each(['sha1', 'sha256', 'sha512'] as const)(
    '%s: finds the padding of every earlier message, whatever the prefix and body lengths',
    (algorithm) => {
      for (let prefix = 1; prefix <= 140; prefix += 3) {
        for (let length = 0; length <= 260; length += 7) {
          const body = Buffer.alloc(length, 'a');
          const padding = paddings[algorithm](prefix + length);
          for (const suffix of [Buffer.alloc(0), Buffer.from('&forged=1')]) {
            expect(extendsEarlierMessage(algorithm, prefix, Buffer.concat([body, padding, suffix]))).toBe(true);
          }
          expect(extendsEarlierMessage(algorithm, prefix, body)).toBe(false);
          expect(extendsEarlierMessage(algorithm, prefix, Buffer.concat([body, Buffer.from('&forged=1')]))).toBe(false);
        }
      }
    },
  );

  it('does not take a padding of the wrong length, a shifted one, or one with a stray byte for the mark', () => {
    const prefix = 37;
    const body = Buffer.from('[{"eventId":1}]');
    const padding = sha256Padding(prefix + body.length);
    // The length of another message.
    const wrong = sha256Padding(prefix + body.length + 1);
    expect(extendsEarlierMessage('sha256', prefix, Buffer.concat([body, wrong.subarray(0, padding.length)]))).toBe(
      false,
    );
    // The same padding one byte later: off the block boundary.
    expect(extendsEarlierMessage('sha256', prefix, Buffer.concat([body, Buffer.from(' '), padding]))).toBe(false);
    // A byte that is not zero between 0x80 and the length.
    const stray = Buffer.from(padding);
    stray[3] = 1;
    expect(extendsEarlierMessage('sha256', prefix, Buffer.concat([body, stray]))).toBe(false);
    // The padding of an earlier message ending inside the prefix (the secret): not a body's.
    expect(extendsEarlierMessage('sha256', 70, sha256Padding(60).subarray(0, 4))).toBe(false);
  });

  it('never marks an honest text body', () => {
    fc.assert(
      fc.property(fc.nat(200), fc.json({ maxDepth: 3 }), (prefix, json) => {
        const body = Buffer.from(json.repeat(20), 'utf8');
        return (['sha1', 'sha256', 'sha512'] as const).every((a) => !extendsEarlierMessage(a, prefix, body));
      }),
    );
  });
});
