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
  decodeBase64,
  decodeDigest,
  invalidHeader,
  noMatchingSignature,
  requireHeader,
} from '../engines/scheme-support';
import type { StandardWebhooksOptions } from './standard-webhooks.scheme';

const PUBLIC_PREFIX = 'whpk_';
const SECRET_PREFIX = 'whsk_';
/** As in the v1 scheme: 1–256 visible ASCII characters without '.', ',' or whitespace. */
const MESSAGE_ID = /^[\x21-\x2b\x2d\x2f-\x7e]{1,256}$/;
const MAX_SIGNATURE_ENTRIES = 32;

const publicKeyOf = memoizeKey((secret: WebhookSecret): KeyObject => decodeStandardPublicKey(secret.value));

/**
 * Standard Webhooks `v1a`: an Ed25519 signature of `id.timestamp.body`, sent as space-separated
 * `v1a,<base64>` entries in `webhook-signature` (or `svix-signature`), checked with the sender's
 * public key `whpk_<base64>` as the endpoint's secret. Other entries (`v1`, `v2`) are skipped; the
 * headers, id rules and window are those of the symmetric scheme.
 * @publicApi
 */
export class StandardWebhooksAsymmetricScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = true;
  /** Ed25519 signatures: no HMAC keyed with the secret. */
  readonly refusesChallengeAnswers = true;
  readonly toleranceSeconds: number;
  private readonly idHeader: string;
  private readonly timestampHeader: string;
  private readonly signatureHeader: string;

  constructor(options: StandardWebhooksOptions = {}) {
    const prefix = options.headerPrefix ?? 'webhook';
    this.name = prefix === 'svix' ? 'svix-v1a' : 'standard-webhooks-v1a';
    this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, this.name);
    this.idHeader = `${prefix}-id`;
    this.timestampHeader = `${prefix}-timestamp`;
    this.signatureHeader = `${prefix}-signature`;
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const id = requireHeader(request, this.idHeader);
    const timestamp = requireHeader(request, this.timestampHeader);
    const header = requireHeader(request, this.signatureHeader);
    if (!MESSAGE_ID.test(id)) {
      throw invalidHeader(this.idHeader, "1–256 visible ASCII characters without '.', ',' or spaces");
    }
    const signedAt = parseUnixSeconds(timestamp, this.timestampHeader);
    assertHasSecrets(secrets);
    assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds);
    const candidates = parseV1aSignatures(header, this.signatureHeader);
    if (candidates.length > 0) {
      const message = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), request.rawBody]);
      for (const secret of secrets) {
        const key = publicKeyOf(secret);
        for (const candidate of candidates) {
          if (verifySignature(null, message, key, candidate)) {
            return { secretVersion: secret.version, messageId: id, signedAt: new Date(signedAt * 1000) };
          }
        }
      }
    }
    throw noMatchingSignature();
  }

  validateSecret(secret: string | Buffer): void {
    decodeStandardPublicKey(secret);
  }
}

/**
 * A Standard Webhooks public key: `whpk_<base64>`, the bare base64, or the 32 raw bytes. A signing
 * key (`whsk_`) is refused: it must stay with the sender.
 * @publicApi
 */
export function decodeStandardPublicKey(value: string | Buffer): KeyObject {
  if (Buffer.isBuffer(value)) return ed25519PublicKey(value, 'A Standard Webhooks public key');
  if (value.startsWith(SECRET_PREFIX)) {
    throw new WebhookConfigurationError(
      'A Standard Webhooks signing key (whsk_) was configured; configure the public key (whpk_) instead.',
    );
  }
  const encoded = value.startsWith(PUBLIC_PREFIX) ? value.slice(PUBLIC_PREFIX.length) : value;
  const raw = decodeBase64(encoded);
  if (!raw) throw new WebhookConfigurationError('A Standard Webhooks public key must be "whpk_" followed by base64.');
  return ed25519PublicKey(raw, 'A Standard Webhooks public key');
}

/** The `v1a,<base64 of 64 bytes>` entries; other versions and malformed entries are skipped. */
function parseV1aSignatures(header: string, name: string): Buffer[] {
  const entries = header.split(' ');
  if (entries.length > MAX_SIGNATURE_ENTRIES) {
    throw invalidHeader(name, `a list of at most ${MAX_SIGNATURE_ENTRIES} entries`);
  }
  const signatures: Buffer[] = [];
  for (const entry of entries) {
    if (!entry.startsWith('v1a,')) continue;
    const signature = decodeDigest(entry.slice(4), 'base64', 64);
    if (signature) signatures.push(signature);
  }
  return signatures;
}
