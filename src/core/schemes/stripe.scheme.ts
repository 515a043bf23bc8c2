import { createHmac } from 'node:crypto';
import { constantTimeEqualText } from '../constant-time';
import { WebhookConfigurationError } from '../errors';
import type { WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';
import { assertWithinTolerance, parseUnixSeconds } from '../timestamp';
import {
  assertHasSecrets,
  assertTolerance,
  digestText,
  invalidHeader,
  jsonMessageId,
  noMatchingSignature,
  requireHeader,
  utf8HmacKey,
  utf8SecretBytes,
} from '../engines/scheme-support';

/** @publicApi */
export interface StripeSchemeOptions {
  /**
   * How far `t` may be from the time of receipt. Stripe's SDK refuses only old timestamps; this
   * also refuses ones as far in the future, which only a wrong clock or a forgery produces.
   * @default 300 (Stripe's DEFAULT_TOLERANCE)
   */
  readonly toleranceSeconds?: number;
}

const HEADER = 'stripe-signature';
/** A header has a handful of entries (`t`, one `v1` per active secret, maybe `v0`); more is malformed. */
const MAX_ENTRIES = 32;
const STRIPE_SECRET_PREFIX = 'whsec_';

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, each `v1` a hex HMAC-SHA256 of
 * `"<t>.<body>"` keyed with the **whole** `whsec_…` string as UTF-8 (it is not base64-decoded, unlike
 * Standard Webhooks). Stripe sends one `v1` per active endpoint secret while you roll it; `v0` and
 * unknown schemes are ignored. The event's `id` (`evt_…`) is the message id.
 * @publicApi
 */
export class StripeScheme implements SignatureScheme {
  readonly name = 'stripe';
  readonly requiresSecret = true;
  /** Signs `timestamp.body`, whose `.` no computed token holds. */
  readonly refusesChallengeAnswers = true;
  readonly toleranceSeconds: number;

  constructor(options: StripeSchemeOptions = {}) {
    this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, 'stripe');
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const { timestamp, signatures } = parseStripeSignature(requireHeader(request, HEADER));
    const signedAt = parseUnixSeconds(timestamp, HEADER);
    assertHasSecrets(secrets);
    assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds);
    for (const secret of secrets) {
      const digest = createHmac('sha256', utf8HmacKey(secret))
        .update(`${timestamp}.`)
        .update(request.rawBody)
        .digest('hex');
      for (const candidate of signatures) {
        if (constantTimeEqualText(digest, candidate)) {
          return {
            secretVersion: secret.version,
            messageId: jsonMessageId(request.rawBody, ['id']),
            signedAt: new Date(signedAt * 1000),
          };
        }
      }
    }
    throw noMatchingSignature();
  }

  /** Stripe endpoint secrets always start with `whsec_`; an API key (`sk_…`) here is a common mistake. */
  validateSecret(secret: string | Buffer): void {
    const text = Buffer.isBuffer(secret) ? secret.toString('utf8') : secret;
    utf8SecretBytes(text);
    if (!text.startsWith(STRIPE_SECRET_PREFIX) || text.length === STRIPE_SECRET_PREFIX.length) {
      throw new WebhookConfigurationError(
        'A Stripe webhook signing secret starts with "whsec_" (Dashboard → Webhooks → Signing secret); an API key does not work here.',
      );
    }
  }
}

/**
 * Splits `t=…,v1=…,v1=…`: exactly one `t`, every `v1` a 32-byte hex digest, other keys ignored.
 * A header without `v1` has nothing this scheme can check and matches nothing.
 */
function parseStripeSignature(header: string): { timestamp: string; signatures: string[] } {
  let timestamp: string | undefined;
  const signatures: string[] = [];
  // Walked with indexOf rather than split: this runs on every delivery.
  for (let start = 0, count = 1; ; count++) {
    if (count > MAX_ENTRIES) throw invalidHeader(HEADER, `at most ${MAX_ENTRIES} comma-separated entries`);
    const comma = header.indexOf(',', start);
    const end = comma < 0 ? header.length : comma;
    const equals = header.indexOf('=', start);
    if (equals <= start || equals >= end) throw invalidHeader(HEADER, 'a comma-separated list of key=value entries');
    const keyLength = equals - start;
    if (keyLength === 1 && header.charCodeAt(start) === 0x74 /* t */) {
      if (timestamp !== undefined) throw invalidHeader(HEADER, 'a list with exactly one t= entry');
      timestamp = header.slice(equals + 1, end);
    } else if (keyLength === 2 && header.startsWith('v1', start)) {
      const digest = digestText(header.slice(equals + 1, end), 'hex', 32);
      if (!digest) throw invalidHeader(HEADER, 'a list whose v1= entries are 64 hex digits');
      signatures.push(digest);
    }
    if (comma < 0) break;
    start = comma + 1;
  }
  if (timestamp === undefined) throw invalidHeader(HEADER, 'a list with a t= entry');
  return { timestamp, signatures };
}
