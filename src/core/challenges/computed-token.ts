import type { ChallengeContext, ChallengeStrategy } from '../challenge-strategy';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import type { SignatureScheme } from '../signature-scheme';

// A computed challenge answer is prefix + HMAC(secret, token) with a token the requester chose (X's
// CRC, Zoom's plainToken, declarative `challenge_tokens`). Keyed with a secret that also signs
// deliveries, it is a delivery signature over any string to sign equal to the token. Domain
// separation keeps the two sets apart: a computed token only ever holds the characters below, and
// the schemes refuse a delivery whose string to sign holds nothing else (HmacScheme), or always sign
// a character outside it (`.` of Stripe and Standard Webhooks, `:` of Slack, Zoom, URLs, RFC 3339).

/**
 * What a computed challenge token may be: letters, digits, `_`, `+`, `/`, `-` and up to two `=` of
 * base64 padding at the end — base64, base64url, hex and UUIDs, which covers the tokens X
 * (`9b4507b3-9040-…`) and Zoom (`qgg8vlvZRS6UYooatFL8Aw`) send. Never `{`, `[`, `"`, `:`, `.`, `,`,
 * `&`, an inner `=` or whitespace, so a token is never a JSON or form body nor a string to sign
 * with a separator.
 * @publicApi
 */
export const COMPUTED_TOKEN_PATTERN = /^[A-Za-z0-9_+/-]+={0,2}$/;

/** Whether the byte (or UTF-16 unit) is one of the token characters other than `=`. */
function isTokenCharacter(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x5f || // _
    code === 0x2b || // +
    code === 0x2f || // /
    code === 0x2d // -
  );
}

/**
 * Whether the concatenation of the pieces matches {@link COMPUTED_TOKEN_PATTERN}, i.e. could be a
 * computed challenge token. Stops at the first character that rules it out (a JSON body's `{`, a
 * form's first `=` followed by a value), so a delivery pays for one or two bytes.
 * @internal
 */
export function isTokenShaped(...pieces: ReadonlyArray<string | Buffer | undefined>): boolean {
  let main = 0;
  let padding = 0;
  for (const piece of pieces) {
    if (piece === undefined) continue;
    const length = piece.length;
    for (let i = 0; i < length; i++) {
      const code = typeof piece === 'string' ? piece.charCodeAt(i) : piece[i];
      if (code === 0x3d) {
        if (main === 0 || ++padding > 2) return false;
      } else if (padding > 0 || !isTokenCharacter(code)) {
        return false;
      } else {
        main++;
      }
    }
  }
  return main > 0;
}

/**
 * Returns the value when it may be fed to a computed challenge HMAC, else throws `invalid_challenge`
 * (400). Bytes are accepted only when they are such text. The message never holds the value.
 * @internal
 */
export function assertComputableToken(value: string | Uint8Array): string | Uint8Array {
  const text = typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value.length === 0 || value.length > 8192 || !isTokenShaped(text)) {
    throw new WebhookVerificationError(
      WebhookErrorCode.InvalidChallenge,
      'A challenge value to sign may only hold letters, digits, "_", "+", "/", "-" and trailing "=" padding.',
    );
  }
  return value;
}

/**
 * The refusal of a delivery whose string to sign could be a computed challenge token.
 * @internal
 */
export function tokenShapedDelivery(): WebhookVerificationError {
  return new WebhookVerificationError(
    WebhookErrorCode.InvalidBody,
    'A delivery whose signed content holds only token characters is refused: it could be a challenge answer.',
  );
}

/**
 * Fails start-up when the strategy answers with an HMAC keyed with the endpoint's signing secret
 * and a scheme of the endpoint does not declare `refusesChallengeAnswers` (it may sign
 * token-shaped text: Mailgun signs `timestamp + token`, a custom scheme is unknown): such an
 * answer could be a valid delivery signature.
 * @internal
 */
export function assertChallengeCannotSign(
  endpoint: string,
  schemes: readonly SignatureScheme[],
  strategy: ChallengeStrategy,
): void {
  if (strategy.computesWithSigningSecret !== true) return;
  for (const scheme of schemes) {
    if (scheme.refusesChallengeAnswers === true || !scheme.requiresSecret) continue;
    throw new WebhookConfigurationError(
      `Webhook endpoint "${endpoint}": its challenge answers with an HMAC keyed with the signing secret, and the ` +
        `"${scheme.name}" scheme may accept such an answer as a delivery signature (it does not declare ` +
        'refusesChallengeAnswers). Key the challenge with a named secret (secretName, or { from: "named" } in a ' +
        'declarative rule) or use another scheme.',
    );
  }
}

/**
 * The context a strategy is given: the endpoint's signing secrets only when it declares
 * `computesWithSigningSecret` (so the start-up checks know about it); any other strategy, a custom
 * one included, gets none, and cannot make an oracle of the signing secret by accident.
 * @internal
 */
export function challengeContextFor(strategy: ChallengeStrategy, context: ChallengeContext): ChallengeContext {
  return strategy.computesWithSigningSecret === true ? context : { ...context, secrets: [] };
}
