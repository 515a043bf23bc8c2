import { WEBHOOK_METRICS, type WebhookMetrics } from '../nest/webhook-metrics';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { redactHeaders } from '../core/redact';
import { validateSigningSecret, type ResolvedEndpoint, type ResolvedWebhookConfig } from '../nest/webhook-config';
import { WEBHOOK_CONFIG } from '../nest/webhook.constants';
import { WebhookException } from '../nest/webhook.exceptions';
import {
  computesWithNamedSecret,
  findNamedChallengeKey,
  findNamedKeyOracle,
  sharedSecretConflict,
} from '../nest/shared-challenge-secret';
import { findSharedChallengeSecret } from '../nest/webhook-verifier.service';
import { WEBHOOK_ERRORS } from '../core/errors';
import { namedSecretKey } from '../nest/webhook-storage-parts';
import { AuditLog } from '../storage/audit-log.interface';
import { EventLogReader, InvalidCursorError, type WebhookEventStatus } from '../storage/event-log.interface';
import { DEFAULT_GRACE_PERIOD_SECONDS, SecretStore, SecretStoreError } from '../storage/secret-store.interface';
import { actorOf } from './admin-actor';
import type {
  ListWebhookEventsQueryDto,
  RotateWebhookSecretDto,
  WebhookEndpointView,
  WebhookEventDetailView,
  WebhookEventPageView,
  WebhookRotatedSecretView,
  WebhookSecretNameQueryDto,
  WebhookSecretVersionView,
} from './admin.dto';
import { toSecretView, toSummary } from './webhook-admin.views';
import { WebhookEndpointsAdminService } from './webhook-endpoints-admin.service';

// Every SecretStoreError code is in the catalogue, which gives its status.
const SECRET_STORE_STATUS: Record<SecretStoreError['code'], number> = {
  unknown_version: WEBHOOK_ERRORS.unknown_version.status,
  too_many_versions: WEBHOOK_ERRORS.too_many_versions.status,
  invalid_grace_period: WEBHOOK_ERRORS.invalid_grace_period.status,
  invalid_secret: WEBHOOK_ERRORS.invalid_secret.status,
};

/**
 * What the admin routes do (the controller holds the routes, their validation and documentation):
 * look up endpoints and secrets, rotate and revoke, list and read events, and audit each call.
 * @internal
 */
@Injectable()
export class WebhookAdminService {
  constructor(
    @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
    @Inject(SecretStore) private readonly secrets: SecretStore,
    @Inject(EventLogReader) private readonly events: EventLogReader,
    @Inject(AuditLog) private readonly audit: AuditLog,
    // Run-time endpoints (enabled or not) have the same secret routes.
    @Optional() @Inject(WebhookEndpointsAdminService) private readonly runtime?: WebhookEndpointsAdminService,
    @Optional() @Inject(WEBHOOK_METRICS) private readonly metrics?: WebhookMetrics,
  ) {}

  async listEndpoints(request: unknown): Promise<WebhookEndpointView[]> {
    const views: WebhookEndpointView[] = [];
    for (const endpoint of this.config.endpoints.values()) {
      const namedSecrets = [];
      for (const name of declaredSecretNames(endpoint)) {
        namedSecrets.push({ name, liveSecretVersions: await this.liveVersions(namedSecretKey(endpoint.name, name)) });
      }
      views.push({
        name: endpoint.name,
        provider: endpoint.provider,
        schemes: endpoint.schemes.map((s) => s.name),
        challenge: endpoint.challenge?.kind ?? null,
        liveSecretVersions: await this.liveVersions(endpoint.name),
        namedSecrets,
      });
    }
    // Then the endpoints defined at run time, with their own fields (`source: 'runtime'`, …).
    if (this.runtime) views.push(...(await this.runtime.list()));
    await this.record(request, 'endpoints.list');
    return views;
  }

  async rotate(
    name: string,
    query: WebhookSecretNameQueryDto,
    body: RotateWebhookSecretDto,
    request: unknown,
  ): Promise<WebhookRotatedSecretView> {
    const endpoint = this.endpoint(name);
    const key = this.secretKey(endpoint, query.name);
    const generated = body.secret === undefined;
    const secret = body.secret ?? generateSecret(endpoint, query.name);
    if (!generated && query.name === undefined) validateSecret(endpoint, secret);
    if (query.name === undefined) await this.refuseSharedChallengeSecret(endpoint, secret);
    // A named secret the challenge computes its answers with: checked against every signing secret.
    else if (computesWithNamedSecret(endpoint, query.name))
      await this.refuseSharedChallengeSecret(endpoint, secret, true);
    const info = await this.secretOperation(() =>
      this.secrets.addSecret(key, secret, { gracePeriodSeconds: body.gracePeriodSeconds }),
    );
    this.metrics?.secretChanged(endpoint.name, 'rotate');
    await this.record(request, 'secret.rotate', endpoint.name, info.version, {
      ...(query.name !== undefined ? { secretName: query.name } : {}),
      generated,
      gracePeriodSeconds: body.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS,
    });
    return { version: info.version, ...(generated ? { secret } : {}), createdAt: info.createdAt.toISOString() };
  }

  async listSecrets(
    name: string,
    query: WebhookSecretNameQueryDto,
    request: unknown,
  ): Promise<WebhookSecretVersionView[]> {
    const endpoint = this.endpoint(name);
    const key = this.secretKey(endpoint, query.name);
    const now = Date.now();
    const versions = (await this.secrets.listSecrets(key)).map((v) => toSecretView(v, now));
    await this.record(request, 'secret.list', endpoint.name, undefined, secretNameDetails(query));
    return versions;
  }

  async revoke(name: string, versionText: string, query: WebhookSecretNameQueryDto, request: unknown): Promise<void> {
    const endpoint = this.endpoint(name);
    const key = this.secretKey(endpoint, query.name);
    if (!/^[1-9][0-9]{0,8}$/.test(versionText)) {
      throw new WebhookException('unknown_version', `Endpoint "${endpoint.name}" has no such secret version.`, 404);
    }
    const version = Number(versionText);
    await this.secretOperation(() => this.secrets.revokeSecret(key, version));
    this.metrics?.secretChanged(endpoint.name, 'revoke');
    await this.record(request, 'secret.revoke', endpoint.name, version, secretNameDetails(query));
  }

  async listEvents(query: ListWebhookEventsQueryDto, request: unknown): Promise<WebhookEventPageView> {
    const filters = {
      endpoint: query.endpoint,
      status: query.status as WebhookEventStatus | undefined,
      reason: query.reason,
      eventType: query.eventType,
      since: query.since ? new Date(query.since) : undefined,
      until: query.until ? new Date(query.until) : undefined,
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
    };
    let page;
    try {
      page = await this.events.list({ ...filters, cursor: query.cursor });
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new WebhookException('invalid_cursor', 'The cursor is not one this API returned.', 400);
      }
      throw error;
    }
    await this.record(request, 'events.list', query.endpoint, undefined, {
      filters: withoutUndefined({ ...filters, since: query.since, until: query.until }),
      count: page.items.length,
    });
    return { items: page.items.map(toSummary), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  async getEvent(id: string, request: unknown): Promise<WebhookEventDetailView> {
    const event = /^[A-Za-z0-9_-]{1,128}$/.test(id) ? await this.events.get(id) : undefined;
    if (!event) throw new WebhookException('unknown_event', 'No event has this id.', 404);
    await this.record(request, 'events.get', event.endpoint, undefined, { id: event.id });
    return {
      ...toSummary(event),
      // Stores redact before writing; redacting again costs nothing and protects custom stores.
      headers: redactHeaders(event.headers),
      bodyBase64: (event.body ?? Buffer.alloc(0)).toString('base64'),
      bodyTruncated: event.bodyTruncated ?? false,
    };
  }

  /**
   * A secret that another endpoint also holds may turn one endpoint's challenge answers into the other's
   * delivery signatures (SECURITY.md §13): refused before it is stored. `namedKey`: the secret is a
   * named key the endpoint's challenge computes its answers with, so its own signing secret counts too.
   */
  private async refuseSharedChallengeSecret(
    endpoint: ResolvedEndpoint,
    secret: string,
    namedKey = false,
  ): Promise<void> {
    const all = this.runtime?.allEndpoints() ?? this.config;
    const other = await this.secretOperation(async () =>
      namedKey
        ? findNamedKeyOracle(all, this.secrets, endpoint.name, [secret])
        : // A signing secret: also not a named key a challenge computes its answers with.
          ((await findSharedChallengeSecret(all, this.secrets, endpoint.name, [secret])) ??
          (await findNamedChallengeKey(all, this.secrets, endpoint.name, [secret]))),
    );
    if (other !== undefined) throw sharedSecretConflict(other);
  }

  private endpoint(name: string): ResolvedEndpoint {
    const endpoint = this.config.endpoints.get(name) ?? this.runtime?.resolve(name);
    if (!endpoint) throw new WebhookException('unknown_endpoint', 'No webhook endpoint has this name.', 404);
    return endpoint;
  }

  /** The store key of the endpoint's signing secret, or of one of its declared named secrets. */
  private secretKey(endpoint: ResolvedEndpoint, secretName: string | undefined): string {
    if (secretName === undefined) return endpoint.name;
    const declared = declaredSecretNames(endpoint);
    if (!declared.includes(secretName)) {
      const known = declared.length ? `: ${declared.join(', ')}` : '; it declares none';
      throw new WebhookException(
        'unknown_secret_name',
        `Endpoint "${endpoint.name}" has no secret named "${secretName}"${known}.`,
        404,
      );
    }
    return namedSecretKey(endpoint.name, secretName);
  }

  private async liveVersions(key: string): Promise<number[]> {
    return (await this.secrets.getLiveSecrets(key)).map((s) => s.version).sort((a, b) => b - a);
  }

  private async secretOperation<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof SecretStoreError) {
        throw new WebhookException(error.code, error.message, SECRET_STORE_STATUS[error.code] ?? 400);
      }
      throw error;
    }
  }

  /**
   * Audits a read the console made itself (its pages list and show events as the API does), under
   * the API's action names, so that a read of stored bodies is audited whichever way it came.
   */
  recordConsoleRead(
    request: unknown,
    action: 'events.list' | 'events.get',
    endpoint: string | undefined,
    details: Record<string, unknown>,
  ): Promise<void> {
    return this.record(request, action, endpoint, undefined, { ...details, via: 'console' });
  }

  private record(
    request: unknown,
    action: string,
    endpoint?: string,
    secretVersion?: number,
    details?: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({ actor: actorOf(request), action, endpoint, secretVersion, details, at: new Date() });
  }
}

const DEFAULT_PAGE_SIZE = 50;

/** Challenge-only secrets an endpoint uses: those its challenge strategy reads and those it configures. */
function declaredSecretNames(endpoint: ResolvedEndpoint): string[] {
  return [...new Set([...(endpoint.challenge?.secretNames ?? []), ...Object.keys(endpoint.namedSecrets ?? {})])];
}

/** The audit details of a call about a named secret (none for the signing secret). */
function secretNameDetails(query: WebhookSecretNameQueryDto): Record<string, unknown> | undefined {
  return query.name !== undefined ? { secretName: query.name } : undefined;
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/**
 * A new secret: for the signing secret, in the provider's format (`generateSecret` of the
 * endpoint definition); otherwise, and for named secrets, 32 random bytes in hex.
 */
function generateSecret(endpoint: ResolvedEndpoint, secretName: string | undefined): string {
  if (secretName === undefined && endpoint.generateSecret) {
    try {
      return endpoint.generateSecret();
    } catch (error) {
      // The provider issues this one (a public key): there is nothing we could generate.
      throw new WebhookException('secret_required', (error as Error).message, 400);
    }
  }
  return randomBytes(32).toString('hex');
}

function validateSecret(endpoint: ResolvedEndpoint, secret: string): void {
  try {
    validateSigningSecret(endpoint, secret);
  } catch (error) {
    throw new WebhookException('invalid_secret', (error as Error).message, 400);
  }
}
