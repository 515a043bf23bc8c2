import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../constant-time';
import { headerValue, type WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';
import { assertWithinTolerance } from '../timestamp';
import {
  assertHasSecrets,
  assertTolerance,
  decodeDigest,
  invalidHeader,
  missingHeader,
  noMatchingSignature,
  parseRfc3339Seconds,
  readIdHeader,
  requireHeader,
  utf8HmacKey,
  utf8SecretBytes,
} from '../engines/scheme-support';

/** @publicApi */
export interface BoxSchemeOptions {
  /**
   * How far `BOX-DELIVERY-TIMESTAMP` may be from the time of receipt.
   * @default 600 (Box: ten minutes)
   */
  readonly toleranceSeconds?: number;
}

const PRIMARY = 'box-signature-primary';
const SECONDARY = 'box-signature-secondary';
const TIMESTAMP = 'box-delivery-timestamp';

/**
 * Box webhooks v2: `BOX-SIGNATURE-PRIMARY` and `BOX-SIGNATURE-SECONDARY`, each the base64
 * HMAC-SHA256 of body + `BOX-DELIVERY-TIMESTAMP`, one per signature key of the app. Configure both
 * keys as live secrets: a request is accepted when any live key matches either signature, so
 * rotating one key in the Box console never drops a delivery. `BOX-SIGNATURE-ALGORITHM` must be
 * `HmacSHA256` and `BOX-SIGNATURE-VERSION` `1`, as Box's SDK requires; `BOX-DELIVERY-ID` is the id.
 * @publicApi
 */
export class BoxScheme implements SignatureScheme {
  readonly name = 'box';
  readonly requiresSecret = true;
  /** Signs body + an RFC 3339 timestamp, whose `:` no computed token holds. */
  readonly refusesChallengeAnswers = true;
  readonly toleranceSeconds: number;

  constructor(options: BoxSchemeOptions = {}) {
    this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 600, 'box');
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const timestamp = requireHeader(request, TIMESTAMP);
    const signatures = [PRIMARY, SECONDARY].flatMap((name) => {
      const value = headerValue(request, name);
      if (value === undefined || value === '') return [];
      const digest = decodeDigest(value, 'base64', 32);
      if (!digest) throw invalidHeader(name, 'a base64 HMAC-SHA256 digest');
      return [digest];
    });
    if (signatures.length === 0) throw missingHeader(PRIMARY);
    if (requireHeader(request, 'box-signature-algorithm') !== 'HmacSHA256') {
      throw invalidHeader('box-signature-algorithm', 'HmacSHA256');
    }
    if (requireHeader(request, 'box-signature-version') !== '1') throw invalidHeader('box-signature-version', '1');
    const messageId = readIdHeader(request, 'box-delivery-id', false);
    const signedAt = parseRfc3339Seconds(timestamp, TIMESTAMP);
    assertHasSecrets(secrets);
    assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds);
    for (const secret of secrets) {
      const digest = createHmac('sha256', utf8HmacKey(secret)).update(request.rawBody).update(timestamp).digest();
      for (const candidate of signatures) {
        if (constantTimeEqual(digest, candidate)) {
          // BOX-DELIVERY-ID is not signed: deduplication keys on the signed body and timestamp.
          return {
            secretVersion: secret.version,
            messageId,
            signedAt: new Date(signedAt * 1000),
            ...(messageId !== undefined ? { unsignedMessageId: true } : {}),
          };
        }
      }
    }
    throw noMatchingSignature();
  }

  validateSecret(secret: string | Buffer): void {
    utf8SecretBytes(secret);
  }
}
