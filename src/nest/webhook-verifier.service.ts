import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { WebhookDispatch } from './inbox/webhook-dispatch';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap } from '@nestjs/common';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../core/errors';
import type { WebhookRequest } from '../core/request';
import type { WebhookSecret } from '../core/secret';
import type { ChallengeResponse, ChallengeStrategy } from '../core/challenge-strategy';
import { assertChallengeCannotSign, challengeContextFor } from '../core/challenges/computed-token';
import type { SignatureVerification } from '../core/signature-scheme';
import { handshakeSecretAction, isChallengeRequest, sharedSecretMessage } from '../core/delivery/challenge';
import { copyOutcome, dedupeKeyOf } from '../core/delivery/dedupe';
import { isParsedMediaType } from '../core/delivery/media-types';
import { deliveryPayload } from '../core/delivery/payload';
import { missingRawBodyRefusal, refusalOf, verifyWithSchemes } from '../core/delivery/verification';
import {
  DeliveryInProgressError,
  EventLog,
  EventLogUnavailableError,
  type WebhookEventStatus,
} from '../storage/event-log.interface';
import { SecretStore, SecretStoreError } from '../storage/secret-store.interface';
import { namedSecretKey } from './webhook-storage-parts';
import type { ResolvedEndpoint, ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG } from './webhook.constants';
import type { IncomingWebhook } from './http-request';
import { RuntimeEndpoints } from './runtime-endpoints';
import { findNamedKeyOracle, findSharedChallengeSecret } from './shared-challenge-secret';
import { DeclarativeChallengeStrategy } from '../core/challenges/declarative/declarative-challenge.strategy';
import type { VerifiedWebhook, WebhookOutcome } from './verified-webhook';
import { WEBHOOK_METRICS, type WebhookDeliveryOutcome, type WebhookMetrics } from './webhook-metrics';
import { endSpan, spanContextOf, startSpan, type HookwardenSpan } from '../core/tracing';
import { toEventRecord } from './event-record';
import { readEventType } from './event-type';

export { findSharedChallengeSecret };
export type { VerifiedWebhook, WebhookOutcome };

/**
 * The token of the in-progress lease a delivery holds, on the delivery itself (not enumerable, so
 * the handler's object looks as before): `acknowledge`/`release` settle only that lease, never a
 * copy's takeover after it ran out.
 */
const LEASE_TOKEN = Symbol('hookwarden.leaseToken');

/**
 * Lease tokens: unique, not secret (they never leave the server), so a random prefix per process
 * and a counter, where 16 random bytes per request cost ~4 µs of system calls.
 */
const LEASE_PREFIX = randomBytes(12).toString('base64url') + '.';
let leaseCounter = 0;

function leaseTokenOf(delivery: VerifiedWebhook): string | undefined {
  return (delivery as { [LEASE_TOKEN]?: string })[LEASE_TOKEN];
}

/**
 * The whole verification of one request, independent of HTTP frameworks: the guard calls it, and
 * so can a queue consumer that verifies a stored request later (pass its `receivedAt`).
 * @publicApi
 */
@Injectable()
export class WebhookVerifier implements OnApplicationBootstrap {
  private readonly logger = new Logger('Hookwarden');

  constructor(
    @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
    @Inject(SecretStore) private readonly secrets: SecretStore,
    @Inject(EventLog) private readonly eventLog: EventLog,
    // Endpoints defined at run time (admin API), looked up after those of the options.
    @Optional() @Inject(RuntimeEndpoints) private readonly runtime?: RuntimeEndpoints,
    // Present only with the `metrics` extra.
    @Optional() @Inject(WEBHOOK_METRICS) private readonly metrics?: WebhookMetrics,
    // Asynchronous processing (the inbox by default): the work of an accepted delivery, written with its row.
    @Optional() @Inject(WebhookDispatch) private readonly dispatch?: WebhookDispatch,
  ) {
    // A challenge answered with an HMAC of the signing secret must never be a delivery signature:
    // refuse to start when a scheme of the endpoint cannot rule that out (Mailgun, unknown schemes).
    for (const endpoint of config.endpoints.values()) {
      if (endpoint.challenge) assertChallengeCannotSign(endpoint.name, endpoint.schemes, endpoint.challenge);
    }
  }

  /**
   * The same oracle across endpoints: a challenge keyed with this endpoint's signing secret must not
   * be keyed with the secret of another endpoint whose scheme may accept its answer (Mailgun). The
   * secrets live in the store, so this is checked once it is ready, and again before every computed
   * answer (route strategies, secrets rotated in later).
   */
  async onApplicationBootstrap(): Promise<void> {
    const problems: string[] = [];
    for (const endpoint of this.config.endpoints.values()) {
      if (endpoint.challenge?.computesWithSigningSecret !== true) continue;
      const secrets = await this.secrets.getLiveSecrets(endpoint.name);
      const other = await findSharedChallengeSecret(this.config, this.secrets, endpoint.name, secrets, true);
      if (other !== undefined) problems.push(sharedSecretMessage(endpoint.name, other));
    }
    if (problems.length > 0) throw new WebhookConfigurationError(problems.join('\n'));
  }

  /** A challenge answer that would be a delivery signature of `other`: refused, and logged. */
  private refuseOracle(endpoint: ResolvedEndpoint, other: string | undefined): void {
    if (other === undefined) return;
    this.logger.error(sharedSecretMessage(endpoint.name, other));
    throw new WebhookVerificationError(
      WebhookErrorCode.InvalidChallenge,
      'This challenge cannot be answered safely with the current secrets; see the server log.',
    );
  }

  /** Strategies given to a route (`@WebhookChallenge(strategy)`) already checked against an endpoint. */
  private readonly checkedStrategies = new WeakMap<ChallengeStrategy, Set<string>>();

  /** The endpoint of that name; an unknown name is a configuration error. */
  endpoint(name: string): ResolvedEndpoint {
    const endpoint = this.config.endpoints.get(name) ?? this.runtime?.get(name);
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
    const span = startSpan('hookwarden.verify', {
      'hookwarden.endpoint': endpoint.name,
      'hookwarden.provider': endpoint.provider,
    });
    try {
      const outcome = await this.verifyAndRecord(endpoint, incoming, receivedAt, span);
      this.metrics?.delivery(endpoint.name, endpoint.provider, outcome.status);
      endSpan(span, { 'hookwarden.outcome': outcome.status });
      return outcome;
    } catch (error) {
      const [outcome, code] = failureOf(error);
      this.metrics?.delivery(endpoint.name, endpoint.provider, outcome, code);
      endSpan(span, { 'hookwarden.outcome': outcome, 'hookwarden.code': code }, true);
      throw error;
    }
  }

  private async verifyAndRecord(
    endpoint: ResolvedEndpoint,
    incoming: IncomingWebhook,
    receivedAt: number,
    span: HookwardenSpan,
  ): Promise<WebhookOutcome> {
    let verification: SignatureVerification;
    const started = this.metrics ? performance.now() : 0;
    try {
      if (incoming.rawBody === undefined) {
        throw missingRawBodyRefusal(isParsedMediaType(incoming.headers['content-type']));
      }
      const secrets = await this.secrets.getLiveSecrets(endpoint.name);
      // Keys the provider publishes are fetched first; verifying itself stays synchronous.
      for (const scheme of endpoint.schemes)
        if (scheme.prepare) await scheme.prepare(incoming as WebhookRequest, secrets);
      verification = verifyWithSchemes(endpoint.schemes, incoming as WebhookRequest, secrets, receivedAt);
    } catch (error) {
      const rejection = this.asVerificationError(error, endpoint);
      this.recordRejection(endpoint, incoming, rejection.code, receivedAt);
      throw rejection;
    } finally {
      if (this.metrics) this.metrics.verified(endpoint.name, endpoint.provider, (performance.now() - started) / 1000);
    }
    if (verification.secretVersion !== undefined) this.secrets.markUsed?.(endpoint.name, verification.secretVersion);

    // Where the provider sends no id, what it signed is the key: a byte-identical replay is a duplicate.
    const dedupeKey = dedupeKeyOf(endpoint, verification, incoming.rawBody!);
    // Read once: the record's label and the inbox's routing are the same value.
    const eventType = readEventType(endpoint.eventType, incoming);
    const delivery: VerifiedWebhook = {
      endpoint: endpoint.name,
      provider: endpoint.provider,
      id: verification.messageId,
      dedupeKey,
      eventType,
      timestamp: verification.signedAt,
      payload: deliveryPayload(incoming),
      rawBody: incoming.rawBody!,
      secretVersion: verification.secretVersion,
      receivedAt: new Date(receivedAt),
    };
    const leaseToken = LEASE_PREFIX + (++leaseCounter).toString(36);
    Object.defineProperty(delivery, LEASE_TOKEN, { value: leaseToken });
    const work = this.dispatch?.plan(endpoint, delivery, incoming);
    // The storage span: the group-commit batch that writes the row links to it.
    const storing = startSpan('hookwarden.event_log.record', {}, span);
    let status: WebhookEventStatus;
    try {
      status = await this.eventLog.record(
        toEventRecord(endpoint, incoming, receivedAt, 'accepted', verification, {
          messageId: dedupeKey,
          eventType,
          leaseToken,
          traceContext: spanContextOf(storing),
          work,
        }),
      );
      endSpan(storing, { 'hookwarden.outcome': status });
    } catch (error) {
      endSpan(storing, { 'hookwarden.code': failureOf(error)[1] }, true);
      throw error;
    }
    if (status === 'duplicate' && dedupeKey !== undefined && this.eventLog.resolveDuplicate) {
      const outcome = copyOutcome(await this.eventLog.resolveDuplicate(endpoint.name, dedupeKey, leaseToken));
      if (outcome === 'in_progress') throw new DeliveryInProgressError();
      return { status: outcome, delivery };
    }
    return { status: status === 'duplicate' ? 'duplicate' : 'accepted', delivery };
  }

  /**
   * Marks a delivery as acknowledged (its handler succeeded, the 2xx is going out), so later copies
   * are answered as duplicates. The guard calls it before the 2xx; call it yourself when you use
   * `verify()` without the guard. Never rejects.
   */
  async acknowledge(delivery: VerifiedWebhook): Promise<void> {
    await this.settleAcknowledged(delivery);
  }

  /**
   * `acknowledge` without a promise where the event log settles at once (in memory), so the guard's
   * 2xx goes out in the same turn; otherwise the event log's promise, which never rejects.
   * @internal
   */
  settleAcknowledged(delivery: VerifiedWebhook): Promise<void> | void {
    // Only the key the delivery was recorded under: `id` may be an unsigned header anyone chose.
    const key = delivery.dedupeKey;
    if (key === undefined || !this.eventLog.acknowledge) return;
    try {
      const settling = this.eventLog.acknowledge(delivery.endpoint, key, leaseTokenOf(delivery));
      if (!settling) return this.dispatch?.acknowledged?.(delivery);
      return settling.then(() => this.dispatch?.acknowledged?.(delivery)).catch(() => this.notAcknowledged(delivery));
    } catch {
      return this.notAcknowledged(delivery);
    }
  }

  private notAcknowledged(delivery: VerifiedWebhook): void {
    // The copies stay "in progress" until the lease ends, then one of them is handled again.
    this.logger.warn(`Could not mark a handled delivery on "${delivery.endpoint}" as acknowledged.`);
  }

  /**
   * Withdraws the acceptance of a delivery that was not acknowledged (its handler failed), so the
   * provider's retry is handled again instead of answered as a duplicate. Never rejects.
   */
  async release(delivery: VerifiedWebhook, reason = 'handler_failed'): Promise<void> {
    const key = delivery.dedupeKey;
    if (key === undefined || !this.eventLog.release) return;
    try {
      await this.eventLog.release(delivery.endpoint, key, reason, leaseTokenOf(delivery));
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
    if (!isChallengeRequest(strategy, incoming)) return undefined;
    const request: WebhookRequest = incoming;
    this.assertStrategyCannotSign(endpoint, strategy);

    let answer: ChallengeResponse;
    let verification: SignatureVerification = {};
    // A handshake that hands over the signing secret (Asana's header, Notion's body token) is
    // recorded without its body, answered or refused.
    const handsOverSecret = strategy.deliveredSecret?.(request) !== undefined;
    try {
      const secrets = await this.secrets.getLiveSecrets(endpoint.name);
      if (strategy.signed) {
        verification = verifyWithSchemes(endpoint.schemes, request, secrets, receivedAt);
      } else {
        // An unsigned challenge still comes from where deliveries come from: the address and
        // certificate checks of the endpoint apply to it as to a delivery.
        for (const check of endpoint.connectionChecks) check.verify(request, secrets, { receivedAt });
      }
      const namedSecrets: Record<string, readonly WebhookSecret[]> = {};
      for (const name of strategy.secretNames ?? []) {
        namedSecrets[name] = await this.secrets.getLiveSecrets(namedSecretKey(endpoint.name, name));
      }
      // Keys however they got there (configured, rotated, written by another tool): checked again here.
      const computedNamed = strategy instanceof DeclarativeChallengeStrategy ? strategy.computesWithNamedSecrets : [];
      if (strategy.computesWithSigningSecret === true || computedNamed.length > 0) {
        // Run-time endpoints count too (their secrets are in the same store).
        const all = this.runtime?.withRuntime() ?? this.config;
        if (strategy.computesWithSigningSecret === true) {
          this.refuseOracle(endpoint, await findSharedChallengeSecret(all, this.secrets, endpoint.name, secrets, true));
        }
        for (const name of computedNamed) {
          const keys = namedSecrets[name] ?? [];
          this.refuseOracle(endpoint, await findNamedKeyOracle(all, this.secrets, endpoint.name, keys));
        }
      }
      // Only a strategy that declares computing with the signing secret is given it.
      const context = challengeContextFor(strategy, { endpoint: endpoint.name, secrets, namedSecrets, receivedAt });
      answer = strategy.respond(request, context);
      const delivered = strategy.deliveredSecret?.(request);
      if (delivered !== undefined) await this.storeDeliveredSecret(endpoint, delivered, secrets.length > 0);
    } catch (error) {
      if (error instanceof EventLogUnavailableError) {
        this.metrics?.challenge(endpoint.name, endpoint.provider, 'unavailable', WebhookErrorCode.StorageUnavailable);
        throw error;
      }
      const rejection = this.asVerificationError(error, endpoint);
      this.metrics?.challenge(endpoint.name, endpoint.provider, 'rejected', rejection.code);
      this.recordRejection(endpoint, incoming, rejection.code, receivedAt, !handsOverSecret);
      throw rejection;
    }
    // Acknowledged only once recorded, like a delivery: an unavailable log answers 503.
    const record = toEventRecord(endpoint, incoming, receivedAt, 'challenge', verification, {
      eventType: readEventType(endpoint.eventType, incoming),
    });
    try {
      await this.eventLog.record(handsOverSecret ? { ...record, storeBody: false } : record);
    } catch (error) {
      this.metrics?.challenge(endpoint.name, endpoint.provider, 'unavailable', failureOf(error)[1]);
      throw error;
    }
    this.metrics?.challenge(endpoint.name, endpoint.provider, 'answered');
    return answer;
  }

  /** The start-up check for a route's own strategy, made once per endpoint before its first answer. */
  private assertStrategyCannotSign(endpoint: ResolvedEndpoint, strategy: ChallengeStrategy): void {
    let checked = this.checkedStrategies.get(strategy);
    if (checked?.has(endpoint.name)) return;
    assertChallengeCannotSign(endpoint.name, endpoint.schemes, strategy);
    if (!checked) this.checkedStrategies.set(strategy, (checked = new Set()));
    checked.add(endpoint.name);
  }

  /** Stores the secret a handshake hands over, refusing to replace a live one unless allowed. */
  private async storeDeliveredSecret(endpoint: ResolvedEndpoint, secret: string, hasSecret: boolean): Promise<void> {
    const refused = () =>
      new WebhookVerificationError(
        WebhookErrorCode.HandshakeRefused,
        `Endpoint "${endpoint.name}" already has a signing secret; a new handshake may not replace it ` +
          '(set allowSecretReplacement on the endpoint to allow it).',
      );
    const action = handshakeSecretAction(
      hasSecret,
      endpoint.allowSecretReplacement === true,
      !!this.secrets.addFirstSecret,
    );
    if (action === 'refuse') throw refused();
    let stored = true;
    try {
      if (action === 'add_first') {
        // "No secret yet?" was read above, before other awaits: concurrent handshakes all see "none".
        // The store decides again, atomically, so exactly one of them wins.
        stored = (await this.secrets.addFirstSecret!(endpoint.name, secret)) !== undefined;
      } else {
        // The old secret stops at once: the provider signs with the new one from now on.
        await this.secrets.addSecret(endpoint.name, secret, { gracePeriodSeconds: 0 });
      }
    } catch (error) {
      if (error instanceof SecretStoreError) {
        throw new WebhookVerificationError(WebhookErrorCode.InvalidChallenge, 'The handshake secret was refused.');
      }
      // The provider retries a handshake that was not answered, so a store outage is a 503.
      throw new EventLogUnavailableError('The webhook secret store is unavailable.');
    }
    if (!stored) throw refused();
  }

  /** Any other failure inside a scheme fails closed as a rejection, never as a 500. */
  private asVerificationError(error: unknown, endpoint: ResolvedEndpoint): WebhookVerificationError {
    const { rejection, unexpected } = refusalOf(error);
    if (unexpected) {
      // By class only: another error's message may quote the request. A setup error's text is ours.
      const detail = error instanceof WebhookConfigurationError ? `: ${error.message}` : '';
      this.logger.error(
        `Verification for endpoint "${endpoint.name}" failed unexpectedly: ${(error as Error)?.name ?? 'error'}${detail}`,
      );
    }
    return rejection;
  }

  private recordRejection(
    endpoint: ResolvedEndpoint,
    incoming: IncomingWebhook,
    reason: string,
    receivedAt: number,
    storeBody = true,
  ): void {
    const made = toEventRecord(endpoint, incoming, receivedAt, 'rejected', {}, { reason });
    const record = storeBody ? made : { ...made, storeBody: false };
    // A rejection is answered at once: its record must not wait on, or fail, the answer.
    this.eventLog.record(record).catch(() => this.logger.warn(`Could not record a rejected request (${reason}).`));
  }
}

export type { WebhookEventStatus };

/** A failed verification's outcome label and catalogue code (never a message). */
function failureOf(error: unknown): [WebhookDeliveryOutcome, string] {
  if (error instanceof WebhookVerificationError) return ['rejected', error.code];
  if (error instanceof DeliveryInProgressError) return ['in_progress', WebhookErrorCode.DeliveryInProgress];
  if (error instanceof EventLogUnavailableError) return ['unavailable', WebhookErrorCode.StorageUnavailable];
  return ['rejected', WebhookErrorCode.EndpointMisconfigured];
}
