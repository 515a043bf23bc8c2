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
} from './challenge-request';
import { safetyOrProblem } from './strategy-support';
import { assertSafeToken, type ResolvedTokenSafety, type TokenSafetyOptions } from './token-safety';

/**
 * Options of {@link HeaderCodeStrategy}.
 * @publicApi
 */
export interface HeaderCodeOptions {
  /** The request header that carries the code (any case). */
  readonly requestHeader: string;
  /**
   * The response header that carries it back.
   * @default the request header's name
   */
  readonly responseHeader?: string;
  /**
   * What makes a request this challenge.
   * @default the request header being present
   */
  readonly match?: ChallengeMatcher;
  /** Also answer a JSON body `{"<jsonField>": code}` (Smartsheet, Adobe Sign accept either form). */
  readonly jsonField?: string;
  /** Derives the answer from the code when the provider wants something else than the code itself. */
  readonly derive?: (code: string) => string;
  /** @default 200 */
  readonly status?: number;
  /**
   * A named secret the code must equal (Adobe Sign's client id), compared in constant time with
   * every live version. With no such secret configured, every challenge is refused.
   */
  readonly expectSecret?: string;
  /**
   * The code is the endpoint's new signing secret (Asana's `X-Hook-Secret`): the module stores it
   * before answering.
   * @default false
   */
  readonly deliversSecret?: boolean;
  /** @default false */
  readonly signed?: boolean;
  /** Bounds on the code (and on a derived answer). */
  readonly tokenSafety?: TokenSafetyOptions;
}

/**
 * Answers with a header copied (or derived) from a request header: Asana `X-Hook-Secret`,
 * Smartsheet `Smartsheet-Hook-Challenge` → `Smartsheet-Hook-Response`, Adobe Sign
 * `X-AdobeSign-ClientId`. The code is bounded like any echoed token, so it can never split a header.
 *
 * Use it with `new`, or subclass it as an injectable class that passes its options to `super()`.
 * @publicApi
 */
@Injectable()
export class HeaderCodeStrategy implements ChallengeStrategy {
  readonly kind = 'header-code' as const;
  readonly signed: boolean;
  readonly secretNames?: readonly string[];
  private readonly safety: ResolvedTokenSafety;
  private readonly problems: OptionProblems;
  private readonly match: ChallengeMatcher;

  constructor(private readonly options: HeaderCodeOptions) {
    this.signed = options.signed ?? false;
    if (options.expectSecret !== undefined) this.secretNames = [options.expectSecret];
    const [safety, safetyProblem] = safetyOrProblem(options.tokenSafety);
    this.safety = safety;
    const requestHeader = typeof options.requestHeader === 'string' ? options.requestHeader.toLowerCase() : '';
    this.match = options.match ?? { headers: { [requestHeader]: true } };
    this.problems = new OptionProblems('HeaderCodeStrategy', [
      check.headerName(options.requestHeader, 'requestHeader'),
      options.responseHeader === undefined ? undefined : check.headerName(options.responseHeader, 'responseHeader'),
      check.matcher(this.match, 'match'),
      options.jsonField === undefined ? undefined : check.text(options.jsonField, 'jsonField'),
      options.expectSecret === undefined ? undefined : check.text(options.expectSecret, 'expectSecret'),
      options.derive === undefined || typeof options.derive === 'function' ? undefined : 'derive must be a function',
      check.status(options.status ?? 200),
      safetyProblem,
    ]);
  }

  detect(request: WebhookRequest): boolean {
    return this.problems.first === undefined && runMatcher(request, this.match);
  }

  respond(request: WebhookRequest, context: ChallengeContext): ChallengeResponse {
    this.problems.throwIfAny();
    const name = this.options.requestHeader;
    const code = readField(request, { from: 'header', name });
    if (this.options.expectSecret !== undefined) {
      assertMatchesSecret(code, context.namedSecrets[this.options.expectSecret], `${name} header value`);
    }
    assertSafeToken(code, this.safety, `${name} header`);
    const answer = this.options.derive
      ? assertSafeToken(this.options.derive(code as string), this.safety, 'derived answer')
      : (code as string);
    const response: ChallengeResponse = {
      status: this.options.status ?? 200,
      headers: { [this.options.responseHeader ?? name]: answer },
    };
    return this.options.jsonField === undefined
      ? response
      : { ...response, body: { [this.options.jsonField]: answer } };
  }

  deliveredSecret(request: WebhookRequest): string | undefined {
    if (!this.options.deliversSecret || this.problems.first !== undefined) return undefined;
    const code = readField(request, { from: 'header', name: this.options.requestHeader });
    // Only a value that passed the same checks as the echo can become a secret.
    try {
      return assertSafeToken(code, this.safety);
    } catch {
      return undefined;
    }
  }

  validate(endpoint: string): void {
    this.problems.throwFor(endpoint);
  }
}
