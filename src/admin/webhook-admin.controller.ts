import { randomBytes } from 'node:crypto';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Param,
  Post,
  Query,
  Req,
  UseGuards,
  UsePipes,
  ValidationPipe,
  type CanActivate,
  type Type,
  type ValidationError,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { SignatureScheme } from '../core/signature-scheme';
import type { ResolvedEndpoint, ResolvedWebhookConfig } from '../nest/webhook-config';
import { WEBHOOK_CONFIG } from '../nest/webhook.constants';
import { WebhookException } from '../nest/webhook.exceptions';
import { AuditLog } from '../storage/audit-log.interface';
import {
  EventLogReader,
  InvalidCursorError,
  type StoredWebhookEvent,
  type WebhookEventStatus,
} from '../storage/event-log.interface';
import { SecretStore, SecretStoreError, type SecretVersionInfo } from '../storage/secret-store.interface';
import {
  EndpointView,
  EventDetailView,
  EventPageView,
  ListEventsQueryDto,
  RotateSecretDto,
  RotatedSecretView,
  SecretVersionView,
  type EventSummaryView,
} from './admin.dto';

/** Validation answers 400 with each field's messages, whatever the app's global pipes are. */
const validation = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors: ValidationError[]) => {
    const fields = errors.map((e) => ({ field: e.property, messages: Object.values(e.constraints ?? {}) }));
    return new HttpException(
      {
        statusCode: 400,
        code: 'validation_failed',
        message: fields.flatMap((f) => f.messages).join('; ') || 'The request is not valid.',
        errors: fields,
      },
      400,
    );
  },
});

const SECRET_STORE_STATUS: Record<SecretStoreError['code'], number> = {
  unknown_version: 404,
  too_many_versions: 409,
  invalid_grace_period: 400,
  invalid_secret: 400,
};

/**
 * Builds the admin controller for one registration: a fresh class per prefix and guard, so two
 * apps in one process never share (or overwrite) route metadata.
 * @internal
 */
export function createWebhookAdminController(prefix: string, guard: Type<CanActivate>): Type {
  @ApiTags('webhooks-admin')
  @ApiBearerAuth()
  @ApiResponse({ status: 401, description: 'Missing or wrong admin token.' })
  @Controller(prefix)
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
    @ApiOperation({ summary: 'The configured endpoints and their live secret versions.' })
    @ApiResponse({ status: 200, type: [EndpointView] })
    async listEndpoints(@Req() request: unknown): Promise<EndpointView[]> {
      const views: EndpointView[] = [];
      for (const endpoint of this.config.endpoints.values()) {
        const live = await this.secrets.getLiveSecrets(endpoint.name);
        views.push({
          name: endpoint.name,
          provider: endpoint.provider,
          schemes: endpoint.schemes.map((s) => s.name),
          challenge: challengeKind(endpoint),
          liveSecretVersions: live.map((s) => s.version).sort((a, b) => b - a),
        });
      }
      await this.record(request, 'endpoints.list');
      return views;
    }

    @Post('endpoints/:endpoint/secrets')
    @HttpCode(201)
    @ApiOperation({ summary: 'Rotate: add a secret version; the previous ones stay valid for the grace period.' })
    @ApiResponse({ status: 201, type: RotatedSecretView })
    @ApiResponse({ status: 404, description: 'Unknown endpoint.' })
    @ApiResponse({ status: 409, description: 'Too many live versions.' })
    async rotate(
      @Param('endpoint') name: string,
      @Body() body: RotateSecretDto,
      @Req() request: unknown,
    ): Promise<RotatedSecretView> {
      const endpoint = this.endpoint(name);
      const generated = body.secret === undefined;
      const secret = body.secret ?? generateSecret(endpoint);
      if (!generated) validateSecret(endpoint, secret);
      const info = await this.secretOperation(() =>
        this.secrets.addSecret(endpoint.name, secret, { gracePeriodSeconds: body.gracePeriodSeconds }),
      );
      await this.record(request, 'secret.rotate', endpoint.name, info.version, {
        generated,
        gracePeriodSeconds: body.gracePeriodSeconds ?? null,
      });
      return { version: info.version, ...(generated ? { secret } : {}), createdAt: info.createdAt.toISOString() };
    }

    @Get('endpoints/:endpoint/secrets')
    @ApiOperation({ summary: 'The secret versions of an endpoint, with their status; never the secrets.' })
    @ApiResponse({ status: 200, type: [SecretVersionView] })
    async listSecrets(@Param('endpoint') name: string, @Req() request: unknown): Promise<SecretVersionView[]> {
      const endpoint = this.endpoint(name);
      const now = Date.now();
      const versions = (await this.secrets.listSecrets(endpoint.name)).map((v) => toSecretView(v, now));
      await this.record(request, 'secret.list', endpoint.name);
      return versions;
    }

    @Delete('endpoints/:endpoint/secrets/:version')
    @HttpCode(204)
    @ApiOperation({ summary: 'Revoke a secret version now.' })
    @ApiResponse({ status: 204 })
    @ApiResponse({ status: 404, description: 'Unknown endpoint or version.' })
    async revoke(
      @Param('endpoint') name: string,
      @Param('version') versionText: string,
      @Req() request: unknown,
    ): Promise<void> {
      const endpoint = this.endpoint(name);
      if (!/^[1-9][0-9]{0,8}$/.test(versionText)) {
        throw new WebhookException('unknown_version', `Endpoint "${endpoint.name}" has no such secret version.`, 404);
      }
      const version = Number(versionText);
      await this.secretOperation(() => this.secrets.revokeSecret(endpoint.name, version));
      await this.record(request, 'secret.revoke', endpoint.name, version);
    }

    @Get('events')
    @ApiOperation({ summary: 'The event log, newest first, with keyset pagination.' })
    @ApiResponse({ status: 200, type: EventPageView })
    async listEvents(@Query() query: ListEventsQueryDto, @Req() request: unknown): Promise<EventPageView> {
      const since = query.since ? new Date(query.since) : undefined;
      const until = query.until ? new Date(query.until) : undefined;
      try {
        const page = await this.events.list({
          endpoint: query.endpoint,
          status: query.status as WebhookEventStatus | undefined,
          reason: query.reason,
          since,
          until,
          limit: query.limit ?? 50,
          cursor: query.cursor,
        });
        await this.record(request, 'events.list', query.endpoint, undefined, { count: page.items.length });
        return { items: page.items.map(toSummary), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
      } catch (error) {
        if (error instanceof InvalidCursorError) {
          throw new WebhookException('invalid_cursor', 'The cursor is not one this API returned.', 400);
        }
        throw error;
      }
    }

    @Get('events/:id')
    @ApiOperation({ summary: 'One event, with redacted headers and its stored body.' })
    @ApiResponse({ status: 200, type: EventDetailView })
    @ApiResponse({ status: 404, description: 'Unknown event.' })
    async getEvent(@Param('id') id: string, @Req() request: unknown): Promise<EventDetailView> {
      const event = id.length <= 128 ? await this.events.get(id) : undefined;
      if (!event) throw new WebhookException('unknown_event', 'No event has this id.', 404);
      await this.record(request, 'events.get', event.endpoint, undefined, { id: event.id });
      return {
        ...toSummary(event),
        headers: { ...event.headers },
        bodyBase64: (event.body ?? Buffer.alloc(0)).toString('base64'),
        bodyTruncated: event.bodyTruncated ?? false,
      };
    }

    private endpoint(name: string): ResolvedEndpoint {
      const endpoint = this.config.endpoints.get(name);
      if (!endpoint) throw new WebhookException('unknown_endpoint', 'No webhook endpoint has this name.', 404);
      return endpoint;
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

/** Who acted: the admin token, or the principal the app's own guard put on the request. */
function actorOf(request: unknown): string {
  const req = request as { hookwardenAdmin?: string; user?: Record<string, unknown> };
  if (req.hookwardenAdmin) return req.hookwardenAdmin;
  const user = req.user;
  const id = user?.['id'] ?? user?.['sub'] ?? user?.['username'] ?? user?.['email'];
  return typeof id === 'string' || typeof id === 'number' ? `user:${id}`.slice(0, 200) : 'app-guard';
}

function challengeKind(endpoint: ResolvedEndpoint): string | null {
  const challenge = (endpoint as { challenge?: { kind?: string } }).challenge;
  return challenge ? (challenge.kind ?? 'custom') : null;
}

/** A secret in the format of the endpoint's signing scheme, or 32 random bytes in base64url. */
function generateSecret(endpoint: ResolvedEndpoint): string {
  for (const scheme of endpoint.schemes as ReadonlyArray<SignatureScheme & { generateSecret?: () => string }>) {
    if (scheme.requiresSecret && scheme.generateSecret) return scheme.generateSecret();
  }
  return randomBytes(32).toString('base64url');
}

function validateSecret(endpoint: ResolvedEndpoint, secret: string): void {
  for (const scheme of endpoint.schemes) {
    try {
      scheme.validateSecret?.(secret);
    } catch (error) {
      throw new WebhookException('invalid_secret', (error as Error).message, 400);
    }
  }
}

function toSecretView(info: SecretVersionInfo, now: number): SecretVersionView {
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

function toSummary(event: StoredWebhookEvent): EventSummaryView {
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
  };
}
