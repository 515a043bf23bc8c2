import { createHmac } from 'node:crypto';
import { constantTimeEqualText } from '../constant-time';
import { WebhookErrorCode, WebhookVerificationError } from '../errors';
import { headerValue, type WebhookRequest } from '../request';
import { decodeStandardSecret, memoizeKey, type WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';
import { assertWithinTolerance, parseUnixSeconds } from '../timestamp';

/** @publicApi */
export interface StandardWebhooksOptions {
  /**
   * How far, in seconds, the signed timestamp may be from the time of receipt, in either direction.
   * @default 300
   */
  toleranceSeconds?: number;
  /**
   * The header family: `webhook` (`webhook-id`, …) per the spec, or `svix` (`svix-id`, …).
   * @default 'webhook'
   */
  headerPrefix?: 'webhook' | 'svix';
}

/** At most this many entries in a signature header are looked at; more is refused as malformed. */
const MAX_SIGNATURE_ENTRIES = 32;
/** A message id: 1–256 visible ASCII characters, without '.', ',' or whitespace. */
const MESSAGE_ID = /^[\x21-\x2b\x2d\x2f-\x7e]{1,256}$/;
/** A v1 entry is the base64 of a 32-byte HMAC-SHA256: 44 characters. */
const V1_LENGTH = 44;

const deriveKey = memoizeKey((secret: WebhookSecret) => decodeStandardSecret(secret.value));

/**
 * Standard Webhooks v1 (and Svix): HMAC-SHA256 over `id.timestamp.body`, keyed with the decoded
 * `whsec_` secret, sent as space-separated `v1,<base64>` entries.
 * @publicApi
 */
export class StandardWebhooksScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = true;
  /** Signs `id.timestamp.body`, whose `.` no computed token holds. */
  readonly refusesChallengeAnswers = true;
  readonly toleranceSeconds: number;
  private readonly idHeader: string;
  private readonly timestampHeader: string;
  private readonly signatureHeader: string;

  constructor(options: StandardWebhooksOptions = {}) {
    const prefix = options.headerPrefix ?? 'webhook';
    this.name = prefix === 'svix' ? 'svix' : 'standard-webhooks';
    this.toleranceSeconds = options.toleranceSeconds ?? 300;
    this.idHeader = `${prefix}-id`;
    this.timestampHeader = `${prefix}-timestamp`;
    this.signatureHeader = `${prefix}-signature`;
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const id = this.required(request, this.idHeader);
    const timestamp = this.required(request, this.timestampHeader);
    const signatureHeader = this.required(request, this.signatureHeader);
    if (!MESSAGE_ID.test(id)) {
      throw new WebhookVerificationError(
        WebhookErrorCode.InvalidHeader,
        `The ${this.idHeader} header must be 1–256 visible ASCII characters without '.', ',' or spaces.`,
      );
    }
    const signedAt = parseUnixSeconds(timestamp, this.timestampHeader);
    if (secrets.length === 0) {
      throw new WebhookVerificationError(
        WebhookErrorCode.NoSecretConfigured,
        'No live secret is configured for this endpoint.',
      );
    }
    assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds);

    const candidates = parseV1Signatures(signatureHeader, this.signatureHeader);
    if (candidates.length > 0) {
      const prefix = `${id}.${timestamp}.`;
      for (const secret of secrets) {
        // Compared as base64 text: an entry that is not the exact (canonical) base64 matches nothing.
        const digest = createHmac('sha256', deriveKey(secret)).update(prefix).update(request.rawBody).digest('base64');
        for (const candidate of candidates) {
          if (constantTimeEqualText(digest, candidate)) {
            return { secretVersion: secret.version, messageId: id, signedAt: new Date(signedAt * 1000) };
          }
        }
      }
    }
    throw new WebhookVerificationError(
      WebhookErrorCode.NoMatchingSignature,
      'No signature in the request matches a live secret of this endpoint.',
    );
  }

  validateSecret(secret: string | Buffer): void {
    decodeStandardSecret(secret);
  }

  private required(request: WebhookRequest, name: string): string {
    const value = headerValue(request, name);
    if (value === undefined || value === '') {
      throw new WebhookVerificationError(WebhookErrorCode.MissingHeader, `The ${name} header is missing.`);
    }
    return value;
  }
}

/**
 * Picks the `v1,<base64>` entries out of a signature header. Entries of other versions (`v1a`,
 * `v2`) and entries of the wrong length are skipped, as the spec asks; a header with more than
 * {@link MAX_SIGNATURE_ENTRIES} entries is refused rather than scanned.
 */
function parseV1Signatures(header: string, name: string): string[] {
  // One entry is the common case (no key roll in progress): no list to split.
  if (header.length === V1_LENGTH + 3) return header.startsWith('v1,') ? [header.slice(3)] : [];
  const entries = header.split(' ');
  if (entries.length > MAX_SIGNATURE_ENTRIES) {
    throw new WebhookVerificationError(
      WebhookErrorCode.InvalidHeader,
      `The ${name} header has more than ${MAX_SIGNATURE_ENTRIES} entries.`,
    );
  }
  const signatures: string[] = [];
  for (const entry of entries) {
    if (entry.length === V1_LENGTH + 3 && entry.startsWith('v1,')) signatures.push(entry.slice(3));
  }
  return signatures;
}

/**
 * Signs a message the Standard Webhooks way and returns the `webhook-signature` value
 * (`v1,<base64>`). Useful for tests and for sending deliveries; the guard never signs.
 * @publicApi
 */
export function signStandardWebhook(input: {
  id: string;
  timestamp: number;
  body: string | Buffer;
  secret: string | Buffer;
}): string {
  const digest = createHmac('sha256', decodeStandardSecret(input.secret))
    .update(`${input.id}.${input.timestamp}.`)
    .update(input.body)
    .digest('base64');
  return `v1,${digest}`;
}
