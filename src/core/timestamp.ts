import { WebhookErrorCode, WebhookVerificationError } from './errors';

// No leading zero: where a template joins the timestamp to another field (`{id}{timestamp}`), a
// zero moved across the join would keep the signed string and change both values.
const DIGITS = /^(?:0|[1-9][0-9]{0,11})$/;

/**
 * Parses a Unix timestamp in seconds: ASCII digits only (no sign, fraction, space, suffix or leading
 * zero), at most 12 of them, so neither `1614265330abc` nor `1e9` nor a 400-digit number gets through.
 * @internal
 */
export function parseUnixSeconds(value: string, header: string): number {
  if (!DIGITS.test(value)) {
    throw new WebhookVerificationError(
      WebhookErrorCode.InvalidHeader,
      `The ${header} header must be a Unix timestamp in seconds (digits only).`,
    );
  }
  return Number(value);
}

/**
 * Checks a signed timestamp against the moment the request was received, in both directions.
 * A timestamp exactly `toleranceSeconds` away passes; one second more does not.
 * @internal
 */
export function assertWithinTolerance(signedAtSeconds: number, nowSeconds: number, toleranceSeconds: number): void {
  if (nowSeconds - signedAtSeconds > toleranceSeconds) {
    throw new WebhookVerificationError(
      WebhookErrorCode.TimestampTooOld,
      `The webhook timestamp is more than ${toleranceSeconds} seconds old.`,
    );
  }
  if (signedAtSeconds - nowSeconds > toleranceSeconds) {
    throw new WebhookVerificationError(
      WebhookErrorCode.TimestampTooNew,
      `The webhook timestamp is more than ${toleranceSeconds} seconds in the future.`,
    );
  }
}
