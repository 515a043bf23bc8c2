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
  noMatchingSignature,
  parseJsonObject,
  utf8HmacKey,
  utf8SecretBytes,
} from '../engines/scheme-support';

/** @publicApi */
export interface MailgunSchemeOptions {
  /**
   * How far the signed `timestamp` may be from the time of receipt, in either direction.
   * @default 900 (fifteen minutes, the common practice Mailgun's guide suggests)
   */
  readonly toleranceSeconds?: number;
}

const FORM = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;
const TIMESTAMP = /^[0-9]{1,12}$/;
/** Mailgun tokens are 50 characters; allow some room, but nothing unbounded or unprintable. */
const TOKEN = /^[\x21-\x7e]{1,256}$/;

interface MailgunSignature {
  readonly timestamp: string;
  readonly token: string;
  readonly signature: string;
}

/**
 * Mailgun: the signature travels in the body, `{"signature": {"timestamp", "token", "signature"}}`
 * (or the form fields of the same names for legacy webhooks), where `signature` is the hex
 * HMAC-SHA256 of timestamp + token keyed with the HTTP webhook signing key. It does not cover the
 * event data, so the `token` is the message id: a replayed token is a duplicate and never reaches
 * the handler twice. A body without well-formed signature fields is unauthenticated (401
 * `no_matching_signature`, since there is no header to call malformed). Multipart bodies (inbound
 * routes) are not supported.
 * @publicApi
 */
export class MailgunScheme implements SignatureScheme {
  readonly name = 'mailgun';
  readonly requiresSecret = true;
  readonly toleranceSeconds: number;

  constructor(options: MailgunSchemeOptions = {}) {
    this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 900, 'mailgun');
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const fields = readSignatureFields(request);
    const expected = fields && decodeDigest(fields.signature, 'hex', 32);
    if (!fields || !expected || !TIMESTAMP.test(fields.timestamp) || !TOKEN.test(fields.token)) {
      throw noMatchingSignature('The body carries no well-formed Mailgun signature (timestamp, token, signature).');
    }
    assertHasSecrets(secrets);
    const signedAt = Number(fields.timestamp);
    assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds);
    for (const secret of secrets) {
      const digest = createHmac('sha256', utf8HmacKey(secret)).update(fields.timestamp).update(fields.token).digest();
      if (constantTimeEqual(digest, expected)) {
        return { secretVersion: secret.version, messageId: fields.token, signedAt: new Date(signedAt * 1000) };
      }
    }
    throw noMatchingSignature();
  }

  validateSecret(secret: string | Buffer): void {
    utf8SecretBytes(secret);
  }
}

function readSignatureFields(request: WebhookRequest): MailgunSignature | undefined {
  if (FORM.test(headerValue(request, 'content-type') ?? '')) {
    const form = new URLSearchParams(request.rawBody.toString('utf8'));
    return pick((name) => (form.getAll(name).length === 1 ? form.get(name) : undefined));
  }
  const signature = parseJsonObject(request.rawBody)?.['signature'];
  if (typeof signature !== 'object' || signature === null || Array.isArray(signature)) return undefined;
  return pick((name) => (Object.prototype.hasOwnProperty.call(signature, name) ? signature[name as never] : undefined));
}

function pick(read: (name: string) => unknown): MailgunSignature | undefined {
  const rawTimestamp = read('timestamp');
  // Mailgun sends the timestamp as a string; an integer is the same signed digits.
  const timestamp =
    typeof rawTimestamp === 'number' && Number.isSafeInteger(rawTimestamp) ? String(rawTimestamp) : rawTimestamp;
  const token = read('token');
  const signature = read('signature');
  return typeof timestamp === 'string' && typeof token === 'string' && typeof signature === 'string'
    ? { timestamp, token, signature }
    : undefined;
}
