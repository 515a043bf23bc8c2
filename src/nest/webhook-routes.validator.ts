import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { WebhookConfigurationError } from '../core/errors';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { validateChallengeStrategy, type ResolvedWebhookConfig } from './webhook-config';
import { assertChallengeCannotSign } from '../core/challenges/computed-token';
import { WEBHOOK_CHALLENGE_METADATA, WEBHOOK_CONFIG, WEBHOOK_ENDPOINT_METADATA } from './webhook.constants';
import { WebhookGuard } from './webhook.guard';

/**
 * Checks every controller route at start-up, so a typo in `@WebhookEndpoint('…')` or a guarded
 * route without an endpoint stops the app with a clear message instead of failing its first request.
 * @internal
 */
@Injectable()
export class WebhookRoutesValidator implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
  ) {}

  /** Whether a controller route uses WebhookGuard (set at module init; the raw-body check reads it). */
  guardedRoutes = 0;
  /**
   * The guarded routes' controller + method paths, without global prefix, version or module path
   * (the raw-body check finds the routes that end with them).
   */
  readonly guardedPaths: string[] = [];

  onModuleInit(): void {
    const problems: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => object) | undefined;
      if (!controller?.prototype) continue;
      const classEndpoint = Reflect.getMetadata(WEBHOOK_ENDPOINT_METADATA, controller) as string | object | undefined;
      const classGuarded = usesWebhookGuard(Reflect.getMetadata(GUARDS_METADATA, controller));
      const classChallenge = Reflect.getMetadata(WEBHOOK_CHALLENGE_METADATA, controller) as unknown;
      for (const method of this.scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[method] as object;
        const selector =
          (Reflect.getMetadata(WEBHOOK_ENDPOINT_METADATA, handler) as string | object | undefined) ?? classEndpoint;
        // A selector ({ param }) picks a run-time endpoint per request: nothing to check by name here.
        const endpoint = typeof selector === 'string' ? selector : undefined;
        const guarded = classGuarded || usesWebhookGuard(Reflect.getMetadata(GUARDS_METADATA, handler));
        const where = `${controller.name}.${method}`;
        if (guarded && isRoute(handler)) {
          this.guardedRoutes++;
          this.guardedPaths.push(...routePaths(controller, handler));
        }
        if (endpoint !== undefined && !this.config.endpoints.has(endpoint)) {
          const known = [...this.config.endpoints.keys()].join(', ') || 'none';
          problems.push(
            `${where}: @WebhookEndpoint('${endpoint}') names no configured endpoint (configured: ${known}).`,
          );
        } else if (guarded && selector === undefined && isRoute(handler)) {
          problems.push(`${where} uses WebhookGuard but has no @WebhookEndpoint(name) on it or its controller.`);
        }
        const challenge = (Reflect.getMetadata(WEBHOOK_CHALLENGE_METADATA, handler) as unknown) ?? classChallenge;
        if (challenge !== undefined && isRoute(handler)) {
          const problem = this.challengeProblem(where, endpoint, guarded, challenge);
          if (problem) problems.push(problem);
        }
      }
    }
    if (problems.length > 0) throw new WebhookConfigurationError(problems.join('\n'));
  }

  /** A `@WebhookChallenge()` route needs the guard, a known endpoint and a strategy that validates. */
  private challengeProblem(where: string, endpoint: string | undefined, guarded: boolean, challenge: unknown) {
    if (!guarded) return `${where} has @WebhookChallenge() but no @UseGuards(WebhookGuard), which answers it.`;
    const definition = endpoint === undefined ? undefined : this.config.endpoints.get(endpoint);
    if (!definition) return undefined; // already reported above
    if (challenge === true && !definition.challenge) {
      return (
        `${where}: @WebhookChallenge() without a strategy, but endpoint "${endpoint}" has no challenge strategy ` +
        '(use a preset that has one, or pass a strategy to the decorator).'
      );
    }
    if (typeof challenge === 'object' && challenge !== null) {
      try {
        validateChallengeStrategy(definition.name, challenge as ChallengeStrategy);
        assertChallengeCannotSign(definition.name, definition.schemes, challenge as ChallengeStrategy);
      } catch (error) {
        return `${where}: ${(error as Error).message}`;
      }
    }
    return undefined;
  }
}

function usesWebhookGuard(guards: unknown): boolean {
  return (
    Array.isArray(guards) &&
    guards.some((g) => g === WebhookGuard || (typeof g === 'function' && g.prototype instanceof WebhookGuard))
  );
}

/** Every controller path joined with every method path ('hooks' + 'billing' → '/hooks/billing'). */
function routePaths(controller: object, handler: object): string[] {
  const list = (value: unknown) => (Array.isArray(value) ? value : [value ?? '']).map(String);
  const clean = (path: string) => path.split('/').filter(Boolean);
  return list(Reflect.getMetadata('path', controller)).flatMap((base) =>
    list(Reflect.getMetadata('path', handler)).map((path) => '/' + [...clean(base), ...clean(path)].join('/')),
  );
}

function isRoute(handler: object): boolean {
  return Reflect.getMetadata('path', handler) !== undefined;
}
