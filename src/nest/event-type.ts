import type { DeliveryField } from '../providers/provider';
import type { IncomingWebhook } from './http-request';

/** Longest event type stored; longer ones are cut (it is a label to filter on, not data). */
const MAX_EVENT_TYPE = 128;

/**
 * The provider's event type of a verified request, read where the catalogue says it is (a header,
 * a field of a JSON or form body, the first of several fields present). `undefined` when absent or
 * not text; never throws, as a body the signature covers may still be malformed.
 * @internal
 */
export function readEventType(field: DeliveryField | undefined, incoming: IncomingWebhook): string | undefined {
  if (field === undefined) return undefined;
  if ('header' in field) return bounded(incoming.headers[field.header.toLowerCase()]);
  // A claim of a signed token: none of the catalogue's event types is one today.
  if ('jwtClaim' in field) return undefined;
  const body = bodyObject(incoming);
  if (body === undefined) return undefined;
  const names = 'bodyField' in field ? [field.bodyField] : field.bodyFields;
  for (const name of names) {
    const value = bounded(pathOf(body, name));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The body as an object: what the platform parsed, else the raw bytes as JSON or a form. */
function bodyObject(incoming: IncomingWebhook): Record<string, unknown> | undefined {
  const parsed = incoming.parsedBody;
  if (parsed !== null && typeof parsed === 'object' && !Buffer.isBuffer(parsed)) {
    return parsed as Record<string, unknown>;
  }
  const raw = incoming.rawBody;
  if (!raw || raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  const first = text.trimStart()[0];
  if (first === '{') {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  if (first === '[' || first === '<') return undefined;
  return Object.fromEntries(new URLSearchParams(text));
}

/** `event.type` → body.event.type; a name with a dot that is a key itself wins. */
function pathOf(body: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(body, path)) return body[path];
  let value: unknown = body;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function bounded(value: unknown): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text === 'number') return String(text);
  if (typeof text !== 'string' || text === '') return undefined;
  return text.length > MAX_EVENT_TYPE ? text.slice(0, MAX_EVENT_TYPE) : text;
}
