import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type CanActivate,
  type ExecutionContext,
  type InjectionToken,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { challengeAnswer } from '../core/delivery/challenge';
import { WebhookConfigurationError, WebhookVerificationError } from '../core/errors';
import type { ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CHALLENGE_METADATA, WEBHOOK_CONFIG, WEBHOOK_ENDPOINT_METADATA } from './webhook.constants';
import { readPlatformRequest, type IncomingWebhook } from './http-request';
import {
  endpointMisconfigured,
  inProgress,
  toHttpException,
  unavailable,
  WebhookDirectResponse,
} from './webhook.exceptions';
import { DeliveryInProgressError, EventLogUnavailableError } from '../storage/event-log.interface';
import { WebhookVerifier } from './webhook-verifier.service';
import { RuntimeEndpoints } from './runtime-endpoints';
import type { WebhookEndpointSelector } from './webhook.decorators';
import { WebhookException } from './webhook.exceptions';
import { settleBeforeAnswer } from './unacknowledged-answer';
import { verifiedDeliveries } from './verified-deliveries';

type ChallengeMetadata = true | ChallengeStrategy | Type<ChallengeStrategy>;

interface RouteMetadata {
  readonly endpoint: string | WebhookEndpointSelector | undefined;
  readonly challenge: ChallengeMetadata | undefined;
}

/**
 * Lets a request reach the handler only when it is a verified, first delivery for the endpoint
 * named by `@WebhookEndpoint()`. On routes marked `@WebhookChallenge()` it answers the provider's
 * URL verification challenge itself. Duplicates are answered 200 without the handler; refusals are
 * 4xx with a stable `code`.
 *
 * Works on a controller of any module, without importing WebhookModule there (see the constructor).
 * Subclass it to change how the request is read (`getIncomingWebhook`) or how a refusal is
 * answered (`throwRejection`); keep the constructor parameters, with their `@Optional()`, when you do.
 * @publicApi
 */
@Injectable()
export class WebhookGuard implements CanActivate, OnModuleInit {
  /** Strategy classes given to `@WebhookChallenge(Class)`, resolved once each. */
  private readonly strategies = new Map<Type<ChallengeStrategy>, Promise<ChallengeStrategy>>();
  /** Route metadata per controller class and handler. */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteMetadata>>();

  private readonly logger = new Logger('Hookwarden');
  private injectedVerifier: WebhookVerifier | undefined;
  private injectedConfig: ResolvedWebhookConfig | undefined;

  // The guard is instantiated in the module of each controller that uses it. Where WebhookModule's
  // providers are not visible (a feature module, no isGlobal) they are found app-wide on first use,
  // as an app-wide guard such as ThrottlerGuard is expected to work.
  constructor(
    protected readonly reflector: Reflector,
    @Optional() verifier: WebhookVerifier | undefined,
    @Optional() @Inject(WEBHOOK_CONFIG) config: ResolvedWebhookConfig | undefined,
    protected readonly moduleRef: ModuleRef,
  ) {
    this.injectedVerifier = verifier;
    this.injectedConfig = config;
  }

  protected get verifier(): WebhookVerifier {
    return (this.injectedVerifier ??= findWebhookProvider<WebhookVerifier>(this.moduleRef, WebhookVerifier));
  }

  protected get config(): ResolvedWebhookConfig {
    return (this.injectedConfig ??= findWebhookProvider<ResolvedWebhookConfig>(this.moduleRef, WEBHOOK_CONFIG));
  }

  /** Resolves both at start-up, so an app without WebhookModule fails there rather than on a request. */
  onModuleInit(): void {
    void this.verifier;
    void this.config;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.admit(context);
    } catch (error) {
      // Start-up checks refuse what cannot work; should a configuration error reach a request
      // (metadata changed at run time), it is a coded 500 and the detail goes to the log only.
      if (!(error instanceof WebhookConfigurationError)) throw error;
      this.logger.error(error.message);
      throw endpointMisconfigured();
    }
  }

  private async admit(context: ExecutionContext): Promise<boolean> {
    const { endpoint: selector, challenge } = this.routeMetadata(context);
    if (selector === undefined) {
      // Start-up validation refuses such routes; this only guards against metadata added at run time.
      throw new WebhookConfigurationError(
        `${context.getClass().name}.${context.getHandler().name} uses WebhookGuard without @WebhookEndpoint(name).`,
      );
    }
    const request = context.switchToHttp().getRequest();
    const incoming = this.getIncomingWebhook(request);
    const endpoint = typeof selector === 'string' ? selector : this.runtimeEndpoint(selector, request, incoming);
    let outcome;
    try {
      // A run-time endpoint without a challenge strategy has no challenge to answer.
      if (
        challenge !== undefined &&
        (challenge !== true || typeof selector === 'string' || this.hasChallenge(endpoint))
      ) {
        const strategy = await this.resolveStrategy(endpoint, challenge);
        const answer = await this.verifier.answerChallenge(endpoint, strategy, incoming);
        if (answer) {
          const { status, headers, body } = challengeAnswer(answer);
          throw new WebhookDirectResponse(status, headers, body);
        }
      }
      outcome = await this.verifier.verify(endpoint, incoming);
    } catch (error) {
      if (error instanceof WebhookVerificationError) this.throwRejection(error);
      if (error instanceof EventLogUnavailableError) throw unavailable(error);
      if (error instanceof DeliveryInProgressError) throw inProgress(error);
      throw error;
    }
    if (outcome.status === 'duplicate') {
      throw new WebhookDirectResponse(200, {}, { received: true, duplicate: true });
    }
    const delivery = outcome.delivery;
    verifiedDeliveries.set(request as object, delivery);
    // Stored as accepted and in progress: acknowledged before a 2xx goes out (copies are then
    // duplicates), withdrawn before any other answer (the retry must run the handler again).
    // Only a delivery recorded under a key has an acceptance to settle (the verifier's acknowledge
    // and release do nothing without one).
    if (delivery.dedupeKey !== undefined) {
      settleBeforeAnswer(context.switchToHttp().getResponse(), {
        acknowledge: () => this.verifier.settleAcknowledged(delivery),
        withdraw: () => this.verifier.release(delivery),
      });
    }
    return true;
  }

  /**
   * The name of the enabled run-time endpoint the request addresses; otherwise a 404
   * `unknown_endpoint` (the same for unknown and disabled ones), recorded under one shared budget.
   */
  private runtimeEndpoint(selector: WebhookEndpointSelector, request: unknown, incoming: IncomingWebhook): string {
    let name: unknown;
    try {
      name =
        'param' in selector
          ? (request as { params?: Record<string, unknown> }).params?.[selector.param]
          : selector.resolve(request);
    } catch {
      name = undefined;
    }
    const runtime = (this.runtimeEndpoints ??= findWebhookProvider<RuntimeEndpoints>(this.moduleRef, RuntimeEndpoints));
    if (typeof name === 'string' && runtime.get(name) !== undefined) return name;
    runtime.recordUnknown(incoming);
    throw new WebhookException('unknown_endpoint', 'No webhook endpoint is served here under this name.', 404);
  }

  private runtimeEndpoints: RuntimeEndpoints | undefined;

  private hasChallenge(endpoint: string): boolean {
    return this.verifier.endpoint(endpoint).challenge !== undefined;
  }

  /**
   * The route's decorators, read once per controller and handler (a method inherited by two
   * controllers can be decorated differently by each): they do not change after start-up.
   */
  private routeMetadata(context: ExecutionContext): RouteMetadata {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.routes.get(controller);
    if (!byHandler) this.routes.set(controller, (byHandler = new WeakMap()));
    let metadata = byHandler.get(handler);
    if (!metadata) {
      const targets = [handler, controller];
      metadata = {
        endpoint: this.reflector.getAllAndOverride<RouteMetadata['endpoint']>(WEBHOOK_ENDPOINT_METADATA, targets),
        challenge: this.reflector.getAllAndOverride<ChallengeMetadata | undefined>(WEBHOOK_CHALLENGE_METADATA, targets),
      };
      byHandler.set(handler, metadata);
    }
    return metadata;
  }

  /** Reads the platform request (Express or Fastify) into the framework-free form. */
  protected getIncomingWebhook(request: unknown): IncomingWebhook {
    return readPlatformRequest(request, this.config.rawBodyProperty);
  }

  /** Answers a refused request; the default is a 4xx `{ statusCode, code, message }`. */
  protected throwRejection(error: WebhookVerificationError): never {
    throw toHttpException(error);
  }

  private resolveStrategy(
    endpoint: string,
    challenge: ChallengeMetadata,
  ): Promise<ChallengeStrategy> | ChallengeStrategy {
    if (challenge === true) {
      const strategy = this.verifier.endpoint(endpoint).challenge;
      // Start-up validation refuses this; kept for metadata added at run time.
      if (!strategy) throw new WebhookConfigurationError(`Webhook endpoint "${endpoint}" has no challenge strategy.`);
      return strategy;
    }
    if (typeof challenge !== 'function') return challenge;
    let resolved = this.strategies.get(challenge);
    if (!resolved) {
      resolved = resolveInjectable(this.moduleRef, challenge);
      this.strategies.set(challenge, resolved);
    }
    return resolved;
  }
}

/** A provider of WebhookModule, from wherever the app registered it. */
function findWebhookProvider<T>(moduleRef: ModuleRef, token: InjectionToken): T {
  try {
    return moduleRef.get<T>(token, { strict: false });
  } catch {
    throw new WebhookConfigurationError(
      'WebhookGuard is used but WebhookModule is not registered: add WebhookModule.forRoot() or ' +
        'forRootAsync() to the imports of your application module.',
    );
  }
}

/** A provider registered in the app, else a new instance with its dependencies injected. */
async function resolveInjectable<T>(moduleRef: ModuleRef, type: Type<T>): Promise<T> {
  try {
    return moduleRef.get(type, { strict: false });
  } catch {
    return moduleRef.create(type);
  }
}
