import { Inject, Injectable, Logger } from '@nestjs/common';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../core/errors';
import { redactHeaders, redactUrl } from '../core/redact';
import type { WebhookRequest } from '../core/request';
import type { WebhookSecret } from '../core/secret';
import type { ChallengeResponse, ChallengeStrategy } from '../core/challenge-strategy';
import type { SignatureVerification } from '../core/signature-scheme';
import {
  EventLog,
  EventLogUnavailableError,
  type WebhookEventRecord,
  type WebhookEventStatus,
} from '../storage/event-log.interface';
import { SecretStore, SecretStoreError } from '../storage/secret-store.interface';
import { namedSecretKey } from './webhook-storage.providers';
import type { ResolvedEndpoint, ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG } from './webhook.constants';
import type { IncomingWebhook } from './http-request';

/**
 * A delivery that passed verification, as the handler receives it through `@WebhookEvent()`.
 * @publicApi
 */
export interface VerifiedWebhook<TPayload = unknown> {
  /** The endpoint name from the options. */
  readonly endpoint: string;
  readonly provider: string;
  /** The provider's message id, when it sends one. */
  readonly id?: string;
  /** The signed timestamp, when the provider signs one. */
  readonly timestamp?: Date;
  /** The parsed body: JSON as an object, a form as its fields, otherwise what the platform parsed. */
  readonly payload: TPayload;
  /** The exact bytes that were verified. */
  readonly rawBody: Buffer;
  /** The version of the secret that matched. */
  readonly secretVersion?: number;
  readonly receivedAt: Date;
}

/** What the verifier decided about a request that it did not reject. @publicApi */
export type WebhookOutcome =
  | { readonly status: 'accepted'; readonly delivery: VerifiedWebhook }
  | { readonly status: 'duplicate'; readonly delivery: VerifiedWebhook };

const RAW_BODY_HELP =
  'The raw request body is not available, so the signature cannot be checked. Create the app with ' +
  'NestFactory.create(AppModule, { rawBody: true }) and, for text or binary bodies, call ' +
  'useWebhookBodyParsers(app) from nestjs-hookwarden.';

/**
 * The whole verification of one request, independent of HTTP frameworks: the guard calls it, and
 * so can a queue consumer that verifies a stored request later (pass its `receivedAt`).
 * @publicApi
 */
@Injectable()
export class WebhookVerifier {
  private readonly logger = new Logger('Hookwarden');

  constructor(
    @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
    @Inject(SecretStore) private readonly secrets: SecretStore,
    @Inject(EventLog) private readonly eventLog: EventLog,
  ) {}

  /** The endpoint of that name; an unknown name is a configuration error. */
  endpoint(name: string): ResolvedEndpoint {
    const endpoint = this.config.endpoints.get(name);
    if (!endpoint) {
      const known = [...this.config.endpoints.keys()].join(', ') || 'none';
      throw new WebhookConfigurationError(`Unknown webhook endpoint "${name}" (configured: ${known}).`);
    }
    return endpoint;
  }

  /**
   * Verifies a request for an endpoint and records it. Resolves once the event log holds it;
   * rejects with a {@link WebhookVerificationError} (already recorded) when it is refused.
   */
  async verify(endpointName: string, incoming: IncomingWebhook, receivedAt = Date.now()): Promise<WebhookOutcome> {
    const endpoint = this.endpoint(endpointName);
    let verification: SignatureVerification;
    try {
      if (incoming.rawBody === undefined) {
        throw new WebhookVerificationError(WebhookErrorCode.RawBodyMissing, RAW_BODY_HELP);
      }
      const secrets = await this.secrets.getLiveSecrets(endpoint.name);
      verification = this.runSchemes(endpoint, incoming as WebhookRequest, secrets, receivedAt);
    } catch (error) {
      const rejection = this.asVerificationError(error, endpoint);
      this.recordRejection(endpoint, incoming, rejection.code, receivedAt);
      throw rejection;
    }
    if (verification.secretVersion !== undefined) this.secrets.markUsed?.(endpoint.name, verification.secretVersion);

    const delivery: VerifiedWebhook = {
      endpoint: endpoint.name,
      provider: endpoint.provider,
      id: verification.messageId,
      timestamp: verification.signedAt,
      payload: payloadOf(incoming),
      rawBody: incoming.rawBody!,
      secretVersion: verification.secretVersion,
      receivedAt: new Date(receivedAt),
    };
    const status = await this.eventLog.record(this.toRecord(endpoint, incoming, receivedAt, 'accepted', verification));
    return { status: status === 'duplicate' ? 'duplicate' : 'accepted', delivery };
  }

  /**
   * Withdraws the acceptance of a delivery that was not acknowledged (its handler failed), so the
   * provider's retry is handled again instead of answered as a duplicate. Never rejects.
   */
  async release(delivery: VerifiedWebhook, reason = 'handler_failed'): Promise<void> {
    if (delivery.id === undefined || !this.eventLog.release) return;
    try {
      await this.eventLog.release(delivery.endpoint, delivery.id, reason);
    } catch {
      this.logger.warn(`Could not withdraw the acceptance of a failed delivery on "${delivery.endpoint}".`);
    }
  }

  /**
   * Answers the request when it is the endpoint's URL verification challenge, or resolves
   * `undefined` when it is not one (it is then verified as a delivery). Signed challenges are
   * verified first; a handshake that delivers the signing secret (Asana) stores it; every answered
   * challenge is recorded with status `challenge` before the answer goes out.
   * Rejects with a {@link WebhookVerificationError} (already recorded) when the challenge is refused.
   */
  async answerChallenge(
    endpointName: string,
    strategy: ChallengeStrategy,
    incoming: IncomingWebhook,
    receivedAt = Date.now(),
  ): Promise<ChallengeResponse | undefined> {
    const endpoint = this.endpoint(endpointName);
    // Without the raw bytes nothing can be detected safely; the delivery path reports the fix.
    if (incoming.rawBody === undefined) return undefined;
    const request = incoming as WebhookRequest;
    if (!detects(strategy, request)) return undefined;

    let answer: ChallengeResponse;
    let verification: SignatureVerification = {};
    try {
      const secrets = await this.secrets.getLiveSecrets(endpoint.name);
      if (strategy.signed) {
        verification = this.runSchemes(endpoint, request, secrets, receivedAt);
      } else {
        // An unsigned challenge still comes from where deliveries come from: the address and
        // certificate checks of the endpoint apply to it as to a delivery.
        for (const check of endpoint.connectionChecks) check.verify(request, secrets, { receivedAt });
      }
      const namedSecrets: Record<string, readonly WebhookSecret[]> = {};
      for (const name of strategy.secretNames ?? []) {
        namedSecrets[name] = await this.secrets.getLiveSecrets(namedSecretKey(endpoint.name, name));
      }
      answer = strategy.respond(request, { endpoint: endpoint.name, secrets, namedSecrets, receivedAt });
      const delivered = strategy.deliveredSecret?.(request);
      if (delivered !== undefined) await this.storeDeliveredSecret(endpoint, delivered, secrets.length > 0);
    } catch (error) {
      if (error instanceof EventLogUnavailableError) throw error;
      const rejection = this.asVerificationError(error, endpoint);
      this.recordRejection(endpoint, incoming, rejection.code, receivedAt);
      throw rejection;
    }
    // Acknowledged only once recorded, like a delivery: an unavailable log answers 503.
    await this.eventLog.record(this.toRecord(endpoint, incoming, receivedAt, 'challenge', verification));
    return answer;
  }

  /** Stores the secret a handshake hands over, refusing to replace a live one unless allowed. */
  private async storeDeliveredSecret(endpoint: ResolvedEndpoint, secret: string, hasSecret: boolean): Promise<void> {
    if (hasSecret && !endpoint.allowSecretReplacement) {
      throw new WebhookVerificationError(
        WebhookErrorCode.HandshakeRefused,
        `Endpoint "${endpoint.name}" already has a signing secret; a new handshake may not replace it ` +
          '(set allowSecretReplacement on the endpoint to allow it).',
      );
    }
    try {
      // The old secret stops at once: the provider signs with the new one from now on.
      await this.secrets.addSecret(endpoint.name, secret, { gracePeriodSeconds: 0 });
    } catch (error) {
      if (error instanceof SecretStoreError) {
        throw new WebhookVerificationError(WebhookErrorCode.InvalidChallenge, 'The handshake secret was refused.');
      }
      // The provider retries a handshake that was not answered, so a store outage is a 503.
      throw new EventLogUnavailableError('The webhook secret store is unavailable.');
    }
  }

  private runSchemes(
    endpoint: ResolvedEndpoint,
    request: WebhookRequest,
    secrets: readonly WebhookSecret[],
    receivedAt: number,
  ): SignatureVerification {
    const context = { receivedAt };
    if (endpoint.schemes.length === 1) return endpoint.schemes[0].verify(request, secrets, context);
    let merged: SignatureVerification = {};
    for (const scheme of endpoint.schemes) {
      const result = scheme.verify(request, secrets, context);
      merged = {
        secretVersion: merged.secretVersion ?? result.secretVersion,
        messageId: merged.messageId ?? result.messageId,
        signedAt: merged.signedAt ?? result.signedAt,
      };
    }
    return merged;
  }

  /** Any other failure inside a scheme fails closed as a rejection, never as a 500. */
  private asVerificationError(error: unknown, endpoint: ResolvedEndpoint): WebhookVerificationError {
    if (error instanceof WebhookVerificationError) return error;
    this.logger.error(
      `Verification for endpoint "${endpoint.name}" failed unexpectedly: ${(error as Error)?.name ?? 'error'}`,
    );
    return new WebhookVerificationError('verification_failed', 'The request could not be verified.');
  }

  private recordRejection(
    endpoint: ResolvedEndpoint,
    incoming: IncomingWebhook,
    reason: string,
    receivedAt: number,
  ): void {
    const record = this.toRecord(endpoint, incoming, receivedAt, 'rejected', {}, reason);
    // A rejection is answered at once: its record must not wait on, or fail, the answer.
    this.eventLog.record(record).catch(() => this.logger.warn(`Could not record a rejected request (${reason}).`));
  }

  private toRecord(
    endpoint: ResolvedEndpoint,
    incoming: IncomingWebhook,
    receivedAt: number,
    status: WebhookEventRecord['status'],
    verification: SignatureVerification,
    reason?: string,
  ): WebhookEventRecord {
    const windowEnd = verification.signedAt
      ? verification.signedAt.getTime() + endpoint.toleranceSeconds * 1000
      : receivedAt + endpoint.dedupeWindowSeconds * 1000;
    return {
      endpoint: endpoint.name,
      provider: endpoint.provider,
      messageId: verification.messageId,
      status,
      reason,
      secretVersion: verification.secretVersion,
      receivedAt: new Date(receivedAt),
      signedAt: verification.signedAt,
      replayWindowEndsAt: new Date(windowEnd),
      method: incoming.method,
      path: redactUrl(incoming.url, endpoint.credentialQuery),
      headers: redactHeaders(incoming.headers, endpoint.credentialHeaders),
      body: incoming.rawBody ?? Buffer.alloc(0),
      // Where the body is the credential, only its size and digest are safe to keep.
      storeBody: !endpoint.bodyIsCredential,
    };
  }
}

/** `detect` must never throw; one that does is a strategy bug, treated as "not a challenge". */
function detects(strategy: ChallengeStrategy, request: WebhookRequest): boolean {
  try {
    return strategy.detect(request) === true;
  } catch {
    return false;
  }
}

/** The payload the handler sees: what the platform parsed, or the JSON it did not parse. */
function payloadOf(incoming: IncomingWebhook): unknown {
  const parsed = incoming.parsedBody;
  if (parsed !== undefined && !Buffer.isBuffer(parsed)) {
    if (typeof parsed !== 'string' || !isJson(incoming)) return parsed;
  }
  if (isJson(incoming) && incoming.rawBody && incoming.rawBody.length > 0) {
    try {
      return JSON.parse(incoming.rawBody.toString('utf8'));
    } catch {
      return undefined;
    }
  }
  return parsed;
}

function isJson(incoming: IncomingWebhook): boolean {
  const type = incoming.headers['content-type'];
  return typeof type === 'string' && /^application\/(?:[\w.+-]+\+)?json\b/i.test(type);
}

export type { WebhookEventStatus };
