import type { KeyObject } from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import type { WebhookRequest } from '../request';
import { memoizeKey, type WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';
import { assertWithinTolerance, parseUnixSeconds } from '../timestamp';
import { parsePublicKey, verifySignature } from '../engines/public-keys';
import {
  assertHasSecrets,
  assertTolerance,
  decodeBase64,
  invalidHeader,
  noMatchingSignature,
  requireHeader,
} from '../engines/scheme-support';

/** @publicApi */
export interface SendGridSchemeOptions {
  /**
   * How far `X-Twilio-Email-Event-Webhook-Timestamp` may be from the time of receipt, in either
   * direction. SendGrid's library checks none; the timestamp is signed, so a window refuses replays.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

const SIGNATURE = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP = 'x-twilio-email-event-webhook-timestamp';
/** A DER ECDSA P-256 signature is 8 to 72 bytes; 96 base64 characters is ample. */
const MAX_SIGNATURE_LENGTH = 96;

const publicKeyOf = memoizeKey((secret: WebhookSecret) => sendGridKey(secret.value));

/**
 * Twilio SendGrid's signed Event Webhook: `X-Twilio-Email-Event-Webhook-Signature` is a base64 DER
 * ECDSA P-256/SHA-256 signature of `X-Twilio-Email-Event-Webhook-Timestamp` + body, checked with the
 * verification key from Mail Settings (base64 DER, as SendGrid shows it) as the endpoint's secret.
 * A delivery is a batch of events, so there is no single message id.
 * @publicApi
 */
export class SendGridScheme implements SignatureScheme {
  readonly name = 'sendgrid';
  readonly requiresSecret = true;
  /** ECDSA signatures: no HMAC keyed with the secret. */
  readonly refusesChallengeAnswers = true;
  readonly toleranceSeconds: number;

  constructor(options: SendGridSchemeOptions = {}) {
    this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, 'sendgrid');
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const encoded = requireHeader(request, SIGNATURE);
    const signature = encoded.length <= MAX_SIGNATURE_LENGTH ? decodeBase64(encoded) : undefined;
    if (!signature) throw invalidHeader(SIGNATURE, 'a base64 DER ECDSA signature');
    const timestamp = requireHeader(request, TIMESTAMP);
    const signedAt = parseUnixSeconds(timestamp, TIMESTAMP);
    assertHasSecrets(secrets);
    assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds);
    const message = Buffer.concat([Buffer.from(timestamp, 'utf8'), request.rawBody]);
    for (const secret of secrets) {
      if (verifySignature('sha256', message, publicKeyOf(secret), signature, 'der')) {
        return { secretVersion: secret.version, signedAt: new Date(signedAt * 1000) };
      }
    }
    throw noMatchingSignature();
  }

  validateSecret(secret: string | Buffer): void {
    sendGridKey(secret);
  }
}

function sendGridKey(value: string | Buffer): KeyObject {
  const key = parsePublicKey(value, 'A SendGrid verification key');
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new WebhookConfigurationError('A SendGrid verification key must be an ECDSA P-256 public key.');
  }
  return key;
}
