import { createHash } from 'node:crypto';
import type { PoolClient, QueryResult } from 'pg';
import type { WebhookEventStatus } from '../event-log.interface';
import { WebhookConfigurationError } from '../../core/errors';
import { compareRows, dedupeKey, type EventRow } from './event-log-rows';
import { jobTraceParentMigrationName } from './hookwarden.migrations';
import type { Sql } from './sql';

/** The batch INSERT, named so each connection prepares it once. @internal */
export interface InsertStatement {
  name: string;
  text: string;
  /** Writes the inbox's jobs (a 22nd parameter) and the events' seals (23rd and 24th) too. */
  withWork?: true;
}

/**
 * The one statement of a batch: accepted rows whose id is taken are not inserted (the caller learns
 * they are duplicates from what the statement returns, and writes their rows under the budget). Columns
 * travel as arrays (one parameter each, whatever the batch size, so the statement is prepared
 * once per connection); the bodies and their hashes travel as one binary parameter each, sliced
 * by offset on the server, which spares encoding every body as hex text.
 * @internal
 */
export function insertStatement(table: string, inbox?: InboxTables): InsertStatement {
  const columns =
    'endpoint, provider, message_id, status, reason, secret_version, received_at, signed_at, replay_window_ends_at, method, path, headers, body, body_size, body_sha256, occurrences, handling_until, handling_token, event_type';
  // With the inbox, ids are drawn in the input, so the jobs of each inserted row are written by the
  // same statement (one commit: "2xx" implies "will be processed").
  const id = inbox ? `nextval('${inbox.sequence.replace(/'/g, "''")}'::regclass) AS id, ` : '';
  const text = `WITH input AS (
      SELECT ${id}i.endpoint, i.provider, i.message_id, i.status, i.reason, i.secret_version,
             to_timestamp(i.received_ms / 1000) AS received_at, to_timestamp(i.signed_ms / 1000) AS signed_at,
             to_timestamp(i.replay_ms / 1000) AS replay_window_ends_at, i.method, i.path, i.headers,
             substring($13::bytea FROM i.body_offset + 1 FOR i.body_length) AS body, i.body_size,
             substring($16::bytea FROM (i.ord::int - 1) * 32 + 1 FOR 32) AS body_sha256, i.occurrences, i.ord,
             -- An accepted delivery is in progress until acknowledged (its 2xx), for at most the lease.
             CASE WHEN i.status = 'accepted' AND i.message_id IS NOT NULL
                  THEN statement_timestamp() + make_interval(secs => $19::float8) END AS handling_until,
             CASE WHEN i.status = 'accepted' AND i.message_id IS NOT NULL THEN i.handling_token END AS handling_token,
             i.event_type${inbox ? ', i.work, i.seal, i.seal_key_id' : ''}
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
                    $7::float8[], $8::float8[], $9::float8[], $10::text[], $11::text[], $12::jsonb[],
                    $14::int[], $15::int[], $17::int[], $18::int[], $20::text[], $21::text[]${inbox ? ', $22::jsonb[], $23::bytea[], $24::text[]' : ''})
             WITH ORDINALITY AS i(endpoint, provider, message_id, status, reason, secret_version,
                                  received_ms, signed_ms, replay_ms, method, path, headers,
                                  body_offset, body_length, body_size, occurrences, handling_token, event_type${
                                    inbox ? ', work, seal, seal_key_id' : ''
                                  }, ord)
    ), inserted AS (
      INSERT INTO ${table} (${inbox ? 'id, ' : ''}${columns}${inbox ? ', seal, seal_key_id' : ''})
      SELECT ${inbox ? 'id, ' : ''}${columns}${inbox ? ', seal, seal_key_id' : ''} FROM input ORDER BY ord
      ON CONFLICT (endpoint, message_id) WHERE status = 'accepted' DO NOTHING
      RETURNING id, endpoint, message_id, status
    )${
      inbox
        ? `, jobs AS (
      INSERT INTO ${inbox.jobs} (event_id, endpoint, handler, event_type, order_key, trace_parent, state, attempts, run_at)
      SELECT n.id, n.endpoint, w->>'h', w->>'t', w->>'k', w->>'p', 'pending', 0, statement_timestamp()
        FROM inserted n JOIN input i ON i.id = n.id CROSS JOIN LATERAL jsonb_array_elements(i.work) AS w
       WHERE n.status = 'accepted' AND i.work IS NOT NULL
      ON CONFLICT (event_id, handler) DO NOTHING
    )`
        : ''
    }
    SELECT id::text AS id, endpoint, message_id FROM inserted WHERE status = 'accepted' AND message_id IS NOT NULL`;
  const name = `hookwarden_events_insert_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
  return inbox ? { name, text, withWork: true } : { name, text };
}

/** The inbox's jobs table and the events' id sequence, for the statement that writes both. @internal */
export interface InboxTables {
  jobs: string;
  sequence: string;
}

/** Each entry's outcome, and the ids of the accepted rows the batch wrote. @internal */
export interface BatchOutcome<P> {
  outcomes: Map<P, WebhookEventStatus>;
  /** The accepted rows written, with the lease token each was written under. */
  accepted: Array<{ id: string; token: string | null }>;
}

/**
 * Inserts a batch in one statement; returns each entry's outcome (its status, or `duplicate` for an
 * accepted row whose id was taken) and the ids of the accepted rows it wrote.
 * @internal
 */
export async function insertBatch<P extends { row: EventRow }>(
  client: PoolClient,
  statement: InsertStatement,
  batch: P[],
  leaseSeconds: number,
): Promise<BatchOutcome<P>> {
  // Rows go in a fixed order, so two batches never wait on each other in opposite orders (no
  // deadlock); within a batch, a second accepted row with the same id is a duplicate at once, and
  // is not sent: like every duplicate, its row is written afterwards under the budget.
  const all = [...batch].sort((a, b) => compareRows(a.row, b.row));
  const statuses = new Map<P, WebhookEventStatus>();
  const seen = new Set<string>();
  for (const p of all) {
    const { row } = p;
    let status = row.status;
    if (status === 'accepted' && row.messageId !== null) {
      const key = dedupeKey(row.endpoint, row.messageId);
      if (seen.has(key)) status = 'duplicate';
      else seen.add(key);
    }
    statuses.set(p, status);
  }
  const sorted = all.filter((p) => statuses.get(p) === p.row.status);
  const column = <K extends keyof EventRow>(key: K) => sorted.map((p) => p.row[key]);
  const ms = (key: 'receivedAt' | 'signedAt' | 'replayWindowEndsAt') =>
    sorted.map((p) => p.row[key]?.getTime() ?? null);
  const offsets: number[] = [];
  let offset = 0;
  for (const p of sorted) {
    offsets.push(offset);
    offset += p.row.body.length;
  }
  const result: QueryResult<{ id: string; endpoint: string; message_id: string }> = await client.query({
    name: statement.name,
    text: statement.text,
    values: [
      column('endpoint'),
      column('provider'),
      column('messageId'),
      column('status'),
      column('reason'),
      column('secretVersion'),
      ms('receivedAt'),
      ms('signedAt'),
      ms('replayWindowEndsAt'),
      column('method'),
      column('path'),
      column('headers'),
      Buffer.concat(
        sorted.map((p) => p.row.body),
        offset,
      ),
      offsets,
      sorted.map((p) => p.row.body.length),
      Buffer.concat(sorted.map((p) => p.row.bodySha256)),
      column('bodySize'),
      column('occurrences'),
      leaseSeconds,
      column('leaseToken'),
      column('eventType'),
      // Only the inbox's statement has the 22nd to 24th parameters.
      ...(statement.withWork ? [column('work'), column('seal'), column('sealKeyId')] : []),
    ],
  });
  const tokens = new Map(sorted.map((p) => [dedupeKey(p.row.endpoint, p.row.messageId ?? ''), p.row.leaseToken]));
  const accepted = new Set<string>();
  const written: BatchOutcome<P>['accepted'] = [];
  for (const r of result.rows) {
    const key = dedupeKey(r.endpoint, r.message_id);
    accepted.add(key);
    written.push({ id: r.id, token: tokens.get(key) ?? null });
  }
  for (const [p, status] of statuses) {
    if (
      status === 'accepted' &&
      p.row.messageId !== null &&
      !accepted.has(dedupeKey(p.row.endpoint, p.row.messageId))
    ) {
      statuses.set(p, 'duplicate');
    }
  }
  return { outcomes: statuses, accepted: written };
}

/**
 * Whether the event row `alias` is acknowledged: `handling_until` NULL (never in progress, or
 * acknowledged before the acks table existed), or an ack row under its current lease token.
 * @internal
 */
export function acknowledgedSql(acksTable: string, alias: string): string {
  return `(${alias}.handling_until IS NULL OR EXISTS (SELECT 1 FROM ${acksTable} ack
            WHERE ack.event_id = ${alias}.id AND ack.token IS NOT DISTINCT FROM ${alias}.handling_token))`;
}

/**
 * How acknowledgements tell the inbox's workers that jobs became runnable: the ack statement sends
 * `pg_notify(channel, payload)` itself (the other instances), then `wake()` (this one's). @internal
 */
export interface InboxNotify {
  channel: string;
  payload: string;
  wake(): void;
}

/**
 * The acknowledgements of a group ($1 endpoints, $2 message ids, $3 tokens) as narrow rows: an
 * UPDATE of the event's own ~1.5 KiB row rewrote it with its three index entries (~45 µs of
 * PostgreSQL's CPU each). The ack carries the token of the lease it settles: a copy's takeover (a
 * new token) is not acknowledged by it; an ack that comes after such a takeover replaces the older
 * one. With the jobs table, each row says whether its event has jobs (now runnable).
 * @internal
 */
export function ackInsertSql(acksTable: string, eventsTable: string, jobsTable?: string): string {
  const insert = `INSERT INTO ${acksTable} AS k (event_id, token)
          SELECT e.id, e.handling_token
            FROM unnest($1::text[], $2::text[], $3::text[]) AS a(endpoint, message_id, token)
            JOIN ${eventsTable} e ON e.endpoint = a.endpoint AND e.message_id = a.message_id
           WHERE e.status = 'accepted' AND e.handling_until IS NOT NULL
             AND (a.token IS NULL OR e.handling_token = a.token)
          ON CONFLICT (event_id) DO UPDATE SET token = EXCLUDED.token`;
  if (!jobsTable) return insert;
  // With the jobs table, the same statement tells the other instances' workers ($4 the channel, $5
  // the payload) when an acknowledged event has jobs: no NOTIFY round trip of its own per group.
  return `WITH acked AS (${insert} RETURNING EXISTS (SELECT 1 FROM ${jobsTable} j WHERE j.event_id = k.event_id) AS work),
               notified AS (SELECT pg_notify($4, $5) FROM (SELECT 1 FROM acked WHERE work LIMIT 1) w)
          SELECT EXISTS (SELECT 1 FROM acked WHERE work) AS work, (SELECT count(*) FROM notified) AS notified`;
}

/** The parameters of {@link ackInsertSql}: the channel and payload too, with the jobs table. @internal */
export function ackInsertValues(
  acks: readonly { endpoint: string; messageId: string; token: string | null }[],
  notify?: InboxNotify,
): unknown[] {
  const values: unknown[] = [acks.map((a) => a.endpoint), acks.map((a) => a.messageId), acks.map((a) => a.token)];
  if (notify) values.push(notify.channel, notify.payload);
  return values;
}

/**
 * Un-accepts rows that committed after their requests were answered 503 ($1 ids, $2 the lease token
 * each was written under), and with the inbox takes their jobs (as a withdrawn acceptance does): the
 * provider's retry brings new ones, and a job left behind would stay due forever. Only while the row
 * is still that request's: under its token (a copy that took it over has its own) and not
 * acknowledged, and with the inbox while none of its jobs has started (see {@link withdrawSql}).
 * @internal
 */
export function unacceptLateSql(table: string, acksTable: string, jobsTable?: string): string {
  return withdrawSql({
    table,
    acksTable,
    jobsTable,
    set: `status = 'rejected', reason = 'event_log_timeout', handling_until = NULL, handling_token = NULL`,
    from: `unnest($1::bigint[], $2::text[]) AS l(id, token)`,
    where: `e.id = l.id AND e.handling_token IS NOT DISTINCT FROM l.token`,
  });
}

/**
 * Withdraws accepted rows still in progress (`where`, over `from`): neither acknowledged (a copy may
 * have been answered 2xx) nor, with the inbox, with a job that started (its lease ran out
 * unacknowledged: a new acceptance of the provider's retry would run a second job beside it); their
 * jobs go with them. The jobs are locked first, so a claim that commits meanwhile is seen (or skips
 * them), never deleted while it runs. @internal
 */
export function withdrawSql(w: {
  table: string;
  acksTable: string;
  jobsTable?: string;
  set: string;
  from?: string;
  where: string;
}): string {
  const still = `e.status = 'accepted' AND e.handling_until IS NOT NULL AND NOT ${acknowledgedSql(w.acksTable, 'e')}`;
  if (!w.jobsTable) {
    return `UPDATE ${w.table} AS e SET ${w.set}${w.from ? ` FROM ${w.from}` : ''} WHERE ${w.where} AND ${still}`;
  }
  // `locked` returns each job's latest version once its lock is held (a claim in flight is waited
  // for): the statement's own snapshot would still show it pending.
  return `WITH target AS (
            SELECT e.id FROM ${w.table} e${w.from ? `, ${w.from}` : ''} WHERE ${w.where} AND ${still}
          ), locked AS (
            SELECT j.event_id, j.state, j.attempts FROM ${w.jobsTable} j
             WHERE j.event_id IN (SELECT id FROM target) FOR UPDATE OF j
          ), withdrawn AS (
            UPDATE ${w.table} AS e SET ${w.set}
             WHERE e.id IN (SELECT id FROM target) AND ${still}
               AND NOT EXISTS (SELECT 1 FROM locked l WHERE l.event_id = e.id AND (l.state <> 'pending' OR l.attempts > 0))
            RETURNING e.id
          )
          DELETE FROM ${w.jobsTable} WHERE event_id IN (SELECT id FROM withdrawn)`;
}

/** SQLSTATE classes of a refused row (bad data, constraint, limit), not of an unavailable database. @internal */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

/** Fails start-up with the fix when a migration that adds columns (lease, event type) has not run. @internal */
export async function assertLeaseColumn(sql: Sql, table: string): Promise<void> {
  const { rows } = await sql<{ found: boolean }>(
    `SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass($1) AND NOT attisdropped
               AND attname IN ('handling_until', 'handling_token', 'event_type')) = 3 AS found`,
    [table],
  );
  if (rows[0]?.found !== true) {
    throw new WebhookConfigurationError(
      `The column handling_until, handling_token or event_type is missing in ${table}: run Hookwarden's migrations (HOOKWARDEN_MIGRATIONS, ` +
        'or `npx hookwarden migrate`) after upgrading.',
    );
  }
}

/** Whether the jobs table has `trace_parent` (a migration of its own, which the inbox needs). @internal */
export async function hasTraceParentColumn(sql: Sql, jobsTable: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND NOT attisdropped
               AND attname = 'trace_parent') AS found`,
    [jobsTable],
  );
  return rows[0]?.found === true;
}

/** The start-up error of an inbox on a jobs table without `trace_parent`, naming its migration. @internal */
export function missingTraceParentColumn(jobsTable: string, schema?: string): WebhookConfigurationError {
  return new WebhookConfigurationError(
    `The column trace_parent is missing in ${jobsTable}: run Hookwarden's migrations (HOOKWARDEN_MIGRATIONS, ` +
      `or \`npx hookwarden migrate\`; the migration ${jobTraceParentMigrationName(schema)}) to use @OnWebhook handlers.`,
  );
}
