import { HttpException, HttpStatus } from '@nestjs/common';
import { statusOf, WebhookErrorCode, type WebhookVerificationError } from '../core/errors';

/**
 * The body of every error Hookwarden answers: `{ statusCode, code, message }`.
 * @publicApi
 */
export interface WebhookErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

/**
 * Base of the HTTP exceptions Hookwarden throws. Its `code` is stable and machine-readable.
 * @publicApi
 */
export class WebhookException extends HttpException {
  constructor(
    readonly code: string,
    message: string,
    status: number,
  ) {
    super({ statusCode: status, code, message } satisfies WebhookErrorBody, status);
  }
}

/** 401: the request could not be authenticated (bad or stale signature, no live secret). @publicApi */
export class WebhookUnauthorizedException extends WebhookException {
  constructor(code: string, message: string) {
    super(code, message, HttpStatus.UNAUTHORIZED);
  }
}

/** 400: the request is malformed (a header missing or not in its format, no raw body). @publicApi */
export class WebhookBadRequestException extends WebhookException {
  constructor(code: string, message: string) {
    super(code, message, HttpStatus.BAD_REQUEST);
  }
}

/** 403: the sender is not allowed here (address outside the allow-list, client certificate refused). @publicApi */
export class WebhookForbiddenException extends WebhookException {
  constructor(code: string, message: string) {
    super(code, message, HttpStatus.FORBIDDEN);
  }
}

/** 409: the request conflicts with the endpoint's state (a second secret-delivering handshake). @publicApi */
export class WebhookConflictException extends WebhookException {
  constructor(code: string, message: string) {
    super(code, message, HttpStatus.CONFLICT);
  }
}

/**
 * Maps a core verification error to the HTTP exception the sender sees, its status from the
 * catalogue (WEBHOOK_ERRORS); a code outside it is a 401 (fail closed). @internal
 */
export function toHttpException(error: WebhookVerificationError): WebhookException {
  const status = statusOf(error.code);
  if (status === HttpStatus.BAD_REQUEST) return new WebhookBadRequestException(error.code, error.message);
  if (status === HttpStatus.FORBIDDEN) return new WebhookForbiddenException(error.code, error.message);
  if (status === HttpStatus.CONFLICT) return new WebhookConflictException(error.code, error.message);
  if (status === HttpStatus.UNAUTHORIZED) return new WebhookUnauthorizedException(error.code, error.message);
  return new WebhookException(error.code, error.message, status);
}

/**
 * A request that reached a route whose webhook configuration cannot work (start-up checks refuse
 * it; only metadata changed at run time gets here): a coded 500, the detail in the server log only.
 * @internal
 */
export function endpointMisconfigured(): WebhookException {
  return new WebhookException(
    WebhookErrorCode.EndpointMisconfigured,
    'This webhook endpoint is misconfigured; the server log says why.',
    statusOf(WebhookErrorCode.EndpointMisconfigured),
  );
}

/**
 * Thrown by the guard to answer a request itself (a duplicate, a challenge) without running the
 * handler; `WebhookResponseFilter` writes it. Not an error: it never reaches the sender as one.
 * @internal
 */
export class WebhookDirectResponse {
  constructor(
    readonly status: number,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: string | Record<string, unknown> | undefined,
  ) {}
}

/** 503 with Retry-After and a coded body: the provider retries, at the time the header names. */
function retryLater(code: WebhookErrorCode, message: string, retryAfterSeconds: number): WebhookDirectResponse {
  const body: WebhookErrorBody = { statusCode: 503, code, message };
  return new WebhookDirectResponse(
    503,
    { 'Retry-After': String(retryAfterSeconds) },
    body as unknown as Record<string, unknown>,
  );
}

/**
 * The delivery was verified but could not be stored, so it is not acknowledged; the provider's
 * retry will deliver it again.
 * @internal
 */
export function unavailable(error: { retryAfterSeconds: number }): WebhookDirectResponse {
  return retryLater(
    WebhookErrorCode.StorageUnavailable,
    'The webhook could not be stored; retry later.',
    error.retryAfterSeconds,
  );
}

/**
 * A copy of a delivery whose first acceptance has not been answered yet (its handler runs). A 2xx
 * would end the provider's retries although the handler may still fail.
 * @internal
 */
export function inProgress(error: { retryAfterSeconds: number }): WebhookDirectResponse {
  return retryLater(
    WebhookErrorCode.DeliveryInProgress,
    'This delivery is being handled; retry later.',
    error.retryAfterSeconds,
  );
}
