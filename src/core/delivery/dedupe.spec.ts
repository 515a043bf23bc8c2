import fc from 'fast-check';
import { assertWithinTolerance } from '../timestamp';
import { copyOutcome, dedupeKeyOf, replayWindowEnd } from './dedupe';

// Expected digests computed outside the code under test: printf '<head><body>' | sha256sum.
const BODY = Buffer.from('{"a":1}');
const SIGNED_AT = new Date(1_614_265_330_000);

describe('dedupeKeyOf', () => {
  const content = {};

  it('is the message id when the scheme signed it', () => {
    expect(dedupeKeyOf(content, { messageId: 'msg_1', signedAt: SIGNED_AT }, BODY)).toBe('msg_1');
    expect(dedupeKeyOf({ dedupeSignedContent: false }, { messageId: 'msg_1' }, BODY)).toBe('msg_1');
  });

  it('is the SHA-256 of "<timestamp>\\n" and the body when the id is unsigned', () => {
    const verification = { messageId: 'anyone-can-choose', unsignedMessageId: true, signedAt: SIGNED_AT };
    // printf '1614265330\n{"a":1}' | sha256sum
    expect(dedupeKeyOf(content, verification, BODY)).toBe(
      'sha256:19132f29b9488cf92691172c73ef1ec48f16d1408934f8978aeea5084d35f30e',
    );
  });

  it('hashes "\\n" alone for an empty body without a timestamp', () => {
    // printf '\n' | sha256sum
    expect(dedupeKeyOf(content, {}, Buffer.alloc(0))).toBe(
      'sha256:01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b',
    );
  });

  it('keeps the fraction of a timestamp signed in milliseconds', () => {
    // printf '1614265330.5\n{"a":1}' | sha256sum
    expect(dedupeKeyOf(content, { signedAt: new Date(1_614_265_330_500) }, BODY)).toBe(
      'sha256:e5a51daa82d5d4e90557cacd365e2e97637264f9167ad60a75b1a4a945518e2e',
    );
  });

  it('puts the unsigned event type between a tab and the newline, so two topics are two keys', () => {
    const created = dedupeKeyOf(content, { signedAt: SIGNED_AT, unsignedEventType: 'orders/create' }, BODY);
    // printf '1614265330\torders/create\n{"a":1}' | sha256sum
    expect(created).toBe('sha256:11e1a36b96deb38c7cbc3cf9cfc3e0a9f3641afc2eea83a3e93efae189b0f166');
    const paid = dedupeKeyOf(content, { signedAt: SIGNED_AT, unsignedEventType: 'orders/paid' }, BODY);
    expect(paid).not.toBe(created);
  });

  it("is the scheme's key of the signed content where it gives one (Twilio)", () => {
    expect(
      dedupeKeyOf(content, { signedContentKey: 'twilio:abc', unsignedMessageId: true, messageId: 'x' }, BODY),
    ).toBe('twilio:abc');
  });

  it('is absent where the endpoint does not deduplicate content and no id is signed', () => {
    const endpoint = { dedupeSignedContent: false };
    expect(dedupeKeyOf(endpoint, { signedAt: SIGNED_AT }, BODY)).toBeUndefined();
    expect(dedupeKeyOf(endpoint, { messageId: 'forged', unsignedMessageId: true }, BODY)).toBeUndefined();
    expect(dedupeKeyOf(endpoint, { signedContentKey: 'k' }, BODY)).toBeUndefined();
  });
});

describe('replayWindowEnd', () => {
  const endpoint = { toleranceSeconds: 300, dedupeWindowSeconds: 86_400 };

  it('ends a tolerance and a second after the signed timestamp: a later replay fails verification anyway', () => {
    // The tolerance is checked in whole seconds: signed at …330, tolerance 300, a copy verifies
    // until …630.999.
    expect(replayWindowEnd(endpoint, SIGNED_AT, 1_614_265_400_000)).toBe(1_614_265_631_000);
  });

  it('remembers the key at every instant a copy still passes the tolerance check', () => {
    // The attack: replay a captured delivery every few ms just after its tolerance; any instant
    // at which it verifies but its key is forgotten handles it again.
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000_000_000, max: 2_000_000_000_000 }),
        fc.integer({ min: 1, max: 86_400 }),
        fc.integer({ min: -2_000, max: 2_000 }),
        fc.boolean(),
        (signedMs, toleranceSeconds, offsetMs, wholeSeconds) => {
          const signedAt = new Date(wholeSeconds ? Math.floor(signedMs / 1000) * 1000 : signedMs);
          const nowMs = signedAt.getTime() + toleranceSeconds * 1000 + offsetMs;
          let verifies = true;
          try {
            assertWithinTolerance(signedAt.getTime() / 1000, Math.floor(nowMs / 1000), toleranceSeconds);
          } catch {
            verifies = false;
          }
          return !verifies || nowMs < replayWindowEnd({ toleranceSeconds, dedupeWindowSeconds: 0 }, signedAt, 0);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('ends the dedupe window after arrival when nothing is signed in time', () => {
    expect(replayWindowEnd(endpoint, undefined, 1_000)).toBe(86_401_000);
  });
});

describe('copyOutcome', () => {
  it.each([
    ['acknowledged', 'duplicate'],
    ['in_progress', 'in_progress'],
    ['claimed', 'accepted'],
  ] as const)('answers a copy whose first acceptance is %s as %s', (state, outcome) => {
    expect(copyOutcome(state)).toBe(outcome);
  });
});
