import { Controller, Get, Header } from '@nestjs/common';
import { register } from 'prom-client';

/**
 * GET /metrics: prom-client's default registry in the Prometheus text format, where the `metrics`
 * extra registers Hookwarden's metrics (`@willsoto/nestjs-prometheus` serves the same registry).
 */
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
