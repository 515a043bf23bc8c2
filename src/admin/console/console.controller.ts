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
import type { ResolvedWebhookConfig } from '../../nest/webhook-config';
import { WEBHOOK_CONFIG } from '../../nest/webhook.constants';
import { WebhookException } from '../../nest/webhook.exceptions';
import { ADMIN_CONFIG, type ResolvedAdminConfig } from '../admin.config';
import { CONSOLE_CSP, CONSOLE_CSS, eventPage, eventsPage, loginPage, type ConsoleFilters } from './console.views';
import { CONSOLE_SESSION_SECONDS, sessionCookie, sessionValue } from './console-session';

const STATUSES = new Set(['accepted', 'duplicate', 'rejected', 'challenge']);
const PAGE_SIZE = 50;

type HeaderSetter = { header(name: string, value: string): unknown };

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
export function createWebhookConsoleController(prefix: string, guard: Type<CanActivate>, tokenLogin: boolean): Type {
  const base = `/${prefix}/console`;

  @Controller(`${prefix}/console`)
  @UseFilters(new ConsoleAuthFilter(tokenLogin ? `${base}/login` : undefined))
  class WebhookConsoleController {
    constructor(
      @Inject(EventLogReader) private readonly events: EventLogReader,
      @Inject(WEBHOOK_CONFIG) private readonly config: ResolvedWebhookConfig,
      @Inject(ADMIN_CONFIG) private readonly admin: ResolvedAdminConfig,
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
      response.header('Set-Cookie', sessionCookie(base, sessionValue(this.admin.token, expiresAt)));
      response.header('Location', base);
    }

    @Post('logout')
    @HttpCode(303)
    signOut(@Res({ passthrough: true }) response: HeaderSetter): void {
      response.header('Set-Cookie', sessionCookie(base, undefined));
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
          since: filters.since ? new Date(`${filters.since}Z`) : undefined,
          until: filters.until ? new Date(`${filters.until}Z`) : undefined,
          limit: PAGE_SIZE,
          cursor: filters.cursor,
        });
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new WebhookException('invalid_cursor', 'Bad cursor.', 400);
        throw error;
      }
      return eventsPage(base, filters, page, [...this.config.endpoints.keys()]);
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
  return WebhookConsoleController;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** A form field from the parsed body, else from the raw form bytes (Fastify keeps only those). */
function formField(request: { body?: unknown; rawBody?: Buffer }, name: string): string | undefined {
  const body = request.body;
  let value: unknown;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) value = (body as Record<string, unknown>)[name];
  else {
    const raw = Buffer.isBuffer(body) ? body : request.rawBody;
    value = raw ? new URLSearchParams(raw.toString('utf8')).get(name) : undefined;
  }
  return typeof value === 'string' && value.length <= 512 ? value : undefined;
}

function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= max ? value : undefined;
}

/** `YYYY-MM-DDTHH:MM` (what a datetime-local input sends), read as UTC. */
function localTime(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? value : undefined;
}
