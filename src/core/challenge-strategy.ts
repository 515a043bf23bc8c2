import type { WebhookRequest } from './request';
import type { WebhookSecret } from './secret';

/**
 * The kinds of one-time URL verification providers use, as the admin API and README name them.
 * @publicApi
 */
export type ChallengeKind = 'token-echo' | 'header-code' | 'status-only' | 'computed-hmac' | 'declarative';

/**
 * The answer to a challenge, written by the module as is. Hookwarden adds
 * `X-Content-Type-Options: nosniff`; a string body is sent as `text/plain`, an object as JSON.
 * @publicApi
 */
export interface ChallengeResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Readonly<Record<string, unknown>>;
}

/**
 * What a strategy may read besides the request. The Nest layer loads it from the secret store
 * before calling {@link ChallengeStrategy.respond}, so strategies stay synchronous and pure.
 * @publicApi
 */
export interface ChallengeContext {
  /** The endpoint's name from the module options. */
  readonly endpoint: string;
  /** Live versions of the endpoint's signing secret, newest first (Zoom and X compute with these). */
  readonly secrets: readonly WebhookSecret[];
  /**
   * Live versions of each named challenge secret the strategy declared in `secretNames` (Meta's
   * `verify-token`, for example), newest first. Stored under `<endpoint>.<name>` in the secret store.
   */
  readonly namedSecrets: Readonly<Record<string, readonly WebhookSecret[]>>;
  /** Milliseconds since the epoch. */
  readonly receivedAt: number;
}

/**
 * One way a provider confirms a webhook URL: recognise its challenge request, and answer it.
 * Implementations are synchronous; they throw a `WebhookVerificationError` (`invalid_challenge`,
 * `challenge_verification_failed`, …) to refuse a challenge.
 * @publicApi
 */
export interface ChallengeStrategy {
  readonly kind: ChallengeKind;
  /**
   * Whether the provider signs its challenge requests (Slack, Zoom, Twitch): the endpoint's
   * signature schemes then verify the request before it is answered.
   */
  readonly signed: boolean;
  /**
   * Whether the answer holds an HMAC keyed with the endpoint's signing secret (X, Zoom, declarative
   * `challenge_tokens` from the endpoint's secret). Such an answer must never be a delivery
   * signature: the token it signs is restricted to `COMPUTED_TOKEN_PATTERN`, and the endpoint
   * refuses to start with a scheme that does not declare `refusesChallengeAnswers`.
   */
  readonly computesWithSigningSecret?: boolean;
  /** Names of the challenge-only secrets this strategy reads (for example `['verify-token']`). */
  readonly secretNames?: readonly string[];
  /** Whether this request is a challenge (and not a delivery). Cheap and never throwing. */
  detect(request: WebhookRequest): boolean;
  /** Builds the answer, or throws a `WebhookVerificationError` to refuse the challenge. */
  respond(request: WebhookRequest, context: ChallengeContext): ChallengeResponse;
  /**
   * A signing secret the handshake hands over (Asana's `X-Hook-Secret`), which the module stores
   * as the endpoint's secret before answering.
   */
  deliveredSecret?(request: WebhookRequest): string | undefined;
  /** Checks the strategy's own configuration at start-up; throws a `WebhookConfigurationError`. */
  validate?(endpoint: string): void;
}
