// What the console reads from requests: form fields (Express parses them, Fastify keeps the raw
// bytes), bounded query values, the inbox page's filters and a named secret. Anything unexpected is
// dropped or refused, never passed on as it came.
import { createHash } from 'node:crypto';
import { INBOX_JOB_STATES } from '../../core/inbox/inbox-decisions';
import { WebhookException } from '../../nest/webhook.exceptions';
import type { InboxFilters } from './console-inbox.views';

/** A handler id as the admin API accepts it (`Class.method`, `@endpoint` for a second endpoint). */
const HANDLER = /^[\w.@$-]{1,200}$/;
/** A named secret, as the admin API accepts it. */
const SECRET_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** A form field from the parsed body, else from the raw form bytes (Fastify keeps only those). */
export function formField(request: { body?: unknown; rawBody?: Buffer }, name: string, max = 512): string | undefined {
  const body = request.body;
  let value: unknown;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) value = (body as Record<string, unknown>)[name];
  else {
    const raw = Buffer.isBuffer(body) ? body : request.rawBody;
    value = raw ? new URLSearchParams(raw.toString('utf8')).get(name) : undefined;
  }
  return typeof value === 'string' && value.length <= max ? value : undefined;
}

/** The inbox page's filters from a query or a form: unknown values are dropped, the state defaults to dead. */
export function inboxFilters(query: Record<string, unknown>): InboxFilters {
  const state = String(query.state ?? 'dead');
  const handler = text(query.handler, 200);
  return {
    endpoint: text(query.endpoint, 63),
    handler: handler !== undefined && HANDLER.test(handler) ? handler : undefined,
    state: state === 'all' || (INBOX_JOB_STATES as readonly string[]).includes(state) ? state : 'dead',
    cursor: text(query.cursor, 20),
  };
}

/** A named secret of the query; anything else but none is refused, never read as the signing secret. */
export function secretName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && SECRET_NAME.test(value)) return value;
  throw new WebhookException('unknown_secret_name', 'No secret has this name.', 404);
}

/** A filter's text, or none: empty, too long, or holding a NUL (no stored text can, and PostgreSQL refuses it). */
export function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= max && !value.includes('\u0000')
    ? value
    : undefined;
}

/** `YYYY-MM-DDTHH:MM` (what a datetime-local input sends), read as UTC; a date that does not exist is none. */
export function localTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  // Date rolls 2026-02-30 over to March and refuses hour 99: only a time that reads back as given.
  const at = new Date(`${value.length === 16 ? `${value}:00` : value}Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().startsWith(value) ? value : undefined;
}
