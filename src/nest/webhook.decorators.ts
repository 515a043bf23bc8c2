import { applyDecorators, createParamDecorator, SetMetadata, UseFilters, type ExecutionContext } from '@nestjs/common';
import { WEBHOOK_DELIVERY, WEBHOOK_ENDPOINT_METADATA } from './webhook.constants';
import { WebhookResponseFilter } from './webhook-response.filter';

/**
 * Names the configured endpoint whose secrets and schemes verify this handler (or every handler of
 * this controller). Use with `@UseGuards(WebhookGuard)`.
 * @publicApi
 * @example @Post('billing') @WebhookEndpoint('billing') onBilling(@WebhookEvent() event: VerifiedWebhook) {}
 */
export function WebhookEndpoint(name: string): MethodDecorator & ClassDecorator {
  // The filter answers duplicates (and challenges) that the guard settles without the handler.
  return applyDecorators(SetMetadata(WEBHOOK_ENDPOINT_METADATA, name), UseFilters(WebhookResponseFilter));
}

/**
 * Injects the verified delivery ({@link VerifiedWebhook}) that `WebhookGuard` accepted.
 * @publicApi
 */
export const WebhookEvent = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  return context.switchToHttp().getRequest()[WEBHOOK_DELIVERY];
});
