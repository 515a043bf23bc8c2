import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../constant-time';
import { WebhookConfigurationError } from '../errors';
import type { WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';
import { assertWithinTolerance, parseUnixSeconds } from '../timestamp';
import {
  assertHasSecrets,
  assertTolerance,
  decodeDigest,
  invalidHeader,
  jsonMessageId,
  noMatchingSignature,
  requireHeader,
  utf8HmacKey,
  utf8SecretBytes,
} from './scheme-support';

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
      const digest = createHmac('sha256', utf8HmacKey(secret)).update(`${timestamp}.`).update(request.rawBody).digest();
      for (const candidate of signatures) {
        if (constantTimeEqual(digest, candidate)) {
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
function parseStripeSignature(header: string): { timestamp: string; signatures: Buffer[] } {
  const entries = header.split(',');
  if (entries.length > MAX_ENTRIES) throw invalidHeader(HEADER, `at most ${MAX_ENTRIES} comma-separated entries`);
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    if (equals <= 0) throw invalidHeader(HEADER, 'a comma-separated list of key=value entries');
    const key = entry.slice(0, equals);
    const value = entry.slice(equals + 1);
    if (key === 't') {
      if (timestamp !== undefined) throw invalidHeader(HEADER, 'a list with exactly one t= entry');
      timestamp = value;
    } else if (key === 'v1') {
      const digest = decodeDigest(value, 'hex', 32);
      if (!digest) throw invalidHeader(HEADER, 'a list whose v1= entries are 64 hex digits');
      signatures.push(digest);
    }
  }
  if (timestamp === undefined) throw invalidHeader(HEADER, 'a list with a t= entry');
  return { timestamp, signatures };
}
