import { tokenShapedDelivery } from '../challenges/computed-token';
import { constantTimeEqualsAnyText } from '../constant-time';
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
import { MAX_LIST_ENTRIES } from './engine-parts';
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
   * The entries have no keys: the first is the timestamp, every other one a signature (Recurly's
   * `<ms>,<hex>[,<hex>]`). `timestampKey`, `signatureKey` and `groupSeparator` are then unused.
   * @default false
   */
  readonly positional?: boolean;
  /**
   * For providers that send one whole list per live secret during a rotation, separated by this
   * (Persona: `t=…,v1=… t=…,v1=…`): the lists must carry the same timestamp, and their signatures
   * are pooled. `sign()` writes one list.
   */
  readonly groupSeparator?: string;
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
  private readonly groupSeparator?: string;
  private readonly timestampFormat: TimestampFormat;
  private readonly idPath?: readonly string[];

  constructor(private readonly options: TimestampedListSchemeOptions) {
    this.template = new HmacTemplate(options, ['body', 'timestamp', 'url'], '{timestamp}.{body}');
    this.name = this.template.name;
    this.header = options.header.toLowerCase();
    this.timestampKey = options.timestampKey ?? 't';
    this.signatureKey = options.signatureKey ?? 'v1';
    this.separator = options.separator ?? ',';
    this.groupSeparator = options.groupSeparator || undefined;
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
      if (constantTimeEqualsAnyText(digest, signatures)) {
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
    const value = this.options.positional
      ? `${timestamp}${this.separator}${digest}`
      : `${this.timestampKey}=${timestamp}${this.separator}${this.signatureKey}=${digest}`;
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
    if (this.options.positional) return this.parsePositional(value);
    if (this.groupSeparator === undefined) {
      const simple = this.parseSimple(value);
      if (simple) return simple;
    }
    const groups = this.groupSeparator === undefined ? [value] : value.split(this.groupSeparator, MAX_LIST_ENTRIES + 1);
    let timestamp: string | undefined;
    const signatures: string[] = [];
    let count = 0;
    for (const group of groups) {
      const entries = group.split(this.separator, MAX_LIST_ENTRIES + 1);
      count += entries.length;
      if (count > MAX_LIST_ENTRIES) {
        throw invalidHeader(this.header, `at most ${MAX_LIST_ENTRIES} entries separated by "${this.separator}"`);
      }
      let groupTimestamp: string | undefined;
      for (const entry of entries) {
        const equals = entry.indexOf('=');
        if (equals <= 0) {
          throw invalidHeader(this.header, `a list of key=value entries separated by "${this.separator}"`);
        }
        const key = entry.slice(0, equals);
        if (key === this.timestampKey) {
          if (groupTimestamp !== undefined) throw invalidHeader(this.header, `a list with exactly one ${key}= entry`);
          groupTimestamp = entry.slice(equals + 1);
        } else if (key === this.signatureKey) {
          const digest = digestText(entry.slice(equals + 1), encoding, digestBytes);
          if (!digest) {
            throw invalidHeader(
              this.header,
              `a list whose ${key}= entries are ${digestBytes}-byte ${encoding} digests`,
            );
          }
          signatures.push(digest);
        }
      }
      if (groupTimestamp === undefined) {
        throw invalidHeader(this.header, `a list with a ${this.timestampKey}= entry`);
      }
      // Groups (one per live secret) must agree on the time: one signed time, one window.
      if (timestamp !== undefined && groupTimestamp !== timestamp) {
        throw invalidHeader(this.header, `lists with the same ${this.timestampKey}= entry`);
      }
      timestamp = groupTimestamp;
    }
    return { timestamp: timestamp!, signatures };
  }

  /**
   * The common header, `t=<ts>,v1=<digest>` exactly (one timestamp first, one signature), read
   * without splitting; anything else (`undefined`) goes through the general parser, whose errors
   * are the ones to report.
   */
  private parseSimple(value: string): { timestamp: string; signatures: string[] } | undefined {
    const t = this.timestampKey;
    const v = this.signatureKey;
    const comma = value.indexOf(this.separator);
    if (comma < 0 || value.indexOf(this.separator, comma + 1) >= 0) return undefined;
    if (!value.startsWith(t) || value.charCodeAt(t.length) !== 0x3d /* = */) return undefined;
    const start = comma + this.separator.length;
    if (!value.startsWith(v, start) || value.charCodeAt(start + v.length) !== 0x3d) return undefined;
    const timestamp = value.slice(t.length + 1, comma);
    const digest = digestText(value.slice(start + v.length + 1), this.template.encoding, this.template.digestBytes);
    return timestamp !== '' && digest !== undefined ? { timestamp, signatures: [digest] } : undefined;
  }

  /** `<timestamp>,<sig>[,<sig>…]`: every entry after the first a digest of the right size. */
  private parsePositional(value: string): { timestamp: string; signatures: string[] } {
    const { encoding, digestBytes } = this.template;
    const entries = value.split(this.separator, MAX_LIST_ENTRIES + 1);
    if (entries.length > MAX_LIST_ENTRIES) {
      throw invalidHeader(this.header, `at most ${MAX_LIST_ENTRIES} entries separated by "${this.separator}"`);
    }
    const [timestamp, ...rest] = entries;
    const signatures = rest.map((entry) => digestText(entry.trim(), encoding, digestBytes));
    if (signatures.length === 0 || signatures.some((digest) => digest === undefined)) {
      throw invalidHeader(
        this.header,
        `a timestamp followed by ${digestBytes}-byte ${encoding} digests, separated by "${this.separator}"`,
      );
    }
    return { timestamp, signatures: signatures as string[] };
  }
}
