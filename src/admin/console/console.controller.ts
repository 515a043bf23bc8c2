import {
  applyDecorators,
  Catch,
  Controller,
  Get,
  Header,
  HttpCode,
  HttpException,
  Inject,
  Logger,
  Optional,
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
import { constantTimeEqual } from '../../core/constant-time';
import { EventLogReader, InvalidCursorError, type WebhookEventStatus } from '../../storage/event-log.interface';
import { WebhookInbox } from '../../storage/inbox.interface';
import type { InboxJobState } from '../../core/inbox/inbox-decisions';
import { UNKNOWN_ENDPOINT_LOG_NAME } from '../../nest/runtime-endpoints';
import type { ResolvedWebhookConfig } from '../../nest/webhook-config';
import { WEBHOOK_CONFIG } from '../../nest/webhook.constants';
import { WebhookException } from '../../nest/webhook.exceptions';
import { ADMIN_CONFIG, type ResolvedAdminConfig } from '../admin.config';
import { HTTP_CODES } from '../admin-exception.filter';
import { isStorageUnavailable, retryAfterSeconds } from '../storage-unavailable';
import { CONSOLE_CSP, CONSOLE_CSS, eventPage, eventsPage, loginPage, type ConsoleFilters } from './console.views';
import { CONSOLE_SESSION_SECONDS, sessionCookie, sessionValue } from './console-session';
import type { WebhookAdminService } from '../webhook-admin.service';
import { view as jobView, type WebhookInboxAdminService } from '../webhook-inbox-admin.service';
import { eventJobsSection, inboxPage, type InboxFilters, type InboxPageState } from './console-inbox.views';
import { activityCharts, CHART_MINUTES } from './console.chart';
import { checkCsrf, checkSameOrigin, csrfCookie, csrfTokenOf, newCsrfToken } from './console-csrf';
import { digest, formField, inboxFilters, localTime, secretName, text } from './console-input';
import { secretsIndexPage, secretsPage, type SecretsPageState } from './console-secrets.views';

const STATUSES = new Set(['accepted', 'duplicate', 'rejected', 'challenge']);
const PAGE_SIZE = 50;

/** Every page: HTML, the strict CSP, no sniffing, never cached. */
const HtmlPage = () =>
  applyDecorators(
    Header('Content-Type', 'text/html; charset=utf-8'),
    Header('Content-Security-Policy', CONSOLE_CSP),
    Header('X-Content-Type-Options', 'nosniff'),
    Header('Cache-Control', 'no-store'),
  );

type HeaderSetter = { header(name: string, value: string | string[]): unknown };
type FormRequest = { body?: unknown; rawBody?: Buffer; headers: Record<string, string | string[] | undefined> };

/**
 * The console's refusals as plain-text pages: its 401s go to the login form (with the app's own
 * guard: a plain 401 page); a store that cannot be reached is `503 storage_unavailable` with
 * Retry-After; anything else a coded 500. Every page declares its text, never the HTML type the
 * route set for its own answer.
 */
@Catch()
class ConsolePageFilter implements ExceptionFilter {
  private readonly logger = new Logger('HookwardenAdmin');

  constructor(private readonly loginPath: string | undefined) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<PlatformResponse>();
    const { status, code } = this.describe(exception);
    const redirect = status === 401 && this.loginPath !== undefined;
    const headers: Record<string, string> = redirect
      ? { Location: this.loginPath! }
      : { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CONSOLE_CSP };
    if (status === 503) headers['Retry-After'] = String(retryAfterSeconds(exception));
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

  private describe(exception: unknown): { status: number; code: string } {
    if (exception instanceof WebhookException) {
      return { status: exception.getStatus(), code: (exception.getResponse() as { code?: string }).code ?? 'error' };
    }
    if (isStorageUnavailable(exception)) return { status: 503, code: 'storage_unavailable' };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, code: HTTP_CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request') };
    }
    // Only the error's class: a driver message might quote what the query carried.
    this.logger.error(`Console request failed: ${(exception as Error)?.name ?? typeof exception}`);
    return { status: 500, code: 'internal_error' };
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
  inboxService: Type<WebhookInboxAdminService>,
): Type {
  const base = `/${prefix}/console`;

  @Controller(`${prefix}/console`)
  @UseFilters(new ConsolePageFilter(tokenLogin ? `${base}/login` : undefined))
  class WebhookConsoleController {
    constructor(
      @Inject(EventLogReader) private readonly events: EventLogReader,
      @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
      @Inject(ADMIN_CONFIG) private readonly admin: ResolvedAdminConfig,
      @Inject(adminService) private readonly service: WebhookAdminService,
      @Inject(inboxService) private readonly inboxAdmin: WebhookInboxAdminService,
      @Optional() @Inject(WebhookInbox) private readonly inbox?: WebhookInbox,
    ) {}

    @Get('console.css')
    @Header('Content-Type', 'text/css; charset=utf-8')
    @Header('Cache-Control', 'no-cache')
    @Header('X-Content-Type-Options', 'nosniff')
    stylesheet(): string {
      return CONSOLE_CSS;
    }

    @Get('login')
    @HtmlPage()
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
    signOut(@Req() request: FormRequest, @Res({ passthrough: true }) response: HeaderSetter): void {
      // A foreign page must not sign the operator out (the form carries no token: it is on every page).
      checkSameOrigin(request.headers);
      response.header('Set-Cookie', [sessionCookie(base, undefined), csrfCookie(base, undefined)]);
      response.header('Location', tokenLogin ? `${base}/login` : base);
    }

    @Get()
    @UseGuards(guard)
    @HtmlPage()
    async list(@Query() query: Record<string, unknown>, @Req() request: FormRequest): Promise<string> {
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
      await this.service.recordConsoleRead(request, 'events.list', filters.endpoint, {
        filters: Object.fromEntries(
          Object.entries({ ...filters, cursor: undefined }).filter(([, v]) => v !== undefined),
        ),
        count: page.items.length,
      });
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
    @HtmlPage()
    async secretsIndex(@Req() request: object): Promise<string> {
      return secretsIndexPage(base, await this.service.listEndpoints(request));
    }

    @Get('secrets/:endpoint')
    @UseGuards(guard)
    @HtmlPage()
    async secrets(
      @Param('endpoint') endpoint: string,
      @Query('name') name: unknown,
      @Req() request: FormRequest,
      @Res({ passthrough: true }) response: HeaderSetter,
    ): Promise<string> {
      return this.secretsView(endpoint, secretName(name), request, response, {});
    }

    @Post('secrets/:endpoint/rotate')
    @HttpCode(200)
    @UseGuards(guard)
    @HtmlPage()
    async rotate(
      @Param('endpoint') endpoint: string,
      @Query('name') nameQuery: unknown,
      @Req() request: FormRequest,
      @Res({ passthrough: true }) response: HeaderSetter,
    ): Promise<string> {
      checkCsrf(request.headers, formField(request, 'csrf'));
      const grace = formField(request, 'gracePeriodSeconds');
      if (grace !== undefined && !/^\d{1,7}$/.test(grace)) {
        throw new WebhookException('invalid_grace_period', 'The grace period is a whole number of seconds.', 400);
      }
      const secret = formField(request, 'secret', 4096);
      const name = secretName(nameQuery);
      const rotated = await this.service.rotate(
        endpoint,
        { name },
        { secret: secret || undefined, gracePeriodSeconds: grace === undefined ? undefined : Number(grace) },
        request,
      );
      return this.secretsView(endpoint, name, request, response, { rotated });
    }

    @Post('secrets/:endpoint/:version/revoke')
    @HttpCode(200)
    @UseGuards(guard)
    @HtmlPage()
    async revoke(
      @Param('endpoint') endpoint: string,
      @Param('version') version: string,
      @Query('name') nameQuery: unknown,
      @Req() request: FormRequest,
      @Res({ passthrough: true }) response: HeaderSetter,
    ): Promise<string> {
      checkCsrf(request.headers, formField(request, 'csrf'));
      const name = secretName(nameQuery);
      await this.service.revoke(endpoint, version, { name }, request);
      return this.secretsView(endpoint, name, request, response, { revoked: Number(version) });
    }

    /** The secrets page; sets a CSRF cookie when the browser has none (with the app's own guard). */
    private async secretsView(
      endpoint: string,
      name: string | undefined,
      request: FormRequest,
      response: HeaderSetter,
      done: Pick<SecretsPageState, 'rotated' | 'revoked'>,
    ): Promise<string> {
      const versions = await this.service.listSecrets(endpoint, { name }, request);
      return secretsPage(base, { endpoint, name, versions, csrf: this.csrf(request, response), ...done });
    }

    /** The form's CSRF token; sets the cookie when the browser has none (with the app's own guard). */
    private csrf(request: FormRequest, response: HeaderSetter): string {
      const csrf = csrfTokenOf(request.headers);
      if (csrf.isNew) response.header('Set-Cookie', csrfCookie(base, csrf.token));
      return csrf.token;
    }

    @Get('inbox')
    @UseGuards(guard)
    @HtmlPage()
    async inboxList(
      @Query() query: Record<string, unknown>,
      @Req() request: FormRequest,
      @Res({ passthrough: true }) response: HeaderSetter,
    ): Promise<string> {
      return this.inboxView(inboxFilters(query), request, response, {});
    }

    @Post('inbox/redrive')
    @HttpCode(200)
    @UseGuards(guard)
    @HtmlPage()
    async redrive(@Req() request: FormRequest, @Res({ passthrough: true }) response: HeaderSetter): Promise<string> {
      checkCsrf(request.headers, formField(request, 'csrf'));
      const filters = inboxFilters({
        endpoint: formField(request, 'endpoint'),
        handler: formField(request, 'handler'),
      });
      filters.state = 'dead';
      // A dry-run count first; only the confirming form (`confirm=1`, same filters) sends jobs back.
      const confirmed = formField(request, 'confirm') === '1';
      const { count } = await this.inboxAdmin.redrive(
        { endpoint: filters.endpoint, handler: filters.handler, dryRun: !confirmed },
        request,
      );
      return this.inboxView(filters, request, response, confirmed ? { redriven: count } : { dryRun: count });
    }

    @Post('inbox/:id/retry')
    @HttpCode(200)
    @UseGuards(guard)
    @HtmlPage()
    async retry(
      @Param('id') id: string,
      @Req() request: FormRequest,
      @Res({ passthrough: true }) response: HeaderSetter,
    ): Promise<string> {
      checkCsrf(request.headers, formField(request, 'csrf'));
      const retried = await this.inboxAdmin.retry(id.length <= 20 ? id : '', request);
      return this.inboxView({ state: 'all', endpoint: retried.endpoint }, request, response, { retried });
    }

    /** The inbox page, listed through the admin service (audited like the admin API's listing). */
    private async inboxView(
      filters: InboxFilters,
      request: FormRequest,
      response: HeaderSetter,
      done: Pick<InboxPageState, 'retried' | 'dryRun' | 'redriven'>,
    ): Promise<string> {
      const state = filters.state === 'all' ? undefined : (filters.state as InboxJobState);
      const page = await this.inboxAdmin.list(
        { endpoint: filters.endpoint, handler: filters.handler, state, cursor: filters.cursor, limit: PAGE_SIZE },
        request,
      );
      return inboxPage(base, {
        filters,
        jobs: page.items,
        nextCursor: page.nextCursor,
        endpoints: [...this.config.endpoints.keys()],
        csrf: this.csrf(request, response),
        ...done,
      });
    }

    @Get('events/:id')
    @UseGuards(guard)
    @HtmlPage()
    async event(@Param('id') id: string, @Req() request: FormRequest): Promise<string> {
      // An id the store cannot read is no event; a store that cannot be reached is a 503.
      const event = id.length <= 64 ? await this.events.get(id).catch(unlessUnavailable) : undefined;
      if (!event) throw new WebhookException('unknown_event', 'No such event.', 404);
      await this.service.recordConsoleRead(request, 'events.get', event.endpoint, { id: event.id });
      // Its handlers' jobs (an event has one per handler: a page of 100 holds them all).
      const jobs = this.inbox
        ? (await this.inbox.list({ eventId: event.id, limit: 100 }).catch(unlessUnavailable))?.items.map(jobView)
        : undefined;
      return eventPage(base, event, eventJobsSection(base, jobs));
    }
  }
  // HTML pages, not API: kept out of an OpenAPI document (what @ApiExcludeController() sets, without
  // loading @nestjs/swagger, an optional peer).
  Reflect.defineMetadata('swagger/apiExcludeController', [true], WebhookConsoleController);
  return WebhookConsoleController;
}

function unlessUnavailable(error: unknown): undefined {
  if (isStorageUnavailable(error)) throw error;
  return undefined;
}
