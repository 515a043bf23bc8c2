import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebhookDirectResponse } from './webhook.exceptions';

/**
 * Writes the answers the guard settles itself (duplicates, challenges) with their exact status,
 * headers and body, on Express and Fastify alike. Bound by `@WebhookEndpoint()`, so it takes
 * precedence over the application's global filters for these answers only.
 * @internal
 */
@Catch(WebhookDirectResponse)
export class WebhookResponseFilter implements ExceptionFilter<WebhookDirectResponse> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(answer: WebhookDirectResponse, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response = host.switchToHttp().getResponse();
    for (const [name, value] of Object.entries(answer.headers)) adapter.setHeader(response, name, value);
    adapter.reply(response, answer.body, answer.status);
  }
}
