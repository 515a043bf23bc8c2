import type { KeyObject } from 'node:crypto';
import { constantTimeEqualString } from '../constant-time';
import { WebhookConfigurationError } from '../errors';
import { headerValue, type WebhookRequest } from '../request';
import { memoizeKey, type WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';
import { parsePublicKey, verifySignature } from '../engines/public-keys';
import {
  assertHasSecrets,
  decodeBase64,
  invalidHeader,
  jsonMessageId,
  missingHeader,
  noMatchingSignature,
  parseJsonObject,
} from '../engines/scheme-support';

/** @publicApi */
export interface AdobeIoSchemeOptions {
  /**
   * Your project's client id (API key). When set, the payload's `recipient_client_id` must equal it,
   * as Adobe asks, so an event signed for another Adobe customer is refused.
   */
  readonly clientId?: string;
}

const SIGNATURE_HEADERS = ['x-adobe-digital-signature-1', 'x-adobe-digital-signature-2'] as const;
/** RSA-2048 to RSA-4096 signatures are 256 to 512 bytes. */
const MAX_SIGNATURE_LENGTH = 700;
const MIN_RSA_BITS = 2048;

const publicKeyOf = memoizeKey((secret: WebhookSecret) => adobeKey(secret.value));

/**
 * Adobe I/O Events: `x-adobe-digital-signature-1` and `-2` each carry a base64 RSA-SHA256
 * (PKCS#1 v1.5) signature of the body; one verifying with a configured public key is enough.
 * The public keys are the endpoint's secrets (PEM, or base64 of the PEM), given in configuration:
 * the `x-adobe-public-key*-path` headers are ignored, because a key fetched from a location the
 * request names would let the sender choose the key that verifies it. When Adobe rotates its keys,
 * add the new one as a secret before the old one is retired. The legacy `x-adobe-signature` HMAC is
 * not accepted. The payload's `event_id` is the message id.
 * @publicApi
 */
export class AdobeIoScheme implements SignatureScheme {
  readonly name = 'adobe-io';
  readonly requiresSecret = true;
  /** RSA signatures: no HMAC keyed with the secret. */
  readonly refusesChallengeAnswers = true;

  constructor(private readonly options: AdobeIoSchemeOptions = {}) {
    if (options.clientId !== undefined && options.clientId.length === 0) {
      throw new WebhookConfigurationError('The adobe-io clientId must not be empty.');
    }
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], _context: VerifyContext): SignatureVerification {
    const signatures = SIGNATURE_HEADERS.flatMap((name) => {
      const value = headerValue(request, name);
      if (value === undefined || value === '') return [];
      const signature = value.length <= MAX_SIGNATURE_LENGTH ? decodeBase64(value) : undefined;
      if (!signature) throw invalidHeader(name, 'a base64 RSA signature');
      return [signature];
    });
    if (signatures.length === 0) throw missingHeader(SIGNATURE_HEADERS[0]);
    assertHasSecrets(secrets);
    for (const secret of secrets) {
      const key = publicKeyOf(secret);
      if (signatures.some((signature) => verifySignature('sha256', request.rawBody, key, signature))) {
        this.assertRecipient(request.rawBody);
        return { secretVersion: secret.version, messageId: jsonMessageId(request.rawBody, ['event_id']) };
      }
    }
    throw noMatchingSignature();
  }

  validateSecret(secret: string | Buffer): void {
    adobeKey(secret);
  }

  private assertRecipient(rawBody: Buffer): void {
    if (this.options.clientId === undefined) return;
    const recipient = parseJsonObject(rawBody)?.['recipient_client_id'];
    if (typeof recipient !== 'string' || !constantTimeEqualString(recipient, this.options.clientId)) {
      throw noMatchingSignature('The event is signed by Adobe but addressed to another client id.');
    }
  }
}

function adobeKey(value: string | Buffer): KeyObject {
  const key = parsePublicKey(value, 'An Adobe I/O Events public key');
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    throw new WebhookConfigurationError(`An Adobe I/O Events public key must be RSA of at least ${MIN_RSA_BITS} bits.`);
  }
  return key;
}
