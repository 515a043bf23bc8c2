import { randomBytes } from 'node:crypto';
import {
  Body,
  Catch,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Logger,
  Param,
  Post,
  Query,
  Req,
  UseFilters,
  UseGuards,
  UsePipes,
  ValidationPipe,
  type ArgumentMetadata,
  type ArgumentsHost,
  type CanActivate,
  type ExceptionFilter,
  type Type,
  type ValidationError,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { WEBHOOK_ERRORS, type WebhookCatalogueCode } from '../core/errors';
import { redactHeaders } from '../core/redact';
import { validateSigningSecret, type ResolvedEndpoint, type ResolvedWebhookConfig } from '../nest/webhook-config';
import { WEBHOOK_CONFIG } from '../nest/webhook.constants';
import { WebhookException } from '../nest/webhook.exceptions';
import { findSharedChallengeSecret } from '../nest/webhook-verifier.service';
import { namedSecretKey } from '../nest/webhook-storage-parts';
import { AuditLog } from '../storage/audit-log.interface';
import {
  EventLogReader,
  EventLogUnavailableError,
  InvalidCursorError,
  type StoredWebhookEvent,
  type WebhookEventStatus,
} from '../storage/event-log.interface';
import {
  DEFAULT_GRACE_PERIOD_SECONDS,
  SecretStore,
  SecretStoreError,
  type SecretVersionInfo,
} from '../storage/secret-store.interface';
import { ADMIN_ACTOR } from './admin-token.guard';
import { isStorageUnavailable, retryAfterSeconds } from './storage-unavailable';
import {
  WebhookEndpointView,
  WebhookAdminErrorView,
  WebhookEventDetailView,
  WebhookEventPageView,
  ListWebhookEventsQueryDto,
  RotateWebhookSecretDto,
  WebhookRotatedSecretView,
  WebhookSecretNameQueryDto,
  WebhookSecretVersionView,
  type WebhookEventSummaryView,
} from './admin.dto';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from './openapi';

/**
 * The admin DTOs' own validation: 400 `validation_failed` with each field's messages (never the
 * value). An app's global pipes run before it; their refusals get a code from AdminExceptionFilter.
 */
const validationFailed = (fields: Array<{ field: string; messages: string[] }>) =>
  new HttpException(
    {
      statusCode: 400,
      code: 'validation_failed',
      message: fields.flatMap((f) => f.messages).join('; ') || 'The request is not valid.',
      errors: fields,
    },
    400,
  );

/** Keys class-transformer skips silently, so `forbidNonWhitelisted` never sees them: refused by name. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * How deep a field's value may nest. The DTOs are flat (a field is a scalar; a wrong type nests a
 * level or two and is refused by its validator), and class-transformer copies nested values
 * recursively: a 10 KB body nested 5,000 levels overflowed the stack (a 500).
 */
const MAX_VALUE_DEPTH = 4;

/** Whether `value` nests deeper than `depth` more levels; never recurses past the bound. */
function nestsDeeperThan(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth === 0) return true;
  for (const item of Object.values(value)) if (nestsDeeperThan(item, depth - 1)) return true;
  return false;
}

/** The properties a DTO declares (those class-validator knows), cached per class. */
const declared = new WeakMap<object, ReadonlySet<string>>();
function declaredKeys(metatype: Type): ReadonlySet<string> {
  let keys = declared.get(metatype);
  if (!keys) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
    keys = new Set(metadata.map((m) => m.propertyName));
    declared.set(metatype, keys);
  }
  return keys;
}

class AdminValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A JSON body must be an object (or absent): `null`, arrays and scalars would validate as empty.
    if (
      metadata.type === 'body' &&
      value !== undefined &&
      (value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      throw validationFailed([{ field: 'body', messages: ['the body must be a JSON object'] }]);
    }
    if (value !== null && typeof value === 'object') {
      const forbidden = PROTOTYPE_KEYS.filter((key) => Object.prototype.hasOwnProperty.call(value, key));
      if (forbidden.length > 0) {
        throw validationFailed(forbidden.map((field) => ({ field, messages: [`property ${field} should not exist`] })));
      }
      // Before class-transformer sees it: unknown keys (whatever they hold) and deep values are
      // refused here, so nothing reaches its recursion nested deeper than MAX_VALUE_DEPTH.
      const dto = (metadata.type === 'body' || metadata.type === 'query') && metadata.metatype;
      if (dto && typeof dto === 'function' && dto !== Object) {
        const known = declaredKeys(dto as Type);
        const fields: Array<{ field: string; messages: string[] }> = [];
        for (const [key, item] of Object.entries(value)) {
          if (!known.has(key)) {
            // Never more than 64 characters of the name: the answer does not reflect a long key.
            const field = key.length > 64 ? `${key.slice(0, 64)}…` : key;
            fields.push({ field, messages: [`property ${field} should not exist`] });
          } else if (nestsDeeperThan(item, MAX_VALUE_DEPTH)) {
            fields.push({ field: key, messages: [`${key} is nested too deeply (it must be a single value)`] });
          }
          if (fields.length >= 10) break;
        }
        if (fields.length > 0) throw validationFailed(fields);
      }
    }
    return super.transform(value, metadata);
  }
}

const validation = new AdminValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors: ValidationError[]) =>
    validationFailed(errors.map((e) => ({ field: e.property, messages: Object.values(e.constraints ?? {}) }))),
});

// Every SecretStoreError code is in the catalogue, which gives its status.
const SECRET_STORE_STATUS: Record<SecretStoreError['code'], number> = {
  unknown_version: WEBHOOK_ERRORS.unknown_version.status,
  too_many_versions: WEBHOOK_ERRORS.too_many_versions.status,
  invalid_grace_period: WEBHOOK_ERRORS.invalid_grace_period.status,
  invalid_secret: WEBHOOK_ERRORS.invalid_secret.status,
};

/**
 * Builds the admin controller for one registration: a fresh class per prefix and guard, so two
 * apps in one process never share (or overwrite) route metadata.
 * @internal
 */
export function createWebhookAdminController(prefix: string, guard: Type<CanActivate>): Type {
  @ApiTags('webhooks-admin')
  @ApiBearerAuth()
  @ApiResponse({ status: 401, type: WebhookAdminErrorView, description: 'Missing, malformed or wrong admin token.' })
  @ApiResponse({
    status: 400,
    type: WebhookAdminErrorView,
    description: "validation_failed, with each field's messages.",
  })
  @Controller(prefix)
  @UseFilters(AdminExceptionFilter)
  @UseGuards(guard)
  @UsePipes(validation)
  class WebhookAdminController {
    constructor(
      @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
      @Inject(SecretStore) private readonly secrets: SecretStore,
      @Inject(EventLogReader) private readonly events: EventLogReader,
      @Inject(AuditLog) private readonly audit: AuditLog,
    ) {}

    @Get('endpoints')
    @ApiOperation({ summary: 'The configured endpoints, their live secret versions and named secrets.' })
    @ApiResponse({ status: 200, type: [WebhookEndpointView] })
    async listEndpoints(@Req() request: unknown): Promise<WebhookEndpointView[]> {
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
      await this.record(request, 'endpoints.list');
      return views;
    }

    @Post('endpoints/:endpoint/secrets')
    @HttpCode(201)
    @ApiOperation({
      summary: 'Rotate: add a secret version; the previous ones stay valid for the grace period.',
      description: 'Without `secret`, one is generated in the provider format and returned in this response only.',
    })
    @ApiParam({ name: 'endpoint', description: 'The endpoint name from the module options.' })
    @ApiResponse({ status: 201, type: WebhookRotatedSecretView })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_endpoint, unknown_secret_name.' })
    @ApiResponse({
      status: 409,
      type: WebhookAdminErrorView,
      description:
        'too_many_versions: revoke an older version first; shared_secret: another endpoint holds this secret and one of the two answers challenges with it.',
    })
    async rotate(
      @Param('endpoint') name: string,
      @Query() query: WebhookSecretNameQueryDto,
      @Body() body: RotateWebhookSecretDto,
      @Req() request: unknown,
    ): Promise<WebhookRotatedSecretView> {
      const endpoint = this.endpoint(name);
      const key = this.secretKey(endpoint, query.name);
      const generated = body.secret === undefined;
      const secret = body.secret ?? generateSecret(endpoint, query.name);
      if (!generated && query.name === undefined) validateSecret(endpoint, secret);
      if (query.name === undefined) await this.refuseSharedChallengeSecret(endpoint, secret);
      const info = await this.secretOperation(() =>
        this.secrets.addSecret(key, secret, { gracePeriodSeconds: body.gracePeriodSeconds }),
      );
      await this.record(request, 'secret.rotate', endpoint.name, info.version, {
        ...(query.name !== undefined ? { secretName: query.name } : {}),
        generated,
        gracePeriodSeconds: body.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS,
      });
      return { version: info.version, ...(generated ? { secret } : {}), createdAt: info.createdAt.toISOString() };
    }

    @Get('endpoints/:endpoint/secrets')
    @ApiOperation({ summary: 'The secret versions of an endpoint, with their status; never the secrets.' })
    @ApiParam({ name: 'endpoint', description: 'The endpoint name from the module options.' })
    @ApiResponse({ status: 200, type: [WebhookSecretVersionView] })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_endpoint, unknown_secret_name.' })
    async listSecrets(
      @Param('endpoint') name: string,
      @Query() query: WebhookSecretNameQueryDto,
      @Req() request: unknown,
    ): Promise<WebhookSecretVersionView[]> {
      const endpoint = this.endpoint(name);
      const key = this.secretKey(endpoint, query.name);
      const now = Date.now();
      const versions = (await this.secrets.listSecrets(key)).map((v) => toSecretView(v, now));
      await this.record(
        request,
        'secret.list',
        endpoint.name,
        undefined,
        query.name !== undefined ? { secretName: query.name } : undefined,
      );
      return versions;
    }

    @Delete('endpoints/:endpoint/secrets/:version')
    @HttpCode(204)
    @ApiOperation({ summary: 'Revoke a secret version now.' })
    @ApiParam({ name: 'endpoint', description: 'The endpoint name from the module options.' })
    @ApiParam({ name: 'version', description: 'The version to revoke (a positive integer).' })
    @ApiResponse({ status: 204, description: 'Revoked (also when it already was).' })
    @ApiResponse({
      status: 404,
      type: WebhookAdminErrorView,
      description: 'unknown_endpoint, unknown_secret_name, unknown_version.',
    })
    async revoke(
      @Param('endpoint') name: string,
      @Param('version') versionText: string,
      @Query() query: WebhookSecretNameQueryDto,
      @Req() request: unknown,
    ): Promise<void> {
      const endpoint = this.endpoint(name);
      const key = this.secretKey(endpoint, query.name);
      if (!/^[1-9][0-9]{0,8}$/.test(versionText)) {
        throw new WebhookException('unknown_version', `Endpoint "${endpoint.name}" has no such secret version.`, 404);
      }
      const version = Number(versionText);
      await this.secretOperation(() => this.secrets.revokeSecret(key, version));
      await this.record(
        request,
        'secret.revoke',
        endpoint.name,
        version,
        query.name !== undefined ? { secretName: query.name } : undefined,
      );
    }

    @Get('events')
    @ApiOperation({ summary: 'The event log, newest first, with keyset pagination.' })
    @ApiResponse({ status: 200, type: WebhookEventPageView })
    async listEvents(
      @Query() query: ListWebhookEventsQueryDto,
      @Req() request: unknown,
    ): Promise<WebhookEventPageView> {
      const filters = {
        endpoint: query.endpoint,
        status: query.status as WebhookEventStatus | undefined,
        reason: query.reason,
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

    @Get('events/:id')
    @ApiOperation({ summary: 'One event, with redacted headers and its stored body.' })
    @ApiParam({ name: 'id', description: 'The event id from the listing.' })
    @ApiResponse({ status: 200, type: WebhookEventDetailView })
    @ApiResponse({ status: 404, type: WebhookAdminErrorView, description: 'unknown_event.' })
    async getEvent(@Param('id') id: string, @Req() request: unknown): Promise<WebhookEventDetailView> {
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
     * delivery signatures (SECURITY.md §13): refused before it is stored.
     */
    private async refuseSharedChallengeSecret(endpoint: ResolvedEndpoint, secret: string): Promise<void> {
      const other = await this.secretOperation(() =>
        findSharedChallengeSecret(this.config, this.secrets, endpoint.name, [secret]),
      );
      if (other === undefined) return;
      throw new WebhookException(
        'shared_secret',
        `Endpoint "${other}" holds this secret too, and a challenge answer of one endpoint could pass as a ` +
          'delivery signature of the other. Give each endpoint its own secret.',
        409,
      );
    }

    private endpoint(name: string): ResolvedEndpoint {
      const endpoint = this.config.endpoints.get(name);
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
  return WebhookAdminController;
}

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

/** Codes for the HTTP exceptions that come without one (each in the catalogue, WEBHOOK_ERRORS). */
const HTTP_CODES: Readonly<Record<number, WebhookCatalogueCode>> = {
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

const DEFAULT_PAGE_SIZE = 50;

/** Challenge-only secrets an endpoint uses: those its challenge strategy reads and those it configures. */
function declaredSecretNames(endpoint: ResolvedEndpoint): string[] {
  return [...new Set([...(endpoint.challenge?.secretNames ?? []), ...Object.keys(endpoint.namedSecrets ?? {})])];
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** Who acted: the admin token, or the principal the app's own guard put on the request. */
function actorOf(request: unknown): string {
  const req = request as { [ADMIN_ACTOR]?: string; user?: Record<string, unknown> };
  if (req[ADMIN_ACTOR]) return req[ADMIN_ACTOR];
  const user = req.user;
  const id = user?.['id'] ?? user?.['sub'] ?? user?.['username'] ?? user?.['email'];
  return typeof id === 'string' || typeof id === 'number' ? `user:${id}`.slice(0, 200) : 'app-guard';
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

function toSecretView(info: SecretVersionInfo, now: number): WebhookSecretVersionView {
  const status = info.revokedAt
    ? 'revoked'
    : info.expiresAt
      ? info.expiresAt.getTime() > now
        ? 'expiring'
        : 'expired'
      : 'active';
  return {
    version: info.version,
    status,
    hint: info.hint,
    createdAt: info.createdAt.toISOString(),
    ...(info.expiresAt ? { expiresAt: info.expiresAt.toISOString() } : {}),
    ...(info.revokedAt ? { revokedAt: info.revokedAt.toISOString() } : {}),
    ...(info.lastUsedAt ? { lastUsedAt: info.lastUsedAt.toISOString() } : {}),
  };
}

function toSummary(event: StoredWebhookEvent): WebhookEventSummaryView {
  return {
    id: event.id,
    endpoint: event.endpoint,
    provider: event.provider,
    ...(event.messageId !== undefined ? { messageId: event.messageId } : {}),
    status: event.status,
    ...(event.reason !== undefined ? { reason: event.reason } : {}),
    receivedAt: event.receivedAt.toISOString(),
    ...(event.signedAt ? { signedAt: event.signedAt.toISOString() } : {}),
    ...(event.secretVersion !== undefined ? { secretVersion: event.secretVersion } : {}),
    method: event.method,
    path: event.path,
    bodySize: event.bodySize,
    bodySha256: event.bodySha256,
    ...(event.occurrences !== undefined ? { occurrences: event.occurrences } : {}),
  };
}
