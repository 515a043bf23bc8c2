import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import { headerValue, type WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type {
  SignatureScheme,
  SignatureVerification,
  SignedDelivery,
  SignInput,
  VerifyContext,
} from '../signature-scheme';
import { jsonMessageId, toPath } from '../engines/scheme-support';
import { credentialDigest, matchDigest, matchSecret } from './credential-match';

/**
 * Where a static API key travels and what it must equal.
 * @publicApi
 * @example { header: 'authorization', prefix: 'Bearer ' }
 * @example { query: 'token', keys: [process.env.HOOK_TOKEN!] }
 */
export interface ApiKeyOptions {
  /**
   * Shown in logs and the admin API.
   * @default 'api-key'
   */
  readonly name?: string;
  /** The header carrying the key (any case). Give `header` or `query`. */
  readonly header?: string;
  /**
   * The query parameter carrying the key. Keys in URLs end up in proxy and access logs, and in the
   * event log's recorded path: prefer a header when the provider allows one.
   */
  readonly query?: string;
  /** Text before the key in the header (`Bearer `), compared without regard to case. */
  readonly prefix?: string;
  /**
   * The accepted keys. Without them the endpoint's live secrets are the keys, so they can be
   * rotated through the admin API; give them when this scheme is composed with a signature scheme
   * that uses the endpoint's secrets.
   */
  readonly keys?: readonly (string | Buffer)[];
  /** A field of the JSON body used as the message id, read once the key matched. */
  readonly idField?: string | readonly string[];
}

/**
 * A static API key in a header or query parameter, compared in constant time (as SHA-256 digests,
 * so neither the position of a difference nor the key's length shows in the timing). A missing or
 * wrong key is `bad_credentials` (401).
 * @publicApi
 */
export class ApiKeyScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret: boolean;
  /** Compares the key itself: an HMAC output is not the key. */
  readonly refusesChallengeAnswers = true;
  /** Present only when the keys are the endpoint's secrets, so a composed scheme's secrets are never judged by it. */
  readonly validateSecret?: (secret: string | Buffer) => void;
  readonly credentialsIn: NonNullable<SignatureScheme['credentialsIn']>;
  private readonly digests?: readonly Buffer[];
  private readonly idPath?: readonly string[];

  constructor(private readonly options: ApiKeyOptions) {
    this.name = options.name ?? 'api-key';
    if (!options.header === !options.query) {
      throw new WebhookConfigurationError(`The ${this.name} scheme takes exactly one of \`header\` or \`query\`.`);
    }
    this.credentialsIn = options.header
      ? { headers: [options.header.toLowerCase()] }
      : { query: [options.query as string] };
    if (options.keys !== undefined) {
      if (options.keys.length === 0 || options.keys.some((key) => key.length === 0)) {
        throw new WebhookConfigurationError(`The ${this.name} scheme's keys must be non-empty.`);
      }
      this.digests = options.keys.map(credentialDigest);
    } else {
      this.validateSecret = (secret) => {
        if (secret.length === 0) throw new WebhookConfigurationError('An API key must not be empty.');
      };
    }
    this.requiresSecret = options.keys === undefined;
    if (options.idField !== undefined) this.idPath = toPath(options.idField);
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], _context: VerifyContext): SignatureVerification {
    const presented = this.presentedKey(request);
    if (presented === undefined || presented.length === 0) throw badCredentials(`No ${this.where()} was sent.`);
    const messageId = () => (this.idPath ? jsonMessageId(request.rawBody, this.idPath) : undefined);
    if (this.digests) {
      if (matchDigest(presented, this.digests)) return { messageId: messageId() };
      throw badCredentials(`The ${this.where()} is not accepted.`);
    }
    if (secrets.length === 0) {
      throw new WebhookVerificationError(
        WebhookErrorCode.NoSecretConfigured,
        'No live secret is configured for this endpoint.',
      );
    }
    const matched = matchSecret(presented, secrets);
    if (!matched) throw badCredentials(`The ${this.where()} is not accepted.`);
    return { secretVersion: matched.version, messageId: messageId() };
  }

  /** Sends the key where it is checked: the header (after the prefix) or the query parameter. */
  sign(input: SignInput): SignedDelivery {
    const key = Buffer.isBuffer(input.key) ? input.key.toString('utf8') : input.key;
    if (this.options.query) return { headers: {}, query: { [this.options.query]: key } };
    return { headers: { [this.options.header!.toLowerCase()]: (this.options.prefix ?? '') + key } };
  }

  private presentedKey(request: WebhookRequest): string | undefined {
    if (this.options.query) {
      const value = request.query[this.options.query];
      return typeof value === 'string' ? value : undefined;
    }
    const value = headerValue(request, this.options.header!.toLowerCase());
    const prefix = this.options.prefix ?? '';
    if (value === undefined || value.length < prefix.length) return undefined;
    return value.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()
      ? value.slice(prefix.length)
      : undefined;
  }

  private where(): string {
    return this.options.query ? `${this.options.query} query parameter` : `${this.options.header} header`;
  }
}

/**
 * Builds an {@link ApiKeyScheme}.
 * @publicApi
 * @example apiKey({ header: 'x-api-key', keys: [process.env.PARTNER_KEY!] })
 */
export function apiKey(options: ApiKeyOptions): ApiKeyScheme {
  return new ApiKeyScheme(options);
}

/** @internal */
export function badCredentials(message: string): WebhookVerificationError {
  return new WebhookVerificationError(WebhookErrorCode.BadCredentials, message);
}
