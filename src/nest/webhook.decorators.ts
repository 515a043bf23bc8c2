import {
  applyDecorators,
  createParamDecorator,
  SetMetadata,
  UseFilters,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { WEBHOOK_CHALLENGE_METADATA, WEBHOOK_ENDPOINT_METADATA } from './webhook.constants';
import { verifiedDeliveries } from './verified-deliveries';
import { WebhookResponseFilter } from './webhook-response.filter';

/**
 * How a route picks a run-time endpoint (one defined through the admin API) per request: the path
 * parameter that holds its name, or a function of the platform request that returns it.
 * @publicApi
 */
export type WebhookEndpointSelector =
  { readonly param: string } | { readonly resolve: (request: unknown) => string | undefined };

/**
 * Names the configured endpoint whose secrets and schemes verify this handler (or every handler of
 * this controller). Use with `@UseGuards(WebhookGuard)`. With `{ param }` (or `{ resolve }`) the
 * route serves the endpoints defined at run time, one per customer: the name comes from the
 * request, and an unknown or disabled one is answered 404 `unknown_endpoint`.
 * @publicApi
 * @example @Post('billing') @WebhookEndpoint('billing') onBilling(@WebhookEvent() event: VerifiedWebhook) {}
 * @example @Post('tenants/:endpoint') @WebhookEndpoint({ param: 'endpoint' }) onTenant(@WebhookEvent() e: VerifiedWebhook) {}
 */
export function WebhookEndpoint(name: string | WebhookEndpointSelector): MethodDecorator & ClassDecorator {
  // The filter answers duplicates (and challenges) that the guard settles without the handler.
  return applyDecorators(SetMetadata(WEBHOOK_ENDPOINT_METADATA, name), UseFilters(WebhookResponseFilter));
}

/**
 * Lets `WebhookGuard` answer the provider's URL verification challenge on this route (or every
 * route of this controller): the handler does not run for a challenge, the module writes the answer.
 * Without an argument the endpoint preset's strategy answers; pass a strategy instance, or an
 * injectable strategy class (resolved from the module, else instantiated once), to use another.
 * Routes without it never answer challenges, so a URL confirms only where the app chose to.
 * @publicApi
 * @example @Get() @WebhookEndpoint('meta') @WebhookChallenge() verify() {}
 */
export function WebhookChallenge(
  strategy?: ChallengeStrategy | Type<ChallengeStrategy>,
): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(WEBHOOK_CHALLENGE_METADATA, strategy ?? true), UseFilters(WebhookResponseFilter));
}

/**
 * Injects the verified delivery ({@link VerifiedWebhook}) that `WebhookGuard` accepted.
 * @publicApi
 */
export const WebhookEvent = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  return verifiedDeliveries.get(context.switchToHttp().getRequest());
});
