import type { ChallengeContext, ChallengeKind, ChallengeResponse, ChallengeStrategy } from '../challenge-strategy';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../errors';
import type { WebhookRequest } from '../request';
import { challengeContextFor } from './computed-token';

/**
 * Several challenge kinds on one endpoint (Slack: `url_verification` and `ssl_check`): the first
 * strategy that detects the request answers it. Its `kind` is the first strategy's. It is `signed`
 * when any member is, so a signed provider's challenges are never answered unverified; members
 * that disagree on `signed` are a start-up error, because the unsigned one could never be answered.
 * @publicApi
 */
export class AnyOfChallengeStrategy implements ChallengeStrategy {
  readonly kind: ChallengeKind;
  readonly signed: boolean;
  readonly secretNames?: readonly string[];
  readonly computesWithSigningSecret: boolean;

  constructor(readonly strategies: readonly ChallengeStrategy[]) {
    this.kind = strategies[0]?.kind ?? 'status-only';
    this.computesWithSigningSecret = strategies.some((strategy) => strategy.computesWithSigningSecret === true);
    this.signed = strategies.some((strategy) => strategy.signed);
    const names = [...new Set(strategies.flatMap((strategy) => strategy.secretNames ?? []))];
    if (names.length > 0) this.secretNames = names;
  }

  detect(request: WebhookRequest): boolean {
    return this.pick(request) !== undefined;
  }

  respond(request: WebhookRequest, context: ChallengeContext): ChallengeResponse {
    const strategy = this.pick(request);
    if (!strategy) throw new WebhookVerificationError(WebhookErrorCode.InvalidChallenge, 'Not a challenge request.');
    // Each member gets the signing secrets only if it declares computing with them.
    return strategy.respond(request, challengeContextFor(strategy, context));
  }

  deliveredSecret(request: WebhookRequest): string | undefined {
    return this.pick(request)?.deliveredSecret?.(request);
  }

  validate(endpoint: string): void {
    if (this.strategies.length === 0) {
      throw new WebhookConfigurationError(`Webhook endpoint "${endpoint}": anyOf() needs at least one strategy.`);
    }
    if (this.strategies.some((strategy) => strategy.signed !== this.signed)) {
      throw new WebhookConfigurationError(
        `Webhook endpoint "${endpoint}": anyOf() mixes signed and unsigned challenge strategies.`,
      );
    }
    for (const strategy of this.strategies) strategy.validate?.(endpoint);
  }

  /** The first member that detects the request; a member whose detect throws does not. */
  private pick(request: WebhookRequest): ChallengeStrategy | undefined {
    return this.strategies.find((strategy) => {
      try {
        return strategy.detect(request) === true;
      } catch {
        return false;
      }
    });
  }
}

/**
 * Combines challenge strategies for a provider that sends more than one kind of challenge.
 * @publicApi
 * @example anyOf(slackUrlVerification, slackSslCheck)
 */
export function anyOf(...strategies: ChallengeStrategy[]): AnyOfChallengeStrategy {
  return new AnyOfChallengeStrategy(strategies);
}
