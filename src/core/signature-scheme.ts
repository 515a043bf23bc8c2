import type { WebhookRequest } from './request';
import type { WebhookSecret } from './secret';

/**
 * When the request is being verified. Pass the time it was received when verifying later (from a
 * queue), so that the timestamp window is judged against arrival, not processing.
 * @publicApi
 */
export interface VerifyContext {
  /** Milliseconds since the epoch. */
  readonly receivedAt: number;
}

/**
 * What a scheme learnt from a request it accepted.
 * @publicApi
 */
export interface SignatureVerification {
  /** The version of the secret that matched (absent for schemes that use no secret). */
  readonly secretVersion?: number;
  /** The provider's message id, used to drop duplicates (absent when the provider sends none). */
  readonly messageId?: string;
  /** The signed timestamp, where the provider signs one. */
  readonly signedAt?: Date;
}

/**
 * One way a provider proves a request is theirs. Implementations are pure and synchronous: they
 * read the request, compare in constant time, and either return or throw a
 * {@link WebhookVerificationError} with a stable code.
 * @publicApi
 */
export interface SignatureScheme {
  /** A short, stable name (`standard-webhooks`, `github`, …) shown in logs and the admin API. */
  readonly name: string;
  /** Whether the scheme needs at least one live secret; with none it fails closed. */
  readonly requiresSecret: boolean;
  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification;
  /**
   * The scheme judges the connection (peer address, client certificate), not the message: it also
   * runs on unsigned URL verification challenges, which must come from where deliveries come from.
   */
  readonly checksConnection?: boolean;
  /** Throws when a configured secret cannot work with this scheme, so the mistake stops start-up. */
  validateSecret?(secret: string | Buffer): void;
  /**
   * Where the request itself carries the credential, so the event log and the admin API must not
   * keep it: header names (lower case) and query parameter names beyond the built-in patterns, and
   * whether the body holds it (Microsoft Graph's `clientState`: the body is then not stored, only
   * its size and SHA-256).
   */
  readonly credentialsIn?: {
    readonly headers?: readonly string[];
    readonly query?: readonly string[];
    readonly body?: boolean;
  };
}
