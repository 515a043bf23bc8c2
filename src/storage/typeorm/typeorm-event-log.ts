import { createHash } from 'node:crypto';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import {
  EventLogUnavailableError,
  InvalidCursorError,
  type EventLog,
  type EventLogReader,
  type StoredWebhookEvent,
  type WebhookEventPage,
  type WebhookEventQuery,
  type WebhookEventRecord,
  type WebhookEventStatus,
} from '../event-log.interface';
import { assertTables, DataSourceSql, pgOf, resolveSchema } from './sql';
import { HOOKWARDEN_TABLES, qualified } from './storage-schema';
import type { EventLogSettings } from './typeorm-storage.options';

/** @publicApi */
export interface TypeOrmEventLogOptions extends EventLogSettings {
  /** The schema of the tables; the data source's schema by default. */
  schema?: string;
  /** The clock, in ms (tests). @default Date.now */
  now?: () => number;
}

/** A row ready to insert (strings already cleaned, body capped and hashed). */
interface EventRow {
  endpoint: string;
  provider: string;
  messageId: string | null;
  status: WebhookEventStatus;
  reason: string | null;
  secretVersion: number | null;
  receivedAt: Date;
  signedAt: Date | null;
  replayWindowEndsAt: Date | null;
  method: string;
  path: string;
  headers: string;
  body: Buffer;
  bodySize: number;
  bodySha256: Buffer;
  occurrences: number;
}

interface Pending {
  row: EventRow;
  deadline: number;
  settled: boolean;
  resolve(status: WebhookEventStatus): void;
  reject(error: Error): void;
}

interface RejectionSummary {
  provider: string;
  count: number;
  firstAt: number;
  lastAt: number;
  method: string;
  path: string;
}

/** Bounds of attacker-chosen text, so no row can fail a whole batch. */
const MAX_TEXT = { provider: 64, messageId: 512, reason: 128, method: 16, path: 2048, header: 4096 } as const;
const PRUNE_BATCH = 1000;
const PRUNE_MAX_BATCHES_PER_RUN = 50;
const CURSOR = /^v1\.(\d{1,19})$/;

/**
 * The durable event log in PostgreSQL: one row per request, deduplicated by a partial unique index
 * on (endpoint, message id) for accepted rows. Concurrent requests are group-committed: their rows
 * are written by ONE multi-row `INSERT … ON CONFLICT DO NOTHING` per batch, each request's promise
 * resolving only after its batch committed, with its own outcome. When the database is down or
 * slower than `writeTimeoutMs`, `record()` rejects with {@link EventLogUnavailableError} (the guard
 * answers 503 + Retry-After) and the log recovers by itself when the database returns.
 *
 * Writes use a small pool of their own (the data source's connection settings, a server-side
 * statement timeout); reads and retention share it. Call `init()` first (the module does).
 * @publicApi
 */
export class TypeOrmEventLog implements EventLog, EventLogReader, OnModuleDestroy {
  private readonly logger = new Logger('Hookwarden');
  private readonly now: () => number;
  private readonly batchSize: number;
  private readonly maxDelayMs: number;
  private readonly writeTimeoutMs: number;
  private readonly bodyCapBytes: number;
  private readonly rejectedPerSecond: number;
  private readonly retentionMs: number;
  private readonly pruneIntervalMs: number;
  private readonly poolSize: number;
  private readonly maxQueuedRows: number;
  private readonly retryAfterSeconds: number;
  private schema = '';
  private table = '';
  private insertSql = '';
  private insertName = '';
  private pool?: Pool;

  private queue: Pending[] = [];
  private inFlight = 0;
  private flushTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private readonly idle = new Set<() => void>();
  /** Rows of late commits whose requests were already answered 503: to be un-accepted. */
  private lateAccepted: string[] = [];

  private readonly rejectWindows = new Map<string, { second: number; rows: number }>();
  private readonly summaries = new Map<string, Map<string, RejectionSummary>>();
  private summaryTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private pruning?: Promise<number>;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: TypeOrmEventLogOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.batchSize = positive(options.batchSize, 100, 'batchSize');
    this.maxDelayMs = nonNegative(options.maxDelayMs, 2, 'maxDelayMs');
    this.writeTimeoutMs = positive(options.writeTimeoutMs, 2000, 'writeTimeoutMs');
    this.bodyCapBytes = nonNegative(options.bodyCapBytes, 65_536, 'bodyCapBytes');
    this.rejectedPerSecond = nonNegative(options.rejectedPerSecond, 50, 'rejectedPerSecond');
    this.retentionMs = nonNegative(options.retentionDays, 30, 'retentionDays') * 86_400_000;
    this.pruneIntervalMs = positive(options.pruneIntervalMs, 60_000, 'pruneIntervalMs');
    this.poolSize = positive(options.poolSize, 4, 'poolSize');
    this.maxQueuedRows = positive(options.maxQueuedRows, 10_000, 'maxQueuedRows');
    this.retryAfterSeconds = positive(options.retryAfterSeconds, 5, 'retryAfterSeconds');
  }

  /** Checks the table, opens the pool and starts the retention timer. */
  async init(): Promise<void> {
    this.schema = resolveSchema(this.dataSource, this.options.schema);
    this.table = qualified(this.schema, HOOKWARDEN_TABLES.events);
    await assertTables(new DataSourceSql(this.dataSource).query, this.schema, [HOOKWARDEN_TABLES.events]);
    this.insertSql = buildInsert(this.table);
    this.insertName = `hookwarden_events_insert_${createHash('sha256').update(this.insertSql).digest('hex').slice(0, 16)}`;
    const { pg, config } = pgOf(this.dataSource);
    this.pool = new pg.Pool({
      ...config,
      max: this.poolSize,
      // A statement past the deadline is cancelled by the server, so it does not commit later.
      statement_timeout: this.writeTimeoutMs,
      connectionTimeoutMillis: this.writeTimeoutMs,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: 'hookwarden-event-log',
    });
    // An idle connection that breaks (server restart) must not crash the app; the pool replaces it.
    this.pool.on('error', (error) => this.logger.warn(`Event log connection lost: ${error.message}`));
    // A connection that breaks while checked out (server restart, the deadline breaker) emits
    // 'error' on its client, where pg-pool listens only while it is idle: without this listener
    // the process would crash. The query in flight fails too, and attempt() answers 503.
    this.pool.on('connect', (client) => client.on('error', (error) => this.logFailure(error)));
  }

  /**
   * Retention starts with the first event rather than in init(): a log whose app failed to start
   * (and is never closed) then leaves no timer behind.
   */
  private startPruning(): void {
    if (this.pruneTimer || this.closed || this.retentionMs <= 0) return;
    this.pruneTimer = setInterval(() => void this.prune().catch(() => undefined), this.pruneIntervalMs);
    this.pruneTimer.unref();
  }

  // --- writing ---------------------------------------------------------------------------------

  async release(endpoint: string, messageId: string, reason: string): Promise<void> {
    await this.pool!.query(
      `UPDATE ${this.table} SET status = 'rejected', reason = $3
        WHERE endpoint = $1 AND message_id = $2 AND status = 'accepted'`,
      [clean(endpoint, 63), messageIdOf(messageId), clean(reason, MAX_TEXT.reason)],
    );
  }

  record(event: WebhookEventRecord): Promise<WebhookEventStatus> {
    this.startPruning();
    if (this.closed || !this.pool) {
      return Promise.reject(this.unavailable('The webhook event log is not running.'));
    }
    if (event.status === 'rejected' && !this.admitRejection(event)) return Promise.resolve('rejected');
    return this.enqueue(this.toRow(event));
  }

  private enqueue(row: EventRow): Promise<WebhookEventStatus> {
    if (this.queue.length >= this.maxQueuedRows) {
      return Promise.reject(this.unavailable('The webhook event log is overloaded.'));
    }
    return new Promise<WebhookEventStatus>((resolve, reject) => {
      this.queue.push({ row, deadline: this.now() + this.writeTimeoutMs, settled: false, resolve, reject });
      if (this.queue.length >= this.batchSize) this.pump();
      else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.pump(), this.maxDelayMs);
      if (!this.sweepTimer) {
        this.sweepTimer = setInterval(() => this.sweep(), Math.max(10, Math.min(250, this.writeTimeoutMs / 4)));
        this.sweepTimer.unref();
      }
    });
  }

  /** Sends full batches, or what is queued when the delay is over, on every free connection. */
  private pump(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.inFlight < this.poolSize && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize).filter((p) => !p.settled);
      if (batch.length > 0) void this.write(batch);
    }
  }

  /** Rejects the rows that waited past their deadline without reaching a connection. */
  private sweep(): void {
    const now = this.now();
    if (this.queue.some((p) => p.deadline <= now)) {
      const error = this.unavailable('The webhook event log did not answer in time.');
      this.queue = this.queue.filter((p) => {
        if (p.deadline > now) return true;
        settle(p, error);
        return false;
      });
    }
    if (this.queue.length === 0 && this.inFlight === 0 && this.sweepTimer) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
    }
  }

  /** Writes one batch on one connection slot; the slot is free again when the batch is settled. */
  private async write(batch: Pending[]): Promise<void> {
    this.inFlight++;
    try {
      await this.attempt(batch);
    } finally {
      this.inFlight--;
      if (this.queue.length > 0) this.pump();
      else if (this.inFlight === 0) for (const done of [...this.idle]) done();
    }
  }

  /** One statement for the batch; each request learns its own outcome once it committed. */
  private async attempt(batch: Pending[]): Promise<void> {
    let client: PoolClient | undefined;
    let timedOut = false;
    let breaker: NodeJS.Timeout | undefined;
    const deadline = Math.min(...batch.map((p) => p.deadline));
    const timer = setTimeout(
      () => {
        timedOut = true;
        const error = this.unavailable('The webhook event log did not commit in time.');
        for (const p of batch) settle(p, error);
        // A connection that still hangs well after the deadline (a dead peer) is broken up, so
        // its slot is free again.
        breaker = setTimeout(() => destroyConnection(client), this.writeTimeoutMs);
        breaker.unref();
      },
      Math.max(0, deadline - this.now()),
    );
    try {
      client = await this.pool!.connect();
      const { outcomes, acceptedIds } = await this.insert(client, batch);
      client.release();
      client = undefined;
      if (timedOut) {
        // Committed after the requests were answered 503: un-accept these rows, so the
        // provider's retry is accepted (and handled) instead of being taken for a duplicate.
        this.lateAccepted.push(...acceptedIds);
      } else {
        for (const [p, status] of outcomes) settle(p, status);
      }
      if (this.lateAccepted.length > 0) await this.unacceptLate();
    } catch (error) {
      client?.release(error as Error);
      client = undefined;
      if (batch.length > 1 && isDataError(error) && !timedOut) {
        // A row the database refuses must not fail the others: write them one by one.
        this.logger.error(`Event log batch refused (${(error as { code?: string }).code}); retrying row by row.`);
        clearTimeout(timer);
        for (const p of batch) await this.attempt([p]);
      } else {
        if (!timedOut) this.logFailure(error);
        const failure = this.unavailable('The webhook event log is unavailable.');
        for (const p of batch) settle(p, failure);
      }
    } finally {
      clearTimeout(timer);
      if (breaker) clearTimeout(breaker);
    }
  }

  private async insert(
    client: PoolClient,
    batch: Pending[],
  ): Promise<{ outcomes: Map<Pending, WebhookEventStatus>; acceptedIds: string[] }> {
    // Rows go in a fixed order, so two batches never wait on each other in opposite orders (no
    // deadlock); within a batch, a second accepted row with the same id is a duplicate at once.
    const sorted = [...batch].sort((a, b) => compareRows(a.row, b.row));
    const statuses = new Map<Pending, WebhookEventStatus>();
    const seen = new Set<string>();
    for (const p of sorted) {
      const { row } = p;
      let status = row.status;
      if (status === 'accepted' && row.messageId !== null) {
        const key = dedupeKey(row.endpoint, row.messageId);
        if (seen.has(key)) status = 'duplicate';
        else seen.add(key);
      }
      statuses.set(p, status);
    }
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
      name: this.insertName,
      text: this.insertSql,
      values: [
        column('endpoint'),
        column('provider'),
        column('messageId'),
        sorted.map((p) => statuses.get(p)),
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
      ],
    });
    const accepted = new Set<string>();
    const acceptedIds: string[] = [];
    for (const r of result.rows) {
      accepted.add(dedupeKey(r.endpoint, r.message_id));
      acceptedIds.push(r.id);
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
    return { outcomes: statuses, acceptedIds };
  }

  private async unacceptLate(): Promise<void> {
    const ids = this.lateAccepted;
    this.lateAccepted = [];
    try {
      await this.pool!.query(
        `UPDATE ${this.table} SET status = 'rejected', reason = 'event_log_timeout'
          WHERE id = ANY($1::bigint[]) AND status = 'accepted'`,
        [ids],
      );
    } catch {
      this.lateAccepted.push(...ids);
    }
  }

  /** Under a flood of rejections, only `rejectedPerSecond` rows per endpoint; the rest are counted. */
  private admitRejection(event: WebhookEventRecord): boolean {
    const now = this.now();
    const second = Math.floor(now / 1000);
    let window = this.rejectWindows.get(event.endpoint);
    if (!window || window.second !== second) {
      window = { second, rows: 0 };
      this.rejectWindows.set(event.endpoint, window);
    }
    if (window.rows < this.rejectedPerSecond) {
      window.rows++;
      return true;
    }
    let reasons = this.summaries.get(event.endpoint);
    if (!reasons) {
      reasons = new Map();
      this.summaries.set(event.endpoint, reasons);
    }
    const reason = clean(event.reason ?? 'rejected', MAX_TEXT.reason);
    const summary = reasons.get(reason);
    if (summary) {
      summary.count++;
      summary.lastAt = now;
    } else {
      reasons.set(reason, {
        provider: event.provider,
        count: 1,
        firstAt: now,
        lastAt: now,
        method: event.method,
        path: event.path,
      });
    }
    if (!this.summaryTimer) {
      this.summaryTimer = setTimeout(() => this.flushSummaries(), 1000);
      this.summaryTimer.unref();
    }
    return false;
  }

  /** Writes one row per endpoint and reason for the rejections that were only counted. */
  flushSummaries(): Promise<void> {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    const writes: Promise<unknown>[] = [];
    for (const [endpoint, reasons] of this.summaries) {
      for (const [reason, s] of reasons) {
        const headers = {
          'x-hookwarden-summary': `${s.count} rejected requests from ${new Date(s.firstAt).toISOString()} to ${new Date(s.lastAt).toISOString()}`,
        };
        const row = this.toRow({
          endpoint,
          provider: s.provider,
          status: 'rejected',
          reason,
          receivedAt: new Date(s.firstAt),
          replayWindowEndsAt: new Date(s.firstAt),
          method: s.method,
          path: s.path,
          headers,
          body: Buffer.alloc(0),
        });
        row.occurrences = s.count;
        writes.push(
          this.enqueue(row).catch(() => this.logger.warn(`Could not record ${s.count} rejected requests (${reason}).`)),
        );
      }
    }
    this.summaries.clear();
    return Promise.all(writes).then(() => undefined);
  }

  // --- reading ---------------------------------------------------------------------------------

  async list(query: WebhookEventQuery): Promise<WebhookEventPage> {
    const limit = Math.min(500, Math.max(1, Math.floor(query.limit) || 1));
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (query.cursor !== undefined) where.push(`id < ${param(decodeCursor(query.cursor))}::bigint`);
    if (query.endpoint !== undefined) where.push(`endpoint = ${param(query.endpoint)}`);
    if (query.status !== undefined) where.push(`status = ${param(query.status)}`);
    if (query.reason !== undefined) where.push(`reason = ${param(query.reason)}`);
    if (query.since !== undefined) where.push(`received_at >= ${param(query.since)}`);
    if (query.until !== undefined) where.push(`received_at < ${param(query.until)}`);
    // Newest first is highest id first: the order rows reached the log, whatever the clocks of
    // the instances that received them.
    const { rows } = await this.read<StoredRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM ${this.table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id DESC LIMIT ${param(limit + 1)}`,
      params,
    );
    const items = rows.slice(0, limit).map((row) => toStored(row, false));
    return { items, nextCursor: rows.length > limit ? encodeCursor(rows[limit - 1].id) : undefined };
  }

  async get(id: string): Promise<StoredWebhookEvent | undefined> {
    if (!isInt8(id)) return undefined;
    const { rows } = await this.read<StoredRow>(
      `SELECT ${SUMMARY_COLUMNS}, body FROM ${this.table} WHERE id = $1::bigint`,
      [id],
    );
    return rows[0] ? toStored(rows[0], true) : undefined;
  }

  private async read<T>(text: string, params: unknown[]): Promise<{ rows: T[] }> {
    if (!this.pool) throw this.unavailable('The webhook event log is not running.');
    return this.pool.query(text, params) as unknown as Promise<{ rows: T[] }>;
  }

  // --- retention -------------------------------------------------------------------------------

  /**
   * Deletes rows older than the retention (never one whose message id could still be replayed),
   * in small batches. Runs on a timer; returns how many rows went.
   */
  prune(): Promise<number> {
    if (this.retentionMs <= 0 || !this.pool || this.closed) return Promise.resolve(0);
    this.pruning ??= this.pruneBatches().finally(() => (this.pruning = undefined));
    return this.pruning;
  }

  private async pruneBatches(): Promise<number> {
    const now = this.now();
    const cutoff = new Date(now - this.retentionMs);
    let total = 0;
    for (let i = 0; i < PRUNE_MAX_BATCHES_PER_RUN && !this.closed; i++) {
      const { rowCount } = await this.pool!.query(
        `DELETE FROM ${this.table} WHERE id IN (
           SELECT id FROM ${this.table}
            WHERE received_at < $1 AND (replay_window_ends_at IS NULL OR replay_window_ends_at < $2)
            ORDER BY id LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED)`,
        [cutoff, new Date(now)],
      );
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < PRUNE_BATCH) break;
    }
    return total;
  }

  // --- lifecycle -------------------------------------------------------------------------------

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Writes what is queued (and the pending summaries), waits for the batches in flight, closes the pool. */
  async close(): Promise<void> {
    if (this.closed || !this.pool) {
      this.closed = true;
      return;
    }
    await this.flushSummaries();
    this.closed = true;
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pump();
    if (this.inFlight > 0 || this.queue.length > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.idle.delete(done);
          resolve();
        };
        this.idle.add(done);
        setTimeout(done, this.writeTimeoutMs * 2).unref();
      });
    }
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    await this.pruning?.catch(() => undefined);
    const pool = this.pool;
    this.pool = undefined;
    await pool.end().catch(() => undefined);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private toRow(event: WebhookEventRecord): EventRow {
    const body = event.body ?? Buffer.alloc(0);
    const cap = event.storeBody === false ? 0 : this.bodyCapBytes;
    return {
      endpoint: clean(event.endpoint, 63),
      provider: clean(event.provider, MAX_TEXT.provider),
      messageId: event.messageId === undefined ? null : messageIdOf(event.messageId),
      status: event.status,
      reason: event.reason === undefined ? null : clean(event.reason, MAX_TEXT.reason),
      secretVersion: event.secretVersion ?? null,
      receivedAt: event.receivedAt,
      signedAt: event.signedAt ?? null,
      replayWindowEndsAt: event.replayWindowEndsAt ?? null,
      method: clean(event.method, MAX_TEXT.method),
      path: clean(event.path, MAX_TEXT.path),
      headers: JSON.stringify(cleanHeaders(event.headers)),
      body: body.length > cap ? body.subarray(0, cap) : body,
      bodySize: body.length,
      bodySha256: createHash('sha256').update(body).digest(),
      occurrences: 1,
    };
  }

  private unavailable(message: string): EventLogUnavailableError {
    return new EventLogUnavailableError(message, this.retryAfterSeconds);
  }

  private lastFailureLog = 0;
  private logFailure(error: unknown): void {
    const now = this.now();
    if (now - this.lastFailureLog < 5000) return;
    this.lastFailureLog = now;
    const e = error as { message?: string; code?: string };
    this.logger.error(`Event log write failed${e.code ? ` (${e.code})` : ''}: ${e.message ?? 'unknown error'}`);
  }
}

/**
 * The one statement of a batch: accepted rows whose id is taken become `duplicate` rows. Columns
 * travel as arrays (one parameter each, whatever the batch size, so the statement is prepared
 * once per connection); the bodies and their hashes travel as one binary parameter each, sliced
 * by offset on the server, which spares encoding every body as hex text.
 */
function buildInsert(table: string): string {
  const columns =
    'endpoint, provider, message_id, status, reason, secret_version, received_at, signed_at, replay_window_ends_at, method, path, headers, body, body_size, body_sha256, occurrences';
  return `WITH input AS (
      SELECT i.endpoint, i.provider, i.message_id, i.status, i.reason, i.secret_version,
             to_timestamp(i.received_ms / 1000) AS received_at, to_timestamp(i.signed_ms / 1000) AS signed_at,
             to_timestamp(i.replay_ms / 1000) AS replay_window_ends_at, i.method, i.path, i.headers,
             substring($13::bytea FROM i.body_offset + 1 FOR i.body_length) AS body, i.body_size,
             substring($16::bytea FROM (i.ord::int - 1) * 32 + 1 FOR 32) AS body_sha256, i.occurrences, i.ord
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
                    $7::float8[], $8::float8[], $9::float8[], $10::text[], $11::text[], $12::jsonb[],
                    $14::int[], $15::int[], $17::int[], $18::int[])
             WITH ORDINALITY AS i(endpoint, provider, message_id, status, reason, secret_version,
                                  received_ms, signed_ms, replay_ms, method, path, headers,
                                  body_offset, body_length, body_size, occurrences, ord)
    ), inserted AS (
      INSERT INTO ${table} (${columns})
      SELECT ${columns} FROM input ORDER BY ord
      ON CONFLICT (endpoint, message_id) WHERE status = 'accepted' DO NOTHING
      RETURNING id, endpoint, message_id, status
    ), duplicates AS (
      INSERT INTO ${table} (${columns})
      SELECT endpoint, provider, message_id, 'duplicate', reason, secret_version, received_at, signed_at,
             replay_window_ends_at, method, path, headers, body, body_size, body_sha256, occurrences
        FROM input i
       WHERE i.status = 'accepted' AND i.message_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM inserted n WHERE n.status = 'accepted'
                            AND n.endpoint = i.endpoint AND n.message_id = i.message_id)
         -- Evaluated once: without a conflict (the usual case) this whole insert is skipped.
         AND (SELECT count(*) FROM inserted WHERE status = 'accepted' AND message_id IS NOT NULL)
             < (SELECT count(*) FROM input WHERE status = 'accepted' AND message_id IS NOT NULL)
       ORDER BY ord
    )
    SELECT id::text AS id, endpoint, message_id FROM inserted WHERE status = 'accepted' AND message_id IS NOT NULL`;
}

function settle(p: Pending, result: WebhookEventStatus | Error): void {
  if (p.settled) return;
  p.settled = true;
  if (result instanceof Error) p.reject(result);
  else p.resolve(result);
}

function dedupeKey(endpoint: string, messageId: string): string {
  return `${endpoint}\n${messageId}`;
}

function compareRows(a: EventRow, b: EventRow): number {
  if (a.endpoint !== b.endpoint) return a.endpoint < b.endpoint ? -1 : 1;
  const x = a.messageId ?? '';
  const y = b.messageId ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** SQLSTATE classes of a refused row (bad data, constraint, limit), not of an unavailable database. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

function destroyConnection(client: PoolClient | undefined): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } } | undefined)?.connection
    ?.stream;
  stream?.destroy();
}

/** NUL is the one character PostgreSQL text cannot hold; long text is cut. */
function clean(text: string, max: number): string {
  const value = String(text ?? '');
  const cut = value.length > max ? value.slice(0, max) : value;
  return cut.includes('\0') ? cut.replace(/\0/g, '\uFFFD') : cut;
}

/** Ids longer than the bound are stored by their SHA-256, so deduplication stays exact. */
function messageIdOf(id: string): string {
  if (id.length <= MAX_TEXT.messageId && !id.includes('\0')) return id;
  return `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

function cleanHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    out[clean(name, 256)] = clean(Array.isArray(value) ? value.join(', ') : String(value), MAX_TEXT.header);
  }
  return out;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`eventLog.${name} must be a positive number.`);
  return v;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`eventLog.${name} must be zero or more.`);
  return v;
}

// --- reading helpers ---------------------------------------------------------------------------

const SUMMARY_COLUMNS = `id::text AS id, endpoint, provider, message_id, status, reason, secret_version, received_at,
  signed_at, method, path, headers, body_size, encode(body_sha256, 'hex') AS body_sha256,
  octet_length(body) AS stored_size, occurrences`;

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
  body?: Buffer;
}

function toStored(row: StoredRow, withBody: boolean): StoredWebhookEvent {
  return {
    id: row.id,
    endpoint: row.endpoint,
    provider: row.provider,
    messageId: row.message_id ?? undefined,
    status: row.status,
    reason: row.reason ?? undefined,
    secretVersion: row.secret_version ?? undefined,
    receivedAt: row.received_at,
    signedAt: row.signed_at ?? undefined,
    method: row.method,
    path: row.path,
    headers: row.headers,
    bodySize: row.body_size,
    bodySha256: row.body_sha256,
    bodyTruncated: row.stored_size < row.body_size,
    ...(row.occurrences > 1 ? { occurrences: row.occurrences } : {}),
    ...(withBody ? { body: row.body } : {}),
  };
}

/** A decimal that fits PostgreSQL's bigint. */
function isInt8(text: string): boolean {
  return /^\d{1,19}$/.test(text) && BigInt(text) <= 9_223_372_036_854_775_807n;
}

function encodeCursor(id: string): string {
  return Buffer.from(`v1.${id}`).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const text =
    typeof cursor === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(cursor)
      ? Buffer.from(cursor, 'base64url').toString('latin1')
      : '';
  const match = CURSOR.exec(text);
  if (!match || encodeCursor(match[1]) !== cursor || !isInt8(match[1])) {
    throw new InvalidCursorError('The cursor is not valid.');
  }
  return match[1];
}
