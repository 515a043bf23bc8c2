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
  /**
   * Where the provider sends no message id: a key derived from exactly what the signature covers,
   * for deduplication (Twilio: the URL and the concatenated parameters, so that re-split parameters
   * are the same content). Absent: the verifier uses the SHA-256 of the signed timestamp and the body.
   */
  readonly signedContentKey?: string;
  /**
   * The message id travels outside what the signature covers (GitHub's `X-GitHub-Delivery`,
   * Shopify's `X-Shopify-Webhook-Id`): it is reported as the id, but anyone can change it, so
   * duplicates are recognised by the signed content instead.
   */
  readonly unsignedMessageId?: boolean;
  /**
   * The event type, where the provider names it only in a header its signature does not cover and
   * the body does not name it (Shopify's `X-Shopify-Topic`, GitHub's `X-GitHub-Event`). It enters
   * the content dedupe key: the provider sends one body under several topics (`orders/create`, then
   * `orders/paid`), and merging them would lose real events. Being unsigned, it also lets a captured
   * body be replayed once under each other type name (see SECURITY.md §2).
   */
  readonly unsignedEventType?: string;
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
   * The one asynchronous step, for schemes whose keys the provider publishes (fetched from its
   * hosts): the verifier awaits it, with the endpoint's live secrets, before `verify`, which then
   * reads the keys synchronously. It throws a {@link WebhookVerificationError} like `verify`
   * (`key_source_unavailable` when the key host cannot be reached).
   */
  prepare?(request: WebhookRequest, secrets: readonly WebhookSecret[]): Promise<void>;
  /**
   * The scheme judges the connection (peer address, client certificate), not the message: it also
   * runs on unsigned URL verification challenges, which must come from where deliveries come from.
   */
  readonly checksConnection?: boolean;
  /**
   * True when no computed challenge answer (a prefix and an HMAC, keyed with one of the endpoint's
   * secrets, of a token matching `COMPUTED_TOKEN_PATTERN`) can verify under this scheme: what it
   * signs always holds a character such a token cannot (`.`, `:`, a URL), it refuses deliveries whose
   * signed content is token-shaped (`HmacScheme`), or it checks no HMAC keyed with the secret.
   * Every built-in scheme but Mailgun's says so. An endpoint whose challenge computes answers with
   * its signing secret (`computesWithSigningSecret`) refuses to start with a scheme that does not.
   */
  readonly refusesChallengeAnswers?: boolean;
  /**
   * Signs a delivery exactly as the provider does, from the same definition `verify` reads: the
   * headers (and query parameters) to send with the body. Absent on schemes that judge only the
   * connection (IP allow-lists, mutual TLS). `nestjs-hookwarden/testing` and `hookwarden send` use it.
   */
  sign?(input: SignInput): SignedDelivery;
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

/**
 * What a scheme needs to sign one delivery the way its provider does.
 * @publicApi
 */
export interface SignInput {
  readonly body: Buffer;
  /**
   * The signing key: the shared secret for HMAC schemes and secrets compared as they are, the
   * private key for asymmetric ones (PEM, or the raw form the provider's tooling prints).
   */
  readonly key: string | Buffer;
  /** Unix seconds of the signed timestamp, for schemes that sign one. */
  readonly timestamp: number;
  /** The message id, for schemes that send one in a header. */
  readonly id: string;
  /** The body's media type (Twilio signs form parameters, not JSON bodies). */
  readonly contentType: string;
  /** The event type, for providers that name it in a header (GitHub's `X-GitHub-Event`). */
  readonly eventType?: string;
}

/**
 * A signed delivery: what to add to the request the provider sends.
 * @publicApi
 */
export interface SignedDelivery {
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** Query parameters the scheme adds to the URL (Twilio's `bodySHA256`, Strava's token). */
  readonly query?: Readonly<Record<string, string>>;
  /** A body that replaces the given one (Microsoft Graph's `clientState` inside each notification). */
  readonly body?: Buffer;
}
