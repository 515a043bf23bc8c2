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
import { badCredentials } from './api-key.scheme';
import { credentialDigest, matchDigest, matchSecret } from './credential-match';

/** A user name and password accepted by {@link BasicAuthScheme}. @publicApi */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** @publicApi */
export interface BasicAuthOptions {
  /**
   * Shown in logs and the admin API.
   * @default 'basic-auth'
   */
  readonly name?: string;
  /**
   * The accepted pairs. Without them the endpoint's live secrets are the credentials, each written
   * `username:password`, so they can be rotated through the admin API; give them when this scheme is
   * composed with a signature scheme that uses the endpoint's secrets.
   */
  readonly credentials?: readonly BasicCredentials[];
  /** A field of the JSON body used as the message id, read once the credentials matched. */
  readonly idField?: string | readonly string[];
}

const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/**
 * HTTP Basic authentication (RFC 7617): `Authorization: Basic base64(user:password)`. The whole
 * `user:password` is compared in constant time as a SHA-256 digest, so neither which half differs
 * nor the lengths show in the timing. Anything missing, malformed or wrong is `bad_credentials` (401).
 * @publicApi
 */
export class BasicAuthScheme implements SignatureScheme {
  readonly name: string;
  readonly requiresSecret: boolean;
  /** Compares the credentials themselves: an HMAC output is not them. */
  readonly refusesChallengeAnswers = true;
  /** Present only when the credentials are the endpoint's secrets. */
  readonly validateSecret?: (secret: string | Buffer) => void;
  private readonly digests?: readonly Buffer[];
  private readonly idPath?: readonly string[];

  constructor(options: BasicAuthOptions = {}) {
    this.name = options.name ?? 'basic-auth';
    if (options.credentials !== undefined) {
      if (options.credentials.length === 0) {
        throw new WebhookConfigurationError(`The ${this.name} scheme needs at least one user name and password.`);
      }
      this.digests = options.credentials.map(({ username, password }) => {
        if (username.includes(':')) throw new WebhookConfigurationError('A Basic auth user name cannot contain ":".');
        assertCredentials(`${username}:${password}`);
        return credentialDigest(`${username}:${password}`);
      });
    } else {
      this.validateSecret = (secret) => assertCredentials(Buffer.isBuffer(secret) ? secret.toString('utf8') : secret);
    }
    this.requiresSecret = options.credentials === undefined;
    if (options.idField !== undefined) this.idPath = toPath(options.idField);
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], _context: VerifyContext): SignatureVerification {
    const header = headerValue(request, 'authorization');
    if (header === undefined || header === '') throw badCredentials('No Basic credentials were sent.');
    const encoded = BASIC.exec(header)?.[1];
    const decoded = encoded && encoded.length % 4 === 0 ? Buffer.from(encoded, 'base64') : undefined;
    if (!decoded || !decoded.includes(0x3a))
      throw badCredentials('The Authorization header is not Basic user:password.');
    if (this.digests) {
      if (matchDigest(decoded, this.digests)) return { messageId: this.messageId(request) };
      throw badCredentials('The Basic credentials are not accepted.');
    }
    if (secrets.length === 0) {
      throw new WebhookVerificationError(
        WebhookErrorCode.NoSecretConfigured,
        'No live secret is configured for this endpoint.',
      );
    }
    const matched = matchSecret(decoded, secrets);
    if (!matched) throw badCredentials('The Basic credentials are not accepted.');
    return { secretVersion: matched.version, messageId: this.messageId(request) };
  }

  private messageId(request: WebhookRequest): string | undefined {
    return this.idPath ? jsonMessageId(request.rawBody, this.idPath) : undefined;
  }

  /** Sends the key, a `username:password` pair, as `Authorization: Basic base64(pair)`. */
  sign(input: SignInput): SignedDelivery {
    return { headers: { authorization: `Basic ${Buffer.from(input.key).toString('base64')}` } };
  }
}

/**
 * Builds a {@link BasicAuthScheme}.
 * @publicApi
 * @example basicAuth({ credentials: [{ username: 'hooks', password: process.env.HOOK_PASSWORD! }] })
 */
export function basicAuth(options: BasicAuthOptions = {}): BasicAuthScheme {
  return new BasicAuthScheme(options);
}

/** RFC 7617: the user id has no ':' and is not empty; the password may hold anything. */
function assertCredentials(pair: string): void {
  const colon = pair.indexOf(':');
  if (colon <= 0 || colon === pair.length - 1) {
    throw new WebhookConfigurationError('Basic credentials must be "username:password", both non-empty.');
  }
}
