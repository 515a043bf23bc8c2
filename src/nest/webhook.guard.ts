import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { WebhookConfigurationError, WebhookVerificationError } from '../core/errors';
import type { ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG, WEBHOOK_DELIVERY, WEBHOOK_ENDPOINT_METADATA } from './webhook.constants';
import { readPlatformRequest, type IncomingWebhook } from './http-request';
import { toHttpException, unavailable, WebhookDirectResponse } from './webhook.exceptions';
import { EventLogUnavailableError } from '../storage/event-log.interface';
import { WebhookVerifier, type VerifiedWebhook } from './webhook-verifier.service';

/**
 * Lets a request reach the handler only when it is a verified, first delivery for the endpoint
 * named by `@WebhookEndpoint()`. Duplicates are answered 200 without the handler; refusals are
 * 400/401 with a stable `code`.
 *
 * Subclass it to change how the request is read (`getIncomingWebhook`) or how a refusal is
 * answered (`throwRejection`); keep the constructor parameters when you do.
 * @publicApi
 */
@Injectable()
export class WebhookGuard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    protected readonly verifier: WebhookVerifier,
    @Inject(WEBHOOK_CONFIG) protected readonly config: ResolvedWebhookConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const endpoint = this.reflector.getAllAndOverride<string | undefined>(WEBHOOK_ENDPOINT_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (endpoint === undefined) {
      // Start-up validation refuses such routes; this only guards against metadata added at run time.
      throw new WebhookConfigurationError(
        `${context.getClass().name}.${context.getHandler().name} uses WebhookGuard without @WebhookEndpoint(name).`,
      );
    }
    const request = context.switchToHttp().getRequest();
    let outcome;
    try {
      outcome = await this.verifier.verify(endpoint, this.getIncomingWebhook(request));
    } catch (error) {
      if (error instanceof WebhookVerificationError) this.throwRejection(error);
      if (error instanceof EventLogUnavailableError) throw unavailable(error);
      throw error;
    }
    if (outcome.status === 'duplicate') {
      throw new WebhookDirectResponse(200, {}, { received: true, duplicate: true });
    }
    (request as Record<symbol, VerifiedWebhook>)[WEBHOOK_DELIVERY] = outcome.delivery;
    return true;
  }

  /** Reads the platform request (Express or Fastify) into the framework-free form. */
  protected getIncomingWebhook(request: unknown): IncomingWebhook {
    return readPlatformRequest(request, this.config.rawBodyProperty);
  }

  /** Answers a refused request; the default is a 400 or 401 `{ statusCode, code, message }`. */
  protected throwRejection(error: WebhookVerificationError): never {
    throw toHttpException(error);
  }
}
