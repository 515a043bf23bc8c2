import {
  activityRange,
  type StoredWebhookEvent,
  type WebhookActivityCount,
  type WebhookActivityQuery,
  type WebhookEventPage,
  type WebhookEventQuery,
  type WebhookEventStatus,
} from '../event-log.interface';
import { pageLimit, PageCursor } from '../page-cursor';
import { SUMMARY_HEADER } from '../flood-control';
import type { BoundedQuery } from './event-log-connections';

/** Positions are row ids: decimals that fit PostgreSQL's bigint. */
const CURSOR = new PageCursor('v1', '\\d{1,19}', isInt8);

const SUMMARY_COLUMNS = `id::text AS id, endpoint, provider, message_id, status, reason, secret_version, received_at,
  signed_at, method, path, headers, body_size, encode(body_sha256, 'hex') AS body_sha256,
  octet_length(body) AS stored_size, occurrences, event_type`;

interface StoredRow {
  id: string;
  endpoint: string;
  provider: string;
  message_id: string | null;
  status: WebhookEventStatus;
  reason: string | null;
  secret_version: number | null;
  received_at: Date;
  signed_at: Date | null;
  method: string;
  path: string;
  headers: Record<string, string>;
  body_size: number;
  body_sha256: string;
  stored_size: number;
  occurrences: number;
  event_type: string | null;
  body?: Buffer;
}

/** A page of the events table, newest first, without bodies. @internal */
export async function listEvents(query: BoundedQuery, table: string, q: WebhookEventQuery): Promise<WebhookEventPage> {
  const limit = pageLimit(q.limit);
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (q.cursor !== undefined) where.push(`e.id < ${param(CURSOR.decode(q.cursor))}::bigint`);
  if (q.endpoint !== undefined) where.push(`endpoint = ${param(q.endpoint)}`);
  if (q.status !== undefined) where.push(`status = ${param(q.status)}`);
  if (q.reason !== undefined) where.push(`reason = ${param(q.reason)}`);
  if (q.eventType !== undefined) where.push(`event_type = ${param(q.eventType)}`);
  if (q.since !== undefined) where.push(`received_at >= ${param(q.since)}`);
  if (q.until !== undefined) where.push(`received_at < ${param(q.until)}`);
  // Newest first is highest id first: the order rows reached the log, whatever the clocks of
  // the instances that received them. `e.id` is the bigint column: a bare `id` in ORDER BY
  // would name the text alias of the select list, where "9" sorts before "10".
  const { rows } = await query<StoredRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM ${table} AS e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY e.id DESC LIMIT ${param(limit + 1)}`,
    params,
  );
  const items = rows.slice(0, limit).map((row) => toStored(row, false));
  return { items, nextCursor: rows.length > limit ? CURSOR.encode(rows[limit - 1].id) : undefined };
}

/** One event with its stored body; undefined for an id that is not one. @internal */
export async function getEvent(
  query: BoundedQuery,
  table: string,
  id: string,
): Promise<StoredWebhookEvent | undefined> {
  if (!isInt8(id)) return undefined;
  const { rows } = await query<StoredRow>(`SELECT ${SUMMARY_COLUMNS}, body FROM ${table} WHERE id = $1::bigint`, [id]);
  return rows[0] ? toStored(rows[0], true) : undefined;
}

/**
 * Requests per endpoint, minute, status and reason. The range on `received_at` is what the BRIN
 * index answers (the table is in arrival order); summary rows count for all they stand for.
 * @internal
 */
export async function eventActivity(
  query: BoundedQuery,
  table: string,
  q: WebhookActivityQuery,
): Promise<WebhookActivityCount[]> {
  const { since, until } = activityRange(q);
  const params: unknown[] = [new Date(since), new Date(until)];
  const endpoint = q.endpoint !== undefined ? `AND endpoint = $${params.push(q.endpoint)}` : '';
  const { rows } = await query<{
    endpoint: string;
    minute: string;
    status: WebhookEventStatus;
    reason: string | null;
    count: string;
  }>(
    `SELECT endpoint, floor(extract(epoch FROM received_at) / 60)::bigint::text AS minute, status,
            CASE WHEN status = 'rejected' THEN reason END AS reason, sum(occurrences)::bigint::text AS count
       FROM ${table}
      WHERE received_at >= $1 AND received_at < $2 ${endpoint}
      GROUP BY 1, 2, 3, 4
      ORDER BY 1, 2`,
    params,
  );
  return rows.map((r) => ({
    endpoint: r.endpoint,
    minute: new Date(Number(r.minute) * 60_000),
    status: r.status,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    count: Number(r.count),
  }));
}

function toStored(row: StoredRow, withBody: boolean): StoredWebhookEvent {
  return {
    id: row.id,
    endpoint: row.endpoint,
    provider: row.provider,
    messageId: row.message_id ?? undefined,
    status: row.status,
    reason: row.reason ?? undefined,
    ...(row.event_type !== null ? { eventType: row.event_type } : {}),
    secretVersion: row.secret_version ?? undefined,
    receivedAt: row.received_at,
    signedAt: row.signed_at ?? undefined,
    method: row.method,
    path: row.path,
    headers: row.headers,
    bodySize: row.body_size,
    bodySha256: row.body_sha256,
    bodyTruncated: row.stored_size < row.body_size,
    // A summary row says so even when it counts one request (its header marks it; no other row has it).
    ...(row.occurrences > 1 || row.headers?.[SUMMARY_HEADER] !== undefined ? { occurrences: row.occurrences } : {}),
    ...(withBody ? { body: row.body } : {}),
  };
}

/** Whether the text is a row id (a decimal that fits PostgreSQL's bigint). @internal */
export function isInt8(text: string): boolean {
  return /^\d{1,19}$/.test(text) && BigInt(text) <= 9_223_372_036_854_775_807n;
}
