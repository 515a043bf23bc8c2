import { Injectable } from '@nestjs/common';
import type { ChallengeResponse, ChallengeStrategy } from '../challenge-strategy';
import type { WebhookRequest } from '../request';
import { check, OptionProblems, runMatcher, type ChallengeMatcher } from './challenge-request';

/**
 * Options of {@link StatusOnlyStrategy}.
 * @publicApi
 */
export interface StatusOnlyOptions {
  /** What makes a request this challenge (Trello: `{ method: 'HEAD' }`). */
  readonly match: ChallengeMatcher;
  /** @default 200 */
  readonly status?: number;
  /** @default false */
  readonly signed?: boolean;
}

/**
 * Answers a bare status, without a body: Trello's and Intercom's `HEAD`, Slack's `ssl_check`.
 *
 * Use it with `new`, or subclass it as an injectable class that passes its options to `super()`.
 * @publicApi
 * @example new StatusOnlyStrategy({ match: { method: 'HEAD' } })
 */
@Injectable()
export class StatusOnlyStrategy implements ChallengeStrategy {
  readonly kind = 'status-only' as const;
  readonly signed: boolean;
  private readonly problems: OptionProblems;

  constructor(private readonly options: StatusOnlyOptions) {
    this.signed = options.signed ?? false;
    this.problems = new OptionProblems('StatusOnlyStrategy', [
      check.matcher(options.match, 'match'),
      check.status(options.status ?? 200),
    ]);
  }

  detect(request: WebhookRequest): boolean {
    return this.problems.first === undefined && runMatcher(request, this.options.match);
  }

  respond(): ChallengeResponse {
    this.problems.throwIfAny();
    return { status: this.options.status ?? 200 };
  }

  validate(endpoint: string): void {
    this.problems.throwFor(endpoint);
  }
}
