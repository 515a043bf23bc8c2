import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { WebhookConfigurationError, WebhookErrorCode, WebhookVerificationError } from '../core/errors';
import { redactHeaders, redactUrl } from '../core/redact';
import type { WebhookRequest } from '../core/request';
import type { WebhookSecret } from '../core/secret';
import type { ChallengeResponse, ChallengeStrategy } from '../core/challenge-strategy';
import { assertChallengeCannotSign, challengeContextFor } from '../core/challenges/computed-token';
import type { SignatureVerification } from '../core/signature-scheme';
import {
  DeliveryInProgressError,
  EventLog,
  EventLogUnavailableError,
  type WebhookEventRecord,
  type WebhookEventStatus,
} from '../storage/event-log.interface';
import { SecretStore, SecretStoreError } from '../storage/secret-store.interface';
import { namedSecretKey } from './webhook-storage-parts';
import type { ResolvedEndpoint, ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG } from './webhook.constants';
import type { IncomingWebhook } from './http-request';
import { isParsedMediaType } from './body-parsers';
import { unsupportedMediaType } from './webhook.exceptions';

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
  /**
   * What duplicates are recognised by: the provider's message id, or where it sends none,
   * `sha256:<hex>` of what its signature covers (the signed timestamp and the body; Twilio: the URL
   * and parameters), with the unsigned topic header of Shopify and GitHub. Absent where the endpoint
   * does not deduplicate content (Dropbox, Microsoft Graph) and the provider signs no id.
   */
  readonly dedupeKey?: string;
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

/**
 * The token of the in-progress lease a delivery holds, on the delivery itself (not enumerable, so
 * the handler's object looks as before): `acknowledge`/`release` settle only that lease, never a
 * copy's takeover after it ran out.
 */
const LEASE_TOKEN = Symbol('hookwarden.leaseToken');

function leaseTokenOf(delivery: VerifiedWebhook): string | undefined {
  return (delivery as { [LEASE_TOKEN]?: string })[LEASE_TOKEN];
}

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
export class WebhookVerifier implements OnApplicationBootstrap {
  private readonly logger = new Logger('Hookwarden');

  constructor(
    @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
    @Inject(SecretStore) private readonly secrets: SecretStore,
    @Inject(EventLog) private readonly eventLog: EventLog,
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

  /** Strategies given to a route (`@WebhookChallenge(strategy)`) already checked against an endpoint. */
  private readonly checkedStrategies = new WeakMap<ChallengeStrategy, Set<string>>();

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
        // XML, multipart…: no parser keeps their bytes; a parsed type without them is a setup mistake.
        if (!isParsedMediaType(incoming.headers['content-type'])) throw unsupportedMediaType();
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

    // Where the provider sends no id, what it signed is the key: a byte-identical replay is a duplicate.
    const dedupeKey = dedupeKeyOf(endpoint, verification, incoming.rawBody!);
    const delivery: VerifiedWebhook = {
      endpoint: endpoint.name,
      provider: endpoint.provider,
      id: verification.messageId,
      dedupeKey,
      timestamp: verification.signedAt,
      payload: payloadOf(incoming),
      rawBody: incoming.rawBody!,
      secretVersion: verification.secretVersion,
      receivedAt: new Date(receivedAt),
    };
    const leaseToken = randomBytes(16).toString('base64url');
    Object.defineProperty(delivery, LEASE_TOKEN, { value: leaseToken });
    const status = await this.eventLog.record({
      ...this.toRecord(endpoint, incoming, receivedAt, 'accepted', { ...verification, messageId: dedupeKey }),
      leaseToken,
    });
    if (status === 'duplicate' && dedupeKey !== undefined && this.eventLog.resolveDuplicate) {
      // A copy is acknowledged only once the first acceptance was: until then its handler may
      // still fail and be released, and a 2xx here would have told the provider to stop retrying.
      const state = await this.eventLog.resolveDuplicate(endpoint.name, dedupeKey, leaseToken);
      if (state === 'in_progress') throw new DeliveryInProgressError();
      if (state === 'claimed') return { status: 'accepted', delivery };
    }
    return { status: status === 'duplicate' ? 'duplicate' : 'accepted', delivery };
  }

  /**
   * Marks a delivery as acknowledged (its handler succeeded, the 2xx is going out), so later copies
   * are answered as duplicates. The guard calls it before the 2xx; call it yourself when you use
   * `verify()` without the guard. Never rejects.
   */
  async acknowledge(delivery: VerifiedWebhook): Promise<void> {
    // Only the key the delivery was recorded under: `id` may be an unsigned header anyone chose.
    const key = delivery.dedupeKey;
    if (key === undefined || !this.eventLog.acknowledge) return;
    try {
      await this.eventLog.acknowledge(delivery.endpoint, key, leaseTokenOf(delivery));
    } catch {
      // The copies stay "in progress" until the lease ends, then one of them is handled again.
      this.logger.warn(`Could not mark a handled delivery on "${delivery.endpoint}" as acknowledged.`);
    }
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
    // Without the raw bytes nothing can be detected safely; the delivery path reports the fix.
    if (incoming.rawBody === undefined) return undefined;
    const request = incoming as WebhookRequest;
    if (!detects(strategy, request)) return undefined;
    this.assertStrategyCannotSign(endpoint, strategy);

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
      if (strategy.computesWithSigningSecret === true) {
        const other = await findSharedChallengeSecret(this.config, this.secrets, endpoint.name, secrets, true);
        if (other !== undefined) {
          this.logger.error(sharedSecretMessage(endpoint.name, other));
          throw new WebhookVerificationError(
            WebhookErrorCode.InvalidChallenge,
            'This challenge cannot be answered safely with the current secrets; see the server log.',
          );
        }
      }
      // Only a strategy that declares computing with the signing secret is given it.
      const context = challengeContextFor(strategy, { endpoint: endpoint.name, secrets, namedSecrets, receivedAt });
      answer = strategy.respond(request, context);
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
    if (hasSecret && !endpoint.allowSecretReplacement) throw refused();
    let stored = true;
    try {
      if (!endpoint.allowSecretReplacement && this.secrets.addFirstSecret) {
        // "No secret yet?" was read above, before other awaits: concurrent handshakes all see "none".
        // The store decides again, atomically, so exactly one of them wins.
        stored = (await this.secrets.addFirstSecret(endpoint.name, secret)) !== undefined;
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
        unsignedMessageId: merged.messageId === undefined ? result.unsignedMessageId : merged.unsignedMessageId,
        signedAt: merged.signedAt ?? result.signedAt,
        signedContentKey: merged.signedContentKey ?? result.signedContentKey,
        unsignedEventType: merged.unsignedEventType ?? result.unsignedEventType,
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
    return new WebhookVerificationError(WebhookErrorCode.VerificationFailed, 'The request could not be verified.');
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

/** Whether the endpoint's configured challenge computes answers with its signing secret. */
function computesWithSigningSecret(endpoint: ResolvedEndpoint): boolean {
  return endpoint.challenge?.computesWithSigningSecret === true;
}

/** Whether a scheme of the endpoint may accept a computed challenge answer as a signature (Mailgun, custom). */
function acceptsChallengeAnswers(endpoint: ResolvedEndpoint): boolean {
  return endpoint.schemes.some((scheme) => scheme.requiresSecret && scheme.refusesChallengeAnswers !== true);
}

function fingerprint(secret: string | Buffer): Buffer {
  return createHash('sha256').update(secret).digest();
}

/**
 * The name of another endpoint that holds one of `secrets` while the pair forms a signing oracle: one
 * side answers challenges with an HMAC of its signing secret (`computes`, or its configured challenge
 * does), the other has a scheme that does not declare `refusesChallengeAnswers`. Secrets are compared
 * by SHA-256 fingerprint in constant time. `undefined` when there is none. The admin API calls it
 * before a rotation stores a secret.
 * @internal
 */
export async function findSharedChallengeSecret(
  config: ResolvedWebhookConfig,
  store: Pick<SecretStore, 'getLiveSecrets'>,
  endpointName: string,
  secrets: ReadonlyArray<WebhookSecret | string | Buffer>,
  computes = false,
): Promise<string | undefined> {
  const self = config.endpoints.get(endpointName);
  if (!self || secrets.length === 0) return undefined;
  const selfComputes = computes || computesWithSigningSecret(self);
  const selfAccepts = acceptsChallengeAnswers(self);
  if (!selfComputes && !selfAccepts) return undefined;
  const mine = secrets.map((secret) =>
    fingerprint(typeof secret === 'string' || Buffer.isBuffer(secret) ? secret : secret.value),
  );
  for (const other of config.endpoints.values()) {
    if (other.name === endpointName) continue;
    const pairs = (selfComputes && acceptsChallengeAnswers(other)) || (selfAccepts && computesWithSigningSecret(other));
    if (!pairs) continue;
    let shared = false;
    for (const secret of await store.getLiveSecrets(other.name)) {
      const theirs = fingerprint(secret.value);
      // Every pair is compared, so the time says nothing about which one matched.
      for (const candidate of mine) shared = timingSafeEqual(candidate, theirs) || shared;
    }
    if (shared) return other.name;
  }
  return undefined;
}

function sharedSecretMessage(endpoint: string, other: string): string {
  return (
    `Webhook endpoints "${endpoint}" and "${other}" share a signing secret, and a challenge answer of one ` +
    '(an HMAC keyed with that secret) could pass as a delivery signature of the other, whose scheme does not ' +
    'declare refusesChallengeAnswers. Give each endpoint its own secret.'
  );
}

/** `detect` must never throw; one that does is a strategy bug, treated as "not a challenge". */
function detects(strategy: ChallengeStrategy, request: WebhookRequest): boolean {
  try {
    return strategy.detect(request) === true;
  } catch {
    return false;
  }
}

/**
 * What duplicates are recognised by: a signed message id as is; otherwise (no id, or an id header
 * anyone can rewrite) the scheme's key of the signed content (Twilio), else the SHA-256 of the signed
 * timestamp and the body — what every such scheme signs. The one unsigned value that enters it is the
 * event type of a provider that names it only in a header (Shopify's topic, GitHub's event): one body
 * under two topics is two events, and merging them would lose one. An endpoint that does not
 * deduplicate content (Dropbox, Microsoft Graph) keeps only a signed id; an unsigned id header is
 * never a key, or a replay carrying a future delivery's id would suppress that delivery.
 */
export function dedupeKeyOf(
  endpoint: Pick<ResolvedEndpoint, 'dedupeSignedContent'>,
  verification: SignatureVerification,
  rawBody: Buffer,
): string | undefined {
  if (verification.messageId !== undefined && verification.unsignedMessageId !== true) return verification.messageId;
  if (endpoint.dedupeSignedContent === false) return undefined;
  if (verification.signedContentKey !== undefined) return verification.signedContentKey;
  const signedAt = verification.signedAt === undefined ? '' : String(verification.signedAt.getTime() / 1000);
  // "<ts>\n" without an event type, "<ts>\t<type>\n" with one: the type (visible ASCII, validated by
  // the scheme) holds no tab or newline, so no two (type, body) pairs give the same hashed bytes.
  const head =
    verification.unsignedEventType === undefined ? `${signedAt}\n` : `${signedAt}\t${verification.unsignedEventType}\n`;
  return `sha256:${createHash('sha256').update(head).update(rawBody).digest('hex')}`;
}

/** The payload the handler sees: what the platform parsed, or the JSON it did not parse. */
function payloadOf(incoming: IncomingWebhook): unknown {
  // A form is read from the verified bytes with the parser the schemes use (URLSearchParams): the
  // platform's (qs, with brackets and nesting) could read other fields than were verified.
  if (isForm(incoming) && incoming.rawBody) return formFields(incoming.rawBody);
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

function isForm(incoming: IncomingWebhook): boolean {
  const type = incoming.headers['content-type'];
  return typeof type === 'string' && /^application\/x-www-form-urlencoded\s*(?:;|$)/i.test(type);
}

/** Fields by name (a repeated name gives every value, in order); no prototype, so any name is safe. */
function formFields(rawBody: Buffer): Record<string, string | string[]> {
  const fields = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    const previous = fields[name];
    // Appended in place: a body of many repeated names must cost linear time, not quadratic.
    if (previous === undefined) fields[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else fields[name] = [previous, value];
  }
  return fields;
}

function isJson(incoming: IncomingWebhook): boolean {
  const type = incoming.headers['content-type'];
  return typeof type === 'string' && /^application\/(?:[\w.+-]+\+)?json\b/i.test(type);
}

export type { WebhookEventStatus };
