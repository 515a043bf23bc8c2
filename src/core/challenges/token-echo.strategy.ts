import { Injectable } from '@nestjs/common';
import type { ChallengeContext, ChallengeResponse, ChallengeStrategy } from '../challenge-strategy';
import type { WebhookRequest } from '../request';
import {
  assertMatchesSecret,
  check,
  OptionProblems,
  readField,
  runMatcher,
  type ChallengeMatcher,
  type RequestField,
} from './challenge-request';
import { safetyOrProblem } from './strategy-support';
import { assertSafeToken, type ResolvedTokenSafety, type TokenSafetyOptions } from './token-safety';

/**
 * Options of {@link TokenEchoStrategy}.
 * @publicApi
 */
export interface TokenEchoOptions {
  /** What makes a request this challenge. A detected request without a token is refused (400). */
  readonly match: ChallengeMatcher;
  /** Where the token to echo is. */
  readonly token: RequestField;
  /**
   * How the token goes back: `'text'` (the body is the token, `text/plain`) or
   * `{ json: 'field' }` (the body is `{"field": token}`, `application/json`).
   * @default 'text'
   */
  readonly respondWith?: 'text' | { readonly json: string };
  /** @default 200 */
  readonly status?: number;
  /**
   * A verify token the request must carry (Meta's `hub.verify_token`), compared in constant time
   * with every live version of the named secret (default `verify-token`). With no such secret
   * configured, every challenge is refused.
   */
  readonly verifyToken?: { readonly field: RequestField; readonly secretName?: string };
  /**
   * Whether the provider signs its challenge (the endpoint's schemes then verify it first).
   * @default false
   */
  readonly signed?: boolean;
  /** Bounds on the echoed token. */
  readonly tokenSafety?: TokenSafetyOptions;
}

/** The named secret a verify token is checked against unless the options name another. @publicApi */
export const DEFAULT_VERIFY_TOKEN_SECRET = 'verify-token';

/**
 * Echoes a token from the body, query or a header, optionally after a constant-time verify-token
 * check: Slack `url_verification`, Meta `hub.challenge`, Strava, Dropbox, Microsoft Graph, Twitch,
 * Okta, Adobe I/O Events. The token is bounded in length and characters (see
 * {@link TokenSafetyOptions}); anything else is refused with `invalid_challenge` (400).
 *
 * Use it with `new`, or subclass it as an injectable class that passes its options to `super()`.
 * @publicApi
 * @example new TokenEchoStrategy({ match: { method: 'GET' }, token: { from: 'query', name: 'challenge' } })
 */
@Injectable()
export class TokenEchoStrategy implements ChallengeStrategy {
  readonly kind = 'token-echo' as const;
  readonly signed: boolean;
  readonly secretNames?: readonly string[];
  private readonly safety: ResolvedTokenSafety;
  private readonly problems: OptionProblems;

  constructor(private readonly options: TokenEchoOptions) {
    this.signed = options.signed ?? false;
    const [safety, safetyProblem] = safetyOrProblem(options.tokenSafety);
    this.safety = safety;
    const secretName = options.verifyToken
      ? (options.verifyToken.secretName ?? DEFAULT_VERIFY_TOKEN_SECRET)
      : undefined;
    if (secretName !== undefined) this.secretNames = [secretName];
    const respondWith = options.respondWith ?? 'text';
    this.problems = new OptionProblems('TokenEchoStrategy', [
      check.matcher(options.match, 'match'),
      check.field(options.token, 'token'),
      check.status(options.status ?? 200),
      respondWith === 'text' ? undefined : check.text(respondWith?.json, 'respondWith.json'),
      options.verifyToken ? check.field(options.verifyToken.field, 'verifyToken.field') : undefined,
      secretName !== undefined ? check.text(secretName, 'verifyToken.secretName') : undefined,
      safetyProblem,
    ]);
  }

  detect(request: WebhookRequest): boolean {
    return this.problems.first === undefined && runMatcher(request, this.options.match);
  }

  respond(request: WebhookRequest, context: ChallengeContext): ChallengeResponse {
    this.problems.throwIfAny();
    const verify = this.options.verifyToken;
    // The verify token first: an unverified challenge learns nothing, not even whether its token was acceptable.
    if (verify) {
      const secretName = verify.secretName ?? DEFAULT_VERIFY_TOKEN_SECRET;
      assertMatchesSecret(readField(request, verify.field), context.namedSecrets[secretName]);
    }
    const token = assertSafeToken(readField(request, this.options.token), this.safety);
    const status = this.options.status ?? 200;
    const respondWith = this.options.respondWith ?? 'text';
    return respondWith === 'text' ? { status, body: token } : { status, body: { [respondWith.json]: token } };
  }

  validate(endpoint: string): void {
    this.problems.throwFor(endpoint);
  }
}
