import { WebhookErrorCode, WebhookVerificationError } from '../errors';
import type { WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification } from '../signature-scheme';

/**
 * Runs the endpoint's schemes in their configured order over one request; every one must accept
 * (the first that throws refuses it). With several, each value comes from the first scheme that
 * reports it (an address check before a signature: the signature's id, time and secret win), and
 * an id's "unsigned" flag travels with the id it describes.
 */
export function verifyWithSchemes(
  schemes: readonly SignatureScheme[],
  request: WebhookRequest,
  secrets: readonly WebhookSecret[],
  receivedAt: number,
): SignatureVerification {
  const context = { receivedAt };
  if (schemes.length === 1) return schemes[0].verify(request, secrets, context);
  let merged: SignatureVerification = {};
  for (const scheme of schemes) merged = mergeVerification(merged, scheme.verify(request, secrets, context));
  return merged;
}

/** `earlier` with what `later` adds: a value already known is kept. */
export function mergeVerification(earlier: SignatureVerification, later: SignatureVerification): SignatureVerification {
  return {
    secretVersion: earlier.secretVersion ?? later.secretVersion,
    messageId: earlier.messageId ?? later.messageId,
    unsignedMessageId: earlier.messageId === undefined ? later.unsignedMessageId : earlier.unsignedMessageId,
    signedAt: earlier.signedAt ?? later.signedAt,
    signedContentKey: earlier.signedContentKey ?? later.signedContentKey,
    unsignedEventType: earlier.unsignedEventType ?? later.unsignedEventType,
  };
}

/**
 * What a failure while verifying is answered and recorded as: a verification error as it is; any
 * other (a scheme's bug, a store that threw) fails closed as `verification_failed`, never a 500.
 * `unexpected` says the caller should log it (by error class only: a message may quote the request).
 */
export function refusalOf(error: unknown): {
  readonly rejection: WebhookVerificationError;
  readonly unexpected: boolean;
} {
  if (error instanceof WebhookVerificationError) return { rejection: error, unexpected: false };
  return {
    rejection: new WebhookVerificationError(WebhookErrorCode.VerificationFailed, 'The request could not be verified.'),
    unexpected: true,
  };
}

const RAW_BODY_HELP =
  'The raw request body is not available, so the signature cannot be checked. Create the app with ' +
  'NestFactory.create(AppModule, { rawBody: true }) and, for text or binary bodies, call ' +
  'useWebhookBodyParsers(app) from nestjs-hookwarden.';

/**
 * The refusal of a request that has a body but no raw bytes. XML, multipart…: no body parser keeps
 * their bytes, so the type is refused (415, as the platform answers an unknown type); a type the
 * parsers read arriving without them is a setup mistake, and the message says how to fix it.
 */
export function missingRawBodyRefusal(parsedMediaType: boolean): WebhookVerificationError {
  if (!parsedMediaType) {
    return new WebhookVerificationError(
      WebhookErrorCode.UnsupportedMediaType,
      'The body has a content type this endpoint does not read: send JSON, a form, text or application/octet-stream.',
    );
  }
  return new WebhookVerificationError(WebhookErrorCode.RawBodyMissing, RAW_BODY_HELP);
}
