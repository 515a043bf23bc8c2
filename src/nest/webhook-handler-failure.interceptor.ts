import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import { EventLog } from '../storage/event-log.interface';
import { WEBHOOK_DELIVERY } from './webhook.constants';
import type { VerifiedWebhook } from './webhook-verifier.service';

/**
 * When a handler fails, the delivery was stored as accepted but not processed: the acceptance is
 * withdrawn before the error answer goes out, so the provider's retry runs the handler again
 * instead of being answered as a duplicate. Bound by `@WebhookEndpoint()`.
 * @internal
 */
@Injectable()
export class WebhookHandlerFailureInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Hookwarden');

  constructor(@Inject(EventLog) private readonly eventLog: EventLog) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((error: unknown) => {
        const delivery = (context.switchToHttp().getRequest() as Record<symbol, VerifiedWebhook | undefined>)[
          WEBHOOK_DELIVERY
        ];
        if (!delivery?.id || !this.eventLog.release) return throwError(() => error);
        const release = this.eventLog.release(delivery.endpoint, delivery.id, 'handler_failed').catch(() => {
          this.logger.warn(`Could not withdraw the acceptance of a failed delivery on "${delivery.endpoint}".`);
        });
        return from(release).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}
