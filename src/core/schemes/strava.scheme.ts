import { ApiKeyScheme } from '../auth/api-key.scheme';
import { WebhookConfigurationError } from '../errors';
import type { WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type { SignatureVerification, VerifyContext } from '../signature-scheme';
import { noMatchingSignature, parseJsonObject } from '../engines/scheme-support';

/** @publicApi */
export interface StravaSchemeOptions {
  /**
   * The query parameter of the callback URL that carries the endpoint's secret.
   * @default 'token'
   */
  readonly query?: string;
  /** When set, each event's `subscription_id` must equal it (a consistency check, not authentication). */
  readonly subscriptionId?: number;
}

/**
 * Strava signs nothing, so a delivery proves nothing by itself. To fail closed, the callback URL
 * registered with Strava carries a random secret (`…/hooks/strava?token=<secret>`), compared in
 * constant time with the endpoint's live secrets; without one every event is refused. Secrets in
 * URLs reach access logs, so keep the token for this purpose only and rotate it with a new
 * subscription if it leaks. Strava events carry no id.
 * @publicApi
 */
export class StravaScheme extends ApiKeyScheme {
  private readonly subscriptionId?: number;

  constructor(options: StravaSchemeOptions = {}) {
    super({ name: 'strava', query: options.query ?? 'token' });
    if (options.subscriptionId !== undefined && !Number.isSafeInteger(options.subscriptionId)) {
      throw new WebhookConfigurationError('The strava subscriptionId must be an integer.');
    }
    this.subscriptionId = options.subscriptionId;
  }

  override verify(
    request: WebhookRequest,
    secrets: readonly WebhookSecret[],
    context: VerifyContext,
  ): SignatureVerification {
    const verified = super.verify(request, secrets, context);
    // Events carry a JSON body; the bodiless subscription challenge has no subscription_id to check.
    if (
      this.subscriptionId !== undefined &&
      request.rawBody.length > 0 &&
      parseJsonObject(request.rawBody)?.['subscription_id'] !== this.subscriptionId
    ) {
      throw noMatchingSignature('The event belongs to another Strava subscription.');
    }
    return verified;
  }
}
