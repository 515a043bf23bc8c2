import { createHash } from 'node:crypto';
import { toTraceParent } from '../../core/trace-parent';
import type { WebhookEventRecord, WebhookEventStatus } from '../event-log.interface';
import { storedContentType, type EventSealer } from '../event-seal';
import { bodyCapOf } from '../flood-control';
import type { WebhookEventRow } from './hookwarden.entities';

/**
 * A row ready to insert (strings already cleaned, body capped and hashed): a `webhook_events` row
 * before the database gives it an id, with its headers as JSON text and the lease as a token.
 * @internal
 */
export type EventRow = Omit<WebhookEventRow, 'id' | 'headers' | 'handlingUntil' | 'handlingToken'> & {
  headers: string;
  /** The token of the request that holds the in-progress lease of an accepted row. */
  leaseToken: string | null;
  /**
   * The inbox's jobs of an accepted row, as JSON `[{ h, t, k, p }]` (handler, event type, order key,
   * the W3C `traceparent` of the request's storage span, which each attempt's span links to).
   */
  work: string | null;
};

/** Bounds of attacker-chosen text, so no row can fail a whole batch. */
const MAX_TEXT = {
  provider: 64,
  messageId: 512,
  reason: 128,
  eventType: 128,
  method: 16,
  path: 2048,
  header: 4096,
} as const;

/**
 * The row of a record under the given status, its body cut to `bodyCapBytes` (or the record's own
 * cap). An accepted row with inbox work is sealed over its stored values when a sealer is given.
 * @internal
 */
export function toRow(
  event: WebhookEventRecord,
  status: WebhookEventStatus,
  bodyCapBytes: number,
  sealer?: EventSealer,
): EventRow {
  const body = event.body ?? Buffer.alloc(0);
  const cap = event.storeBody === false ? 0 : bodyCapOf(event, bodyCapBytes);
  const endpoint = cleanEndpoint(event.endpoint);
  const messageId = event.messageId === undefined ? null : messageIdOf(event.messageId);
  const eventType = event.eventType === undefined ? null : clean(event.eventType, MAX_TEXT.eventType);
  const bodySha256 = createHash('sha256').update(body).digest();
  const hasWork = status === 'accepted' && event.work !== undefined && event.work.length > 0;
  // Only rows with inbox work pay the HMAC (about a microsecond); the others are never replayed.
  // Only the ids and flags of the span context (never its tracestate): each job's span links to it.
  const traceParent = hasWork ? (toTraceParent(event.traceContext) ?? null) : null;
  const headers = cleanHeaders(event.headers);
  const sealed =
    hasWork && sealer
      ? sealer.seal({
          endpoint,
          messageId,
          eventType,
          status,
          contentType: storedContentType(headers),
          bodySha256,
          bodySize: body.length,
        })
      : undefined;
  return {
    endpoint,
    provider: clean(event.provider, MAX_TEXT.provider),
    messageId,
    status,
    reason: event.reason === undefined ? null : cleanReason(event.reason),
    eventType,
    secretVersion: event.secretVersion ?? null,
    receivedAt: event.receivedAt,
    signedAt: event.signedAt ?? null,
    replayWindowEndsAt: event.replayWindowEndsAt ?? null,
    method: clean(event.method, MAX_TEXT.method),
    path: clean(event.path, MAX_TEXT.path),
    headers: JSON.stringify(headers),
    body: body.length > cap ? body.subarray(0, cap) : body,
    bodySize: body.length,
    bodySha256,
    occurrences: 1,
    seal: sealed?.seal ?? null,
    sealKeyId: sealed?.keyId ?? null,
    leaseToken: status === 'accepted' && event.leaseToken !== undefined ? clean(event.leaseToken, 64) : null,
    work: hasWork
      ? JSON.stringify(
          event.work!.map((w) => ({
            h: clean(w.handler, 200),
            t: w.eventType === undefined ? null : clean(w.eventType, 200),
            k: w.orderKey === undefined ? null : clean(w.orderKey, 200),
            p: traceParent,
          })),
        )
      : null,
  };
}

/** An endpoint name as stored (the column holds 63 characters). @internal */
export function cleanEndpoint(endpoint: string): string {
  return clean(endpoint, 63);
}

/** @internal */
export function cleanReason(reason: string): string {
  return clean(reason, MAX_TEXT.reason);
}

/** Ids longer than the bound are stored by their SHA-256, so deduplication stays exact. @internal */
export function messageIdOf(id: string): string {
  if (id.length <= MAX_TEXT.messageId && !id.includes('\0')) return id;
  return `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

/** The key of an accepted row under the partial unique index. @internal */
export function dedupeKey(endpoint: string, messageId: string): string {
  return `${endpoint}\n${messageId}`;
}

/** The order rows are inserted in (endpoint, then message id), so batches never deadlock. @internal */
export function compareRows(a: EventRow, b: EventRow): number {
  if (a.endpoint !== b.endpoint) return a.endpoint < b.endpoint ? -1 : 1;
  const x = a.messageId ?? '';
  const y = b.messageId ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** NUL is the one character PostgreSQL text cannot hold; long text is cut. */
function clean(text: string, max: number): string {
  const value = String(text ?? '');
  const cut = value.length > max ? value.slice(0, max) : value;
  return cut.includes('\0') ? cut.replace(/\0/g, '\uFFFD') : cut;
}

function cleanHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    out[clean(name, 256)] = clean(Array.isArray(value) ? value.join(', ') : String(value), MAX_TEXT.header);
  }
  return out;
}
