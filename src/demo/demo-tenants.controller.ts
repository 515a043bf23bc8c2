// One route for every customer's endpoint: POST /webhooks/tenants/:endpoint serves the endpoints
// created at run time through the admin API (POST /webhooks/admin/endpoints), any preset by name.
import { Controller, HttpCode, Logger, Post, UseGuards } from '@nestjs/common';
import { WebhookEndpoint, WebhookEvent, WebhookGuard, type VerifiedWebhook } from '../index';

const logger = new Logger('Demo');

@Controller('webhooks/tenants')
@UseGuards(WebhookGuard)
export class DemoTenantsController {
  /** Runs once per verified, first delivery of an enabled tenant endpoint; unknown ones are 404. */
  @Post(':endpoint')
  @HttpCode(200)
  @WebhookEndpoint({ param: 'endpoint' })
  receive(@WebhookEvent() event: VerifiedWebhook): { received: true } {
    logger.log(`tenant ${event.endpoint} (${event.provider}): delivery ${event.id ?? '(no id)'} verified`);
    return { received: true };
  }
}
