import {
  Catch,
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
  type ArgumentsHost,
  type CanActivate,
  type ExceptionFilter,
  type Type,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../../core/constant-time';
import { EventLogReader, InvalidCursorError, type WebhookEventStatus } from '../../storage/event-log.interface';
import { UNKNOWN_ENDPOINT_LOG_NAME } from '../../nest/runtime-endpoints';
import type { ResolvedWebhookConfig } from '../../nest/webhook-config';
import { WEBHOOK_CONFIG } from '../../nest/webhook.constants';
import { WebhookException } from '../../nest/webhook.exceptions';
import { ADMIN_CONFIG, type ResolvedAdminConfig } from '../admin.config';
import { CONSOLE_CSP, CONSOLE_CSS, eventPage, eventsPage, loginPage, type ConsoleFilters } from './console.views';
import { CONSOLE_SESSION_SECONDS, sessionCookie, sessionValue } from './console-session';
import type { WebhookAdminService } from '../webhook-admin.service';
import { activityCharts, CHART_MINUTES } from './console.chart';
import { checkCsrf, csrfCookie, csrfTokenOf, newCsrfToken } from './console-csrf';
import { secretsIndexPage, secretsPage, type SecretsPageState } from './console-secrets.views';

const STATUSES = new Set(['accepted', 'duplicate', 'rejected', 'challenge']);
const PAGE_SIZE = 50;

type HeaderSetter = { header(name: string, value: string | string[]): unknown };
type FormRequest = { body?: unknown; rawBody?: Buffer; headers: Record<string, string | string[] | undefined> };

/** Sends the console's 401s to the login form (with the app's own guard: a plain 401 page). */
@Catch(WebhookException)
class ConsoleAuthFilter implements ExceptionFilter {
  constructor(private readonly loginPath: string | undefined) {}

  catch(exception: WebhookException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<PlatformResponse>();
    const status = exception.getStatus();
    const code = (exception.getResponse() as { code?: string }).code ?? 'error';
    const redirect = status === 401 && this.loginPath !== undefined;
    const headers: Record<string, string> = redirect
      ? { Location: this.loginPath! }
      : { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CONSOLE_CSP };
    const body = redirect ? '' : `${status} ${code}`;
    // Fastify's reply has code(); Express's response has status().
    if (typeof response.code === 'function') {
      response.code(redirect ? 303 : status);
      for (const [k, v] of Object.entries(headers)) response.header(k, v);
      response.send(body);
    } else {
      response.status!(redirect ? 303 : status);
      for (const [k, v] of Object.entries(headers)) response.setHeader!(k, v);
      response.end!(body);
    }
  }
}

interface PlatformResponse {
  code?(status: number): unknown;
  status?(status: number): unknown;
  header(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
  send(body: string): unknown;
  end?(body: string): unknown;
}

/**
 * The console, under `<admin prefix>/console`, behind the admin API's authentication: with the
 * admin token, a login form sets a session cookie (or send the bearer header); with the app's own
 * guard, that guard decides. Server-rendered HTML without any script; a strict CSP on every page.
 * @internal
 */
export function createWebhookConsoleController(
  prefix: string,
  guard: Type<CanActivate>,
  tokenLogin: boolean,
  adminService: Type<WebhookAdminService>,
): Type {
  const base = `/${prefix}/console`;

  @Controller(`${prefix}/console`)
  @UseFilters(new ConsoleAuthFilter(tokenLogin ? `${base}/login` : undefined))
  class WebhookConsoleController {
    constructor(
      @Inject(EventLogReader) private readonly events: EventLogReader,
      @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
      @Inject(ADMIN_CONFIG) private readonly admin: ResolvedAdminConfig,
      @Inject(adminService) private readonly service: WebhookAdminService,
    ) {}

    @Get('console.css')
    @Header('Content-Type', 'text/css; charset=utf-8')
    @Header('Cache-Control', 'no-cache')
    @Header('X-Content-Type-Options', 'nosniff')
    stylesheet(): string {
      return CONSOLE_CSS;
    }

    @Get('login')
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', CONSOLE_CSP)
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('Cache-Control', 'no-store')
    login(@Query('failed') failed?: string): string {
      if (!tokenLogin) throw new WebhookException('not_found', 'The console signs in through the app.', 404);
      return loginPage(base, failed === '1');
    }

    @Post('login')
    @HttpCode(303)
    signIn(
      @Req() request: { body?: unknown; rawBody?: Buffer },
      @Res({ passthrough: true }) response: HeaderSetter,
    ): void {
      if (!tokenLogin || this.admin.token === undefined) {
        throw new WebhookException('not_found', 'The console signs in through the app.', 404);
      }
      const token = formField(request, 'token');
      const valid = token !== undefined && constantTimeEqual(digest(token), digest(this.admin.token));
      if (!valid) {
        response.header('Location', `${base}/login?failed=1`);
        return;
      }
      const expiresAt = Math.floor(Date.now() / 1000) + CONSOLE_SESSION_SECONDS;
      // A fresh CSRF token with each session.
      response.header('Set-Cookie', [
        sessionCookie(base, sessionValue(this.admin.token, expiresAt)),
        csrfCookie(base, newCsrfToken()),
      ]);
      response.header('Location', base);
    }

    @Post('logout')
    @HttpCode(303)
    signOut(@Res({ passthrough: true }) response: HeaderSetter): void {
      response.header('Set-Cookie', [sessionCookie(base, undefined), csrfCookie(base, undefined)]);
      response.header('Location', tokenLogin ? `${base}/login` : base);
    }

    @Get()
    @UseGuards(guard)
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', CONSOLE_CSP)
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('Cache-Control', 'no-store')
    async list(@Query() query: Record<string, unknown>): Promise<string> {
      const filters: ConsoleFilters = {
        endpoint: text(query.endpoint, 64),
        status: STATUSES.has(String(query.status)) ? String(query.status) : undefined,
        reason: text(query.reason, 64),
        eventType: text(query.eventType, 128),
        since: localTime(query.since),
        until: localTime(query.until),
        cursor: text(query.cursor, 512),
      };
      let page;
      try {
        page = await this.events.list({
          endpoint: filters.endpoint,
          status: filters.status as WebhookEventStatus | undefined,
          reason: filters.reason,
          eventType: filters.eventType,
          since: filters.since ? new Date(`${filters.since}Z`) : undefined,
          until: filters.until ? new Date(`${filters.until}Z`) : undefined,
          limit: PAGE_SIZE,
          cursor: filters.cursor,
        });
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new WebhookException('invalid_cursor', 'Bad cursor.', 400);
        throw error;
      }
      return eventsPage(base, filters, page, [...this.config.endpoints.keys()], await this.activity(filters.endpoint));
    }

    /** The charts of the last hour, up to the current minute (that of the filtered endpoint only). */
    private async activity(endpoint: string | undefined): Promise<string> {
      if (!this.events.activity) return '<p class="quiet">This event log does not report activity.</p>';
      const end = new Date((Math.floor(Date.now() / 60_000) + 1) * 60_000);
      const since = new Date(end.getTime() - CHART_MINUTES * 60_000);
      const counts = await this.events.activity({ since, until: end, endpoint });
      return activityCharts(counts, end, UNKNOWN_ENDPOINT_LOG_NAME);
    }

    @Get('secrets')
    @UseGuards(guard)
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', CONSOLE_CSP)
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('Cache-Control', 'no-store')
    async secretsIndex(@Req() request: object): Promise<string> {
      return secretsIndexPage(base, await this.service.listEndpoints(request));
    }

    @Get('secrets/:endpoint')
    @UseGuards(guard)
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', CONSOLE_CSP)
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('Cache-Control', 'no-store')
    async secrets(
      @Param('endpoint') endpoint: string,
      @Req() request: FormRequest,
      @Res({ passthrough: true }) response: HeaderSetter,
    ): Promise<string> {
      return this.secretsView(endpoint, request, response, {});
    }

    @Post('secrets/:endpoint/rotate')
    @HttpCode(200)
    @UseGuards(guard)
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', CONSOLE_CSP)
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('Cache-Control', 'no-store')
    async rotate(
      @Param('endpoint') endpoint: string,
      @Req() request: FormRequest,
      @Res({ passthrough: true }) response: HeaderSetter,
    ): Promise<string> {
      checkCsrf(request.headers, formField(request, 'csrf'));
      const grace = formField(request, 'gracePeriodSeconds');
      if (grace !== undefined && !/^\d{1,7}$/.test(grace)) {
        throw new WebhookException('invalid_grace_period', 'The grace period is a whole number of seconds.', 400);
      }
      const secret = formField(request, 'secret', 4096);
      const rotated = await this.service.rotate(
        endpoint,
        {},
        { secret: secret || undefined, gracePeriodSeconds: grace === undefined ? undefined : Number(grace) },
        request,
      );
      return this.secretsView(endpoint, request, response, { rotated });
    }

    @Post('secrets/:endpoint/:version/revoke')
    @HttpCode(200)
    @UseGuards(guard)
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', CONSOLE_CSP)
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('Cache-Control', 'no-store')
    async revoke(
      @Param('endpoint') endpoint: string,
      @Param('version') version: string,
      @Req() request: FormRequest,
      @Res({ passthrough: true }) response: HeaderSetter,
    ): Promise<string> {
      checkCsrf(request.headers, formField(request, 'csrf'));
      await this.service.revoke(endpoint, version, {}, request);
      return this.secretsView(endpoint, request, response, { revoked: Number(version) });
    }

    /** The secrets page; sets a CSRF cookie when the browser has none (with the app's own guard). */
    private async secretsView(
      endpoint: string,
      request: FormRequest,
      response: HeaderSetter,
      done: Pick<SecretsPageState, 'rotated' | 'revoked'>,
    ): Promise<string> {
      const versions = await this.service.listSecrets(endpoint, {}, request);
      const csrf = csrfTokenOf(request.headers);
      if (csrf.isNew) response.header('Set-Cookie', csrfCookie(base, csrf.token));
      return secretsPage(base, { endpoint, versions, csrf: csrf.token, ...done });
    }

    @Get('events/:id')
    @UseGuards(guard)
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', CONSOLE_CSP)
    @Header('X-Content-Type-Options', 'nosniff')
    @Header('Cache-Control', 'no-store')
    async event(@Param('id') id: string): Promise<string> {
      const event = id.length <= 64 ? await this.events.get(id).catch(() => undefined) : undefined;
      if (!event) throw new WebhookException('unknown_event', 'No such event.', 404);
      return eventPage(base, event);
    }
  }
  // HTML pages, not API: kept out of an OpenAPI document (what @ApiExcludeController() sets, without
  // loading @nestjs/swagger, an optional peer).
  Reflect.defineMetadata('swagger/apiExcludeController', [true], WebhookConsoleController);
  return WebhookConsoleController;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** A form field from the parsed body, else from the raw form bytes (Fastify keeps only those). */
function formField(request: { body?: unknown; rawBody?: Buffer }, name: string, max = 512): string | undefined {
  const body = request.body;
  let value: unknown;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) value = (body as Record<string, unknown>)[name];
  else {
    const raw = Buffer.isBuffer(body) ? body : request.rawBody;
    value = raw ? new URLSearchParams(raw.toString('utf8')).get(name) : undefined;
  }
  return typeof value === 'string' && value.length <= max ? value : undefined;
}

function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= max ? value : undefined;
}

/** `YYYY-MM-DDTHH:MM` (what a datetime-local input sends), read as UTC. */
function localTime(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? value : undefined;
}
