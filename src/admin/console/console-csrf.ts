import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../../core/constant-time';
import { WebhookException } from '../../nest/webhook.exceptions';
import { CONSOLE_SESSION_SECONDS, cookieValue } from './console-session';

/** The console's CSRF cookie: a random token per sign-in, repeated in every form. */
export const CSRF_COOKIE = 'hookwarden_console_csrf';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

type Headers = Record<string, string | string[] | undefined>;

/** `Set-Cookie` for a CSRF token (or its removal): Secure, HttpOnly, SameSite=Strict, on the console's path. */
export function csrfCookie(path: string, value: string | undefined): string {
  const lifetime = value === undefined ? 'Max-Age=0' : `Max-Age=${CONSOLE_SESSION_SECONDS}`;
  return `${CSRF_COOKIE}=${value ?? ''}; Path=${path}; ${lifetime}; HttpOnly; Secure; SameSite=Strict`;
}

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The request's CSRF token, or a new one to set (with `csrfCookie`) before the form goes out. */
export function csrfTokenOf(headers: Headers): { token: string; isNew: boolean } {
  const current = cookieValue(headers.cookie, CSRF_COOKIE);
  return current !== undefined && TOKEN.test(current)
    ? { token: current, isNew: false }
    : { token: newCsrfToken(), isNew: true };
}

/**
 * Refuses a form post (403 `invalid_csrf_token`) unless its `csrf` field equals the CSRF cookie,
 * which SameSite=Strict keeps off requests from other sites; a browser that says the request
 * came from another site (`Sec-Fetch-Site`) is refused as well.
 */
/** Whether the browser says the request came from another site (a same-site subdomain included). */
export function fromAnotherSite(headers: Headers): boolean {
  const site = headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/**
 * Refuses a post from another site where the form carries no token (sign-out): the browser's own
 * word, which every current browser sends.
 */
export function checkSameOrigin(headers: Headers): void {
  if (fromAnotherSite(headers)) {
    throw new WebhookException('invalid_csrf_token', 'The form is stale or came from another site.', 403);
  }
}

export function checkCsrf(headers: Headers, field: string | undefined): void {
  const cookie = cookieValue(headers.cookie, CSRF_COOKIE);
  const valid =
    !fromAnotherSite(headers) &&
    cookie !== undefined &&
    field !== undefined &&
    TOKEN.test(cookie) &&
    constantTimeEqual(Buffer.from(cookie), Buffer.from(field));
  if (!valid) throw new WebhookException('invalid_csrf_token', 'The form is stale or came from another site.', 403);
}
