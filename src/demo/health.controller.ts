import { Controller, Get } from '@nestjs/common';
import { WebhookHealthIndicator } from '../index';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';

/**
 * GET /health: 200 when the database answers and Hookwarden's event log is writable with a short
 * queue and its secret listener connected; 503 otherwise.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly webhooks: WebhookHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      () => this.webhooks.isHealthy('webhooks'),
    ]);
  }
}
