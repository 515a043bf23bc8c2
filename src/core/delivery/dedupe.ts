import { createHash } from 'node:crypto';
import type { SignatureVerification } from '../signature-scheme';

/**
 * What duplicates are recognised by: a signed message id as is; otherwise (no id, or an id header
 * anyone can rewrite) the scheme's key of the signed content (Twilio), else the SHA-256 of the signed
 * timestamp and the body — what every such scheme signs. The one unsigned value that enters it is the
 * event type of a provider that names it only in a header (Shopify's topic, GitHub's event): one body
 * under two topics is two events, and merging them would lose one. An endpoint that does not
 * deduplicate content (Dropbox, Microsoft Graph) keeps only a signed id; an unsigned id header is
 * never a key, or a replay carrying a future delivery's id would suppress that delivery.
 */
export function dedupeKeyOf(
  endpoint: { readonly dedupeSignedContent?: boolean },
  verification: SignatureVerification,
  rawBody: Buffer,
): string | undefined {
  if (verification.messageId !== undefined && verification.unsignedMessageId !== true) return verification.messageId;
  if (endpoint.dedupeSignedContent === false) return undefined;
  if (verification.signedContentKey !== undefined) return verification.signedContentKey;
  const signedAt = verification.signedAt === undefined ? '' : String(verification.signedAt.getTime() / 1000);
  // "<ts>\n" without an event type, "<ts>\t<type>\n" with one: the type (visible ASCII, validated by
  // the scheme) holds no tab or newline, so no two (type, body) pairs give the same hashed bytes.
  const head =
    verification.unsignedEventType === undefined ? `${signedAt}\n` : `${signedAt}\t${verification.unsignedEventType}\n`;
  return `sha256:${createHash('sha256').update(head).update(rawBody).digest('hex')}`;
}

/**
 * Until when (ms since the epoch) a delivery's key must be remembered: a signed timestamp makes a
 * replay fail verification once it is older than the tolerance, so the key is needed until then;
 * without one nothing ever expires a replay, and the endpoint's dedupe window bounds the memory.
 * The tolerance is checked in whole seconds of the arrival, so a copy still verifies up to a second
 * past `signedAt + tolerance`: the key is kept that second too.
 */
export function replayWindowEnd(
  endpoint: { readonly toleranceSeconds: number; readonly dedupeWindowSeconds: number },
  signedAt: Date | undefined,
  receivedAt: number,
): number {
  return signedAt
    ? signedAt.getTime() + (endpoint.toleranceSeconds + 1) * 1000
    : receivedAt + endpoint.dedupeWindowSeconds * 1000;
}

/** Where the first acceptance of a duplicate's key stands (the event log's `resolveDuplicate`). */
export type FirstAcceptanceState = 'acknowledged' | 'in_progress' | 'claimed';

/**
 * What a copy of an accepted delivery is answered as. A copy is a duplicate (2xx, no handler) only
 * once the first acceptance was acknowledged: until then its handler may still fail and be
 * released, and a 2xx would have told the provider to stop retrying (`in_progress`: 503). A copy
 * that took over a lease its holder let run out (`claimed`) is handled as an acceptance.
 */
export function copyOutcome(state: FirstAcceptanceState): 'duplicate' | 'in_progress' | 'accepted' {
  if (state === 'in_progress') return 'in_progress';
  return state === 'claimed' ? 'accepted' : 'duplicate';
}
