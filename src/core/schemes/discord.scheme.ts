import type { KeyObject } from 'node:crypto';
import { WebhookConfigurationError } from '../errors';
import type { WebhookRequest } from '../request';
import { memoizeKey, type WebhookSecret } from '../secret';
import type { SignatureScheme, SignatureVerification, VerifyContext } from '../signature-scheme';
import { assertWithinTolerance, parseUnixSeconds } from '../timestamp';
import { ed25519PublicKey, verifySignature } from '../engines/public-keys';
import {
  assertHasSecrets,
  assertTolerance,
  jsonMessageId,
  noMatchingSignature,
  requireDigest,
  requireHeader,
} from '../engines/scheme-support';

/** @publicApi */
export interface DiscordSchemeOptions {
  /**
   * How far `X-Signature-Timestamp` may be from the time of receipt. Discord documents no window
   * (its own library checks none); interactions are sent at once and answered within 3 s, so five
   * minutes only refuses replays.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

const SIGNATURE = 'x-signature-ed25519';
const TIMESTAMP = 'x-signature-timestamp';
const HEX_KEY = /^[0-9a-fA-F]{64}$/;

const publicKeyOf = memoizeKey((secret: WebhookSecret): KeyObject =>
  ed25519PublicKey(discordKeyBytes(secret.value), 'A Discord public key'),
);

/**
 * Discord interactions: `X-Signature-Ed25519` (hex) is an Ed25519 signature of
 * `X-Signature-Timestamp` + body, checked with the application's public key (64 hex digits from
 * the Developer Portal) as the endpoint's secret. Discord deliberately sends bad signatures to test
 * the endpoint; they get 401. The interaction `id` is the message id.
 * @publicApi
 */
export class DiscordScheme implements SignatureScheme {
  readonly name = 'discord';
  readonly requiresSecret = true;
  /** Ed25519 signatures: no HMAC keyed with the secret. */
  readonly refusesChallengeAnswers = true;
  readonly toleranceSeconds: number;

  constructor(options: DiscordSchemeOptions = {}) {
    this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, 'discord');
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const signature = requireDigest(requireHeader(request, SIGNATURE), 'hex', 64, SIGNATURE);
    const timestamp = requireHeader(request, TIMESTAMP);
    const signedAt = parseUnixSeconds(timestamp, TIMESTAMP);
    assertHasSecrets(secrets);
    assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds);
    const message = Buffer.concat([Buffer.from(timestamp, 'utf8'), request.rawBody]);
    for (const secret of secrets) {
      if (verifySignature(null, message, publicKeyOf(secret), signature)) {
        return {
          secretVersion: secret.version,
          messageId: jsonMessageId(request.rawBody, ['id']),
          signedAt: new Date(signedAt * 1000),
        };
      }
    }
    throw noMatchingSignature();
  }

  validateSecret(secret: string | Buffer): void {
    ed25519PublicKey(discordKeyBytes(secret), 'A Discord public key');
  }
}

function discordKeyBytes(value: string | Buffer): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (!HEX_KEY.test(value)) {
    throw new WebhookConfigurationError(
      'A Discord public key is 64 hex digits (Developer Portal → General Information).',
    );
  }
  return Buffer.from(value, 'hex');
}
