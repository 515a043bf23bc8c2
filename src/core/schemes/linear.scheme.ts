import { HmacScheme } from '../engines/hmac.engine';
import { WebhookErrorCode, WebhookVerificationError } from '../errors';
import type { WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';
import { assertWithinTolerance } from '../timestamp';
import { assertTolerance, parseJsonObject } from '../engines/scheme-support';

/** @publicApi */
export interface LinearSchemeOptions {
  /**
   * How far the body's `webhookTimestamp` may be from the time of receipt, in either direction.
   * @default 60 (Linear's SDK)
   */
  readonly toleranceSeconds?: number;
}

/**
 * Linear: `Linear-Signature: <hex HMAC-SHA256 of the body>`, keyed with the webhook's signing
 * secret. The timestamp travels inside the signed body (`webhookTimestamp`, milliseconds) and is
 * checked once the signature matched; a body without one is refused. `Linear-Delivery` is the id.
 * @publicApi
 */
export class LinearScheme implements SignatureScheme {
  readonly name = 'linear';
  readonly requiresSecret = true;
  /** Its HmacScheme refuses token-shaped bodies. */
  readonly refusesChallengeAnswers = true;
  readonly toleranceSeconds: number;
  private readonly signature = new HmacScheme({
    name: 'linear',
    header: 'linear-signature',
    idHeader: 'linear-delivery',
  });

  constructor(options: LinearSchemeOptions = {}) {
    this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 60, 'linear');
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const verified = this.signature.verify(request, secrets, context);
    const timestamp = parseJsonObject(request.rawBody)?.['webhookTimestamp'];
    if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
      // Signed but without a usable time: its freshness cannot be judged, so it is not accepted.
      throw new WebhookVerificationError(
        WebhookErrorCode.TimestampTooOld,
        'The Linear payload has no webhookTimestamp (milliseconds), so its freshness cannot be checked.',
      );
    }
    const signedAt = Math.floor(timestamp / 1000);
    assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds);
    return { ...verified, signedAt: new Date(signedAt * 1000) };
  }

  validateSecret(secret: string | Buffer): void {
    this.signature.validateSecret(secret);
  }
}
