import type { WebhookCatalogueCode } from '../core/errors';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { EventLogUnavailableError } from '../storage/event-log.interface';
import { isStorageUnavailable, retryAfterSeconds } from './storage-unavailable';

/**
 * Every refusal of the admin API carries a `code`, also those Nest or the app's own guard throw
 * without one (a guard returning false is 403 `forbidden`); an unavailable store answers 503.
 * @internal
 */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HookwardenAdmin');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse();
    const { status, body } = this.describe(exception);
    if (status === 503) {
      this.adapterHost.httpAdapter.setHeader(response, 'Retry-After', String(retryAfterSeconds(exception)));
    }
    this.adapterHost.httpAdapter.reply(response, body, status);
  }

  private describe(exception: unknown): { status: number; body: Record<string, unknown> } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const answer = exception.getResponse();
      const body: Record<string, unknown> =
        typeof answer === 'object' && answer !== null ? { ...answer } : { message: String(answer) };
      body.statusCode ??= status;
      if (typeof body.code !== 'string') {
        body.code = HTTP_CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');
        delete body.error;
      }
      if (Array.isArray(body.message)) body.message = body.message.join('; ');
      return { status, body };
    }
    // Any store (secrets, events, audit) whose database cannot be reached: the client retries later.
    if (isStorageUnavailable(exception)) {
      const message =
        exception instanceof EventLogUnavailableError
          ? exception.message
          : 'The webhook storage is unavailable; retry later.'; // not the driver's text: it may quote the query
      return { status: 503, body: { statusCode: 503, code: 'storage_unavailable', message } };
    }
    // Only the error's class: a driver message might quote what the query carried.
    this.logger.error(`Admin request failed: ${(exception as Error)?.name ?? typeof exception}`);
    return {
      status: 500,
      body: { statusCode: 500, code: 'internal_error', message: 'The admin request could not be completed.' },
    };
  }
}

/** Codes for the HTTP exceptions that come without one (each in the catalogue, WEBHOOK_ERRORS). @internal */
export const HTTP_CODES: Readonly<Record<number, WebhookCatalogueCode>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'service_unavailable',
};
