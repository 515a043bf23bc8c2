import { tokenShapedDelivery } from '../challenges/computed-token';
import { constantTimeEqualText } from '../constant-time';
import type { WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type {
  SignatureScheme,
  SignatureVerification,
  SignedDelivery,
  SignInput,
  VerifyContext,
} from '../signature-scheme';
import { assertWithinTolerance } from '../timestamp';
import {
  formatTimestamp,
  HmacTemplate,
  parseTimestamp,
  type HmacDigestOptions,
  type TimestampFormat,
} from './hmac-template';
import {
  assertHasSecrets,
  assertTolerance,
  digestText,
  invalidHeader,
  jsonMessageId,
  noMatchingSignature,
  requireHeader,
  toPath,
} from './scheme-support';

/**
 * An HMAC sent in one header as a list of `key=value` entries that carries its own timestamp,
 * as data: `t=<unix>,v1=<hex>[,v1=<hex>…]` is `{ header: 'stripe-signature' }` with the defaults.
 * @publicApi
 */
export interface TimestampedListSchemeOptions extends HmacDigestOptions {
  /** The header holding the list (any case). */
  readonly header: string;
  /**
   * The key of the timestamp entry; exactly one is required.
   * @default 't'
   */
  readonly timestampKey?: string;
  /**
   * The key of the signature entries (one per live secret during a roll). Each must be a digest of
   * the right size; entries with other keys are ignored, so a list with none matches nothing.
   * @default 'v1'
   */
  readonly signatureKey?: string;
  /** @default ',' */
  readonly separator?: string;
  /**
   * What is signed, from `{timestamp}` (as received), `{body}` and `{url}`.
   * @default '{timestamp}.{body}'
   */
  readonly template?: string;
  /** @default 'unix-seconds' */
  readonly timestampFormat?: TimestampFormat;
  /** A field of the JSON body holding the message id (`'id'`), read once the signature matched. */
  readonly idField?: string | readonly string[];
  /**
   * How far the timestamp may be from the time of receipt, in either direction.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

/** A header has a handful of entries (the timestamp, one signature per live secret, maybe others). */
const MAX_ENTRIES = 32;

/**
 * The timestamped-list HMAC engine (Stripe's `Stripe-Signature`). `sign()` writes the timestamp
 * entry and one signature entry from the template `verify()` checks.
 * @publicApi
 */
export class TimestampedListScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret = true;
  /** Refuses a delivery whose string to sign is token-shaped. */
  readonly refusesChallengeAnswers = true;
  readonly toleranceSeconds: number;
  private readonly template: HmacTemplate;
  private readonly header: string;
  private readonly timestampKey: string;
  private readonly signatureKey: string;
  private readonly separator: string;
  private readonly timestampFormat: TimestampFormat;
  private readonly idPath?: readonly string[];

  constructor(options: TimestampedListSchemeOptions) {
    this.template = new HmacTemplate(options, ['body', 'timestamp', 'url'], '{timestamp}.{body}');
    this.name = this.template.name;
    this.header = options.header.toLowerCase();
    this.timestampKey = options.timestampKey ?? 't';
    this.signatureKey = options.signatureKey ?? 'v1';
    this.separator = options.separator ?? ',';
    this.timestampFormat = options.timestampFormat ?? 'unix-seconds';
    this.toleranceSeconds = assertTolerance(options.toleranceSeconds ?? 300, this.name);
    if (options.idField !== undefined) this.idPath = toPath(options.idField);
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    const { timestamp, signatures } = this.parseList(requireHeader(request, this.header));
    const signedAt = parseTimestamp(timestamp, this.timestampFormat, this.header);
    const values = { body: request.rawBody, timestamp };
    if (this.template.signsTokenShaped(values)) throw tokenShapedDelivery();
    assertHasSecrets(secrets);
    assertWithinTolerance(signedAt, Math.floor(context.receivedAt / 1000), this.toleranceSeconds);
    for (const secret of signatures.length > 0 ? secrets : []) {
      const digest = this.template.digest(this.template.keyOf(secret), values);
      if (signatures.some((candidate) => constantTimeEqualText(digest, candidate))) {
        return {
          secretVersion: secret.version,
          messageId: this.idPath ? jsonMessageId(request.rawBody, this.idPath) : undefined,
          signedAt: new Date(signedAt * 1000),
        };
      }
    }
    throw noMatchingSignature();
  }

  sign(input: SignInput): SignedDelivery {
    const timestamp = formatTimestamp(input.timestamp, this.timestampFormat);
    const digest = this.template.digest(this.template.keyBytes(input.key), { body: input.body, timestamp });
    const value = `${this.timestampKey}=${timestamp}${this.separator}${this.signatureKey}=${digest}`;
    return { headers: { [this.header]: value } };
  }

  validateSecret(secret: string | Buffer): void {
    this.template.validateSecret(secret);
  }

  /**
   * Splits `t=…,v1=…,v1=…`: exactly one timestamp entry, every signature entry a digest of the
   * right size, other keys ignored.
   */
  private parseList(value: string): { timestamp: string; signatures: string[] } {
    const { encoding, digestBytes } = this.template;
    let timestamp: string | undefined;
    const signatures: string[] = [];
    const entries = value.split(this.separator, MAX_ENTRIES + 1);
    if (entries.length > MAX_ENTRIES) {
      throw invalidHeader(this.header, `at most ${MAX_ENTRIES} entries separated by "${this.separator}"`);
    }
    for (const entry of entries) {
      const equals = entry.indexOf('=');
      if (equals <= 0) throw invalidHeader(this.header, `a list of key=value entries separated by "${this.separator}"`);
      const key = entry.slice(0, equals);
      if (key === this.timestampKey) {
        if (timestamp !== undefined) throw invalidHeader(this.header, `a list with exactly one ${key}= entry`);
        timestamp = entry.slice(equals + 1);
      } else if (key === this.signatureKey) {
        const digest = digestText(entry.slice(equals + 1), encoding, digestBytes);
        if (!digest) {
          throw invalidHeader(this.header, `a list whose ${key}= entries are ${digestBytes}-byte ${encoding} digests`);
        }
        signatures.push(digest);
      }
    }
    if (timestamp === undefined) throw invalidHeader(this.header, `a list with a ${this.timestampKey}= entry`);
    return { timestamp, signatures };
  }
}
