import { createHmac } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { constantTimeEqual } from '../../core/constant-time';
import { WebhookException } from '../../nest/webhook.exceptions';
import { ADMIN_CONFIG, type ResolvedAdminConfig } from '../admin.config';
import { ADMIN_ACTOR, ADMIN_TOKEN_ACTOR, AdminTokenGuard } from '../admin-token.guard';

/** The console's session cookie. */
export const CONSOLE_COOKIE = 'hookwarden_console';
/** A session lasts 8 hours. */
export const CONSOLE_SESSION_SECONDS = 8 * 3600;

/**
 * A stateless session: `<expiry>.<HMAC-SHA256 keyed by the admin token over the expiry>`. It holds
 * no secret, works on every instance, ends at its expiry and as soon as the token changes.
 */
export function sessionValue(token: string, expiresAt: number): string {
  return `${expiresAt}.${createHmac('sha256', token).update(`hookwarden-console:${expiresAt}`).digest('base64url')}`;
}

export function isValidSession(token: string, value: string | undefined, now = Date.now()): boolean {
  const match = /^([0-9]{10,13})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!match || Number(match[1]) * 1000 <= now) return false;
  return constantTimeEqual(Buffer.from(sessionValue(token, Number(match[1]))), Buffer.from(value!));
}

/** The value of one cookie in a Cookie header (the last one wins, as browsers send one). */
export function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  let found: string | undefined;
  for (const part of (Array.isArray(header) ? header.join(';') : (header ?? '')).split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) found = part.slice(at + 1).trim();
  }
  return found;
}

/** `Set-Cookie` for a session (or its removal): Secure, HttpOnly, SameSite=Strict, on the console's path. */
export function sessionCookie(path: string, value: string | undefined): string {
  const lifetime = value === undefined ? 'Max-Age=0' : `Max-Age=${CONSOLE_SESSION_SECONDS}`;
  return `${CONSOLE_COOKIE}=${value ?? ''}; Path=${path}; ${lifetime}; HttpOnly; Secure; SameSite=Strict`;
}

/**
 * The console's authentication with the admin token: the session cookie set by the login form,
 * or the admin API's bearer header. Refusals are the admin API's 401s (the console's filter turns
 * them into a redirect to the login form).
 * @internal
 */
@Injectable()
export class ConsoleSessionGuard implements CanActivate {
  private readonly bearer: AdminTokenGuard;

  constructor(@Inject(ADMIN_CONFIG) private readonly config: ResolvedAdminConfig) {
    this.bearer = new AdminTokenGuard(config);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | string[] | undefined> } & Record<string, unknown>>();
    const session = cookieValue(request.headers.cookie, CONSOLE_COOKIE);
    if (session !== undefined && this.config.token !== undefined && isValidSession(this.config.token, session)) {
      request[ADMIN_ACTOR] = ADMIN_TOKEN_ACTOR;
      return true;
    }
    if (request.headers.authorization === undefined) {
      throw new WebhookException('missing_admin_token', 'Sign in to the console.', 401);
    }
    return this.bearer.canActivate(context);
  }
}
