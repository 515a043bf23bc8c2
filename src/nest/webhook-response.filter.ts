import { Catch, NotFoundException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
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

/**
 * Answers the router's own 404 (no route for this method and path) as `{ statusCode: 404, code:
 * 'not_found', message }`, without the method and path Nest puts in its message: a path is
 * whatever the sender chose, and an answer should reflect none of it. Other 404s (the app's own
 * NotFoundException) are answered as Nest would.
 * @publicApi
 * @example
 * // app.module.ts
 * providers: [{ provide: APP_FILTER, useClass: WebhookNotFoundFilter }]
 */
@Catch(NotFoundException)
export class WebhookNotFoundFilter implements ExceptionFilter<NotFoundException> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: NotFoundException, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response = host.switchToHttp().getResponse();
    const body = exception.getResponse();
    if (isRouterMiss(body)) {
      adapter.reply(response, { statusCode: 404, code: 'not_found', message: 'No route answers this request.' }, 404);
      return;
    }
    adapter.reply(response, typeof body === 'object' ? body : { statusCode: 404, message: body }, 404);
  }
}

/**
 * Nest's router throws `Cannot <METHOD> <target>` (Express and Fastify alike), with no `code`; the
 * target is whatever the request line held: `/path`, `http://host/path`, `*`.
 */
function isRouterMiss(body: string | object): boolean {
  const message = typeof body === 'string' ? body : (body as { message?: unknown; code?: unknown }).message;
  return (
    typeof message === 'string' &&
    (typeof body === 'string' || (body as { code?: unknown }).code === undefined) &&
    /^Cannot [A-Z-]+ /.test(message)
  );
}
