import { createHash } from 'node:crypto';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import {
  EventLogUnavailableError,
  InvalidCursorError,
  type DuplicateState,
  type EventLog,
  type EventLogReader,
  type StoredWebhookEvent,
  type WebhookEventPage,
  type WebhookEventQuery,
  type WebhookEventRecord,
  type WebhookEventStatus,
} from '../event-log.interface';
import { bodyCapOf, boundRecord, FloodBudget } from '../flood-control';
import { WebhookConfigurationError } from '../../core/errors';
import { assertTables, DataSourceSql, pgOf, resolveSchema, type Sql } from './sql';
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
  /** The token of the request that holds the in-progress lease of an accepted row. */
  leaseToken: string | null;
}

interface Pending {
  row: EventRow;
  /** The request's record, for the row of a duplicate (summary rows have none). */
  event?: WebhookEventRecord;
  deadline: number;
  settled: boolean;
  resolve(status: WebhookEventStatus): void;
  reject(error: Error): void;
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
  private readonly budget: FloodBudget;
  private readonly retentionMs: number;
  private readonly pruneIntervalMs: number;
  private readonly poolSize: number;
  private readonly maxQueuedRows: number;
  private readonly retryAfterSeconds: number;
  private readonly leaseSeconds: number;
  /** Acknowledgements waiting for their grouped UPDATE. */
  private acks: Array<{ endpoint: string; messageId: string; token: string | null; done: (error?: Error) => void }> =
    [];
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
    this.budget = new FloodBudget(
      {
        rejected: nonNegative(options.rejectedPerSecond, 50, 'rejectedPerSecond'),
        challenge: nonNegative(options.challengesPerSecond, 10, 'challengesPerSecond'),
        duplicate: nonNegative(options.duplicatesPerSecond, 10, 'duplicatesPerSecond'),
      },
      this.now,
    );
    this.retentionMs = nonNegative(options.retentionDays, 30, 'retentionDays') * 86_400_000;
    this.pruneIntervalMs = positive(options.pruneIntervalMs, 60_000, 'pruneIntervalMs');
    this.poolSize = positive(options.poolSize, 4, 'poolSize');
    this.maxQueuedRows = positive(options.maxQueuedRows, 10_000, 'maxQueuedRows');
    this.retryAfterSeconds = positive(options.retryAfterSeconds, 5, 'retryAfterSeconds');
    this.leaseSeconds = positive(options.handlingLeaseSeconds, 60, 'handlingLeaseSeconds');
  }

  /** Checks the table, opens the pool and starts the retention timer. */
  async init(): Promise<void> {
    this.schema = resolveSchema(this.dataSource, this.options.schema);
    this.table = qualified(this.schema, HOOKWARDEN_TABLES.events);
    const sql = new DataSourceSql(this.dataSource).query;
    await assertTables(sql, this.schema, [HOOKWARDEN_TABLES.events]);
    await assertLeaseColumn(sql, this.table);
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

  /**
   * Only an acceptance still in progress is withdrawn (`handling_until` set): once acknowledged, a
   * copy may have been answered 2xx, and withdrawing it would lose the event. With a token, only
   * while the lease is still that holder's: a stale holder must not undo a copy's takeover.
   */
  async release(endpoint: string, messageId: string, reason: string, leaseToken?: string): Promise<void> {
    try {
      await this.bounded(
        `UPDATE ${this.table} SET status = 'rejected', reason = $3, handling_until = NULL, handling_token = NULL
          WHERE endpoint = $1 AND message_id = $2 AND status = 'accepted' AND handling_until IS NOT NULL
            AND ($4::text IS NULL OR handling_token = $4::text)`,
        [clean(endpoint, 63), messageIdOf(messageId), clean(reason, MAX_TEXT.reason), leaseToken ?? null],
      );
    } catch (error) {
      this.logFailure(error);
      throw this.unavailable('The webhook event log is unavailable.');
    }
  }

  /** Grouped like the inserts: the acknowledgements of one turn of the event loop go in one UPDATE. */
  acknowledge(endpoint: string, messageId: string, leaseToken?: string): Promise<void> {
    if (this.closed || !this.pool) return Promise.reject(this.unavailable('The webhook event log is not running.'));
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => (error ? reject(error) : resolve());
      const ack = { endpoint: clean(endpoint, 63), messageId: messageIdOf(messageId), token: leaseToken ?? null, done };
      if (this.acks.push(ack) === 1) setImmediate(() => void this.flushAcks());
    });
  }

  /**
   * Under the same deadline as a write: a silent database must not hold back the 2xx (the verifier
   * logs the failure and answers; the lease then runs out and one copy is handled again).
   */
  private async flushAcks(): Promise<void> {
    const acks = this.acks;
    this.acks = [];
    try {
      await this.bounded(
        `UPDATE ${this.table} AS e SET handling_until = NULL, handling_token = NULL
           FROM unnest($1::text[], $2::text[], $3::text[]) AS a(endpoint, message_id, token)
          WHERE e.endpoint = a.endpoint AND e.message_id = a.message_id AND e.status = 'accepted'
            AND e.handling_until IS NOT NULL AND (a.token IS NULL OR e.handling_token = a.token)`,
        [acks.map((a) => a.endpoint), acks.map((a) => a.messageId), acks.map((a) => a.token)],
      );
      for (const a of acks) a.done();
    } catch (error) {
      this.logFailure(error);
      for (const a of acks) a.done(this.unavailable('The webhook event log is unavailable.'));
    }
  }

  /**
   * One statement: reads the accepted row of the id and, when its lease has run out, takes it over
   * atomically under the caller's token (concurrent copies re-check the lease on the row, so one of
   * them wins). A row not visible (released meanwhile, or committed by another instance after this
   * snapshot) is in progress. A database that does not answer in time is unavailable (503).
   */
  async resolveDuplicate(endpoint: string, messageId: string, leaseToken?: string): Promise<DuplicateState> {
    try {
      const { rows } = await this.bounded<{ acknowledged: boolean; claimed: boolean }>(
        `WITH current AS (
           SELECT id, handling_until FROM ${this.table}
            WHERE endpoint = $1 AND message_id = $2 AND status = 'accepted'
         ), claimed AS (
           UPDATE ${this.table} AS e
              SET handling_until = statement_timestamp() + make_interval(secs => $3), handling_token = $4::text
             FROM current c
            WHERE e.id = c.id AND e.status = 'accepted' AND e.handling_until <= statement_timestamp()
           RETURNING e.id
         )
         SELECT EXISTS (SELECT 1 FROM current WHERE handling_until IS NULL) AS acknowledged,
                EXISTS (SELECT 1 FROM claimed) AS claimed`,
        [clean(endpoint, 63), messageIdOf(messageId), this.leaseSeconds, leaseToken ?? null],
      );
      if (rows[0]?.claimed) return 'claimed';
      return rows[0]?.acknowledged ? 'acknowledged' : 'in_progress';
    } catch (error) {
      this.logFailure(error);
      throw this.unavailable('The webhook event log is unavailable.');
    }
  }

  /**
   * One statement on a connection of the pool, under the writes' deadline: past it the promise
   * rejects with {@link EventLogUnavailableError}, and a connection still hung `writeTimeoutMs`
   * later (a peer that stopped answering, which the server-side statement timeout cannot end) is
   * broken up, so its slot is free again. Every statement of the log goes through here or attempt().
   */
  private async bounded<T extends object>(text: string, values: unknown[]): Promise<QueryResult<T>> {
    const pool = this.pool;
    if (this.closed || !pool) throw this.unavailable('The webhook event log is not running.');
    let client: PoolClient | undefined;
    let breaker: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;
    const run = (async () => {
      try {
        client = await pool.connect();
        const result = await client.query<T>(text, values);
        client.release();
        client = undefined;
        return result;
      } catch (error) {
        client?.release(error as Error);
        client = undefined;
        throw error;
      } finally {
        if (breaker) clearTimeout(breaker);
      }
    })();
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(this.unavailable('The webhook event log did not answer in time.'));
        breaker = setTimeout(() => destroyConnection(client), this.writeTimeoutMs);
        breaker.unref();
      }, this.writeTimeoutMs);
    });
    // Past the deadline nobody awaits the statement any more: its late failure is not unhandled.
    run.catch(() => undefined);
    try {
      return await Promise.race([run, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  record(event: WebhookEventRecord): Promise<WebhookEventStatus> {
    this.startPruning();
    if (this.closed || !this.pool) {
      return Promise.reject(this.unavailable('The webhook event log is not running.'));
    }
    // Anyone can send rejections and challenges: a budget of rows per second, the rest counted.
    // (Duplicates are known only once their batch committed: see recordDuplicate.)
    if (!this.budget.admit(event)) {
      this.scheduleSummaries();
      return Promise.resolve(event.status);
    }
    return this.enqueue(this.toRow(boundRecord(event)), event);
  }

  /**
   * The row of a copy of an accepted delivery: under the duplicates' budget (else counted in a
   * summary row), bounded like an unauthenticated row and without its body (size and SHA-256 say
   * it was the same bytes). Resolves once that row is written, so the copy's row is there when it
   * is answered, like every other row; a failed write loses only this row, never the answer.
   */
  private async recordDuplicate(event: WebhookEventRecord | undefined): Promise<void> {
    if (!event) return;
    if (!this.budget.admit(event, 'duplicate')) {
      this.scheduleSummaries();
      return;
    }
    await this.enqueue(this.toRow(boundRecord(event, 'duplicate'), 'duplicate')).catch(() =>
      this.logger.warn('Could not record a duplicate delivery.'),
    );
  }

  private enqueue(row: EventRow, event?: WebhookEventRecord): Promise<WebhookEventStatus> {
    if (this.queue.length >= this.maxQueuedRows) {
      return Promise.reject(this.unavailable('The webhook event log is overloaded.'));
    }
    return new Promise<WebhookEventStatus>((resolve, reject) => {
      this.queue.push({ row, event, deadline: this.now() + this.writeTimeoutMs, settled: false, resolve, reject });
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
        for (const [p, status] of outcomes) {
          if (status === 'duplicate' && p.row.status === 'accepted') {
            void this.recordDuplicate(p.event).finally(() => settle(p, status));
          } else {
            settle(p, status);
          }
        }
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
    // deadlock); within a batch, a second accepted row with the same id is a duplicate at once, and
    // is not sent: like every duplicate, its row is written afterwards under the budget.
    const all = [...batch].sort((a, b) => compareRows(a.row, b.row));
    const statuses = new Map<Pending, WebhookEventStatus>();
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
      name: this.insertName,
      text: this.insertSql,
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
        this.leaseSeconds,
        column('leaseToken'),
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
      await this.bounded(
        `UPDATE ${this.table} SET status = 'rejected', reason = 'event_log_timeout', handling_until = NULL,
                handling_token = NULL
          WHERE id = ANY($1::bigint[]) AND status = 'accepted' AND handling_until IS NOT NULL`,
        [ids],
      );
    } catch {
      this.lateAccepted.push(...ids);
    }
  }

  private scheduleSummaries(): void {
    if (this.summaryTimer) return;
    this.summaryTimer = setTimeout(() => void this.flushSummaries(), 1000);
    this.summaryTimer.unref();
  }

  /** Writes one row per endpoint, status and reason for the requests that were only counted. */
  flushSummaries(): Promise<void> {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    const writes = this.budget.drain().map(({ record, status, occurrences }) => {
      const row = this.toRow(record, status);
      row.occurrences = occurrences;
      return this.enqueue(row).catch(() =>
        this.logger.warn(
          `Could not record ${occurrences} ${record.status} requests (${record.reason ?? 'no reason'}).`,
        ),
      );
    });
    return Promise.all(writes).then(() => undefined);
  }

  // --- reading ---------------------------------------------------------------------------------

  async list(query: WebhookEventQuery): Promise<WebhookEventPage> {
    const limit = Math.min(500, Math.max(1, Math.floor(query.limit) || 1));
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (query.cursor !== undefined) where.push(`e.id < ${param(decodeCursor(query.cursor))}::bigint`);
    if (query.endpoint !== undefined) where.push(`endpoint = ${param(query.endpoint)}`);
    if (query.status !== undefined) where.push(`status = ${param(query.status)}`);
    if (query.reason !== undefined) where.push(`reason = ${param(query.reason)}`);
    if (query.since !== undefined) where.push(`received_at >= ${param(query.since)}`);
    if (query.until !== undefined) where.push(`received_at < ${param(query.until)}`);
    // Newest first is highest id first: the order rows reached the log, whatever the clocks of
    // the instances that received them. `e.id` is the bigint column: a bare `id` in ORDER BY
    // would name the text alias of the select list, where "9" sorts before "10".
    const { rows } = await this.read<StoredRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM ${this.table} AS e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY e.id DESC LIMIT ${param(limit + 1)}`,
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

  private async read<T extends object>(text: string, params: unknown[]): Promise<{ rows: T[] }> {
    if (!this.pool) throw this.unavailable('The webhook event log is not running.');
    return this.bounded<T>(text, params);
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
      const { rowCount } = await this.bounded(
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

  private toRow(event: WebhookEventRecord, status: WebhookEventStatus = event.status): EventRow {
    const body = event.body ?? Buffer.alloc(0);
    const cap = event.storeBody === false ? 0 : bodyCapOf(event, this.bodyCapBytes);
    return {
      endpoint: clean(event.endpoint, 63),
      provider: clean(event.provider, MAX_TEXT.provider),
      messageId: event.messageId === undefined ? null : messageIdOf(event.messageId),
      status,
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
      leaseToken: status === 'accepted' && event.leaseToken !== undefined ? clean(event.leaseToken, 64) : null,
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
 * The one statement of a batch: accepted rows whose id is taken are not inserted (the caller learns
 * they are duplicates from what the statement returns, and writes their rows under the budget). Columns
 * travel as arrays (one parameter each, whatever the batch size, so the statement is prepared
 * once per connection); the bodies and their hashes travel as one binary parameter each, sliced
 * by offset on the server, which spares encoding every body as hex text.
 */
function buildInsert(table: string): string {
  const columns =
    'endpoint, provider, message_id, status, reason, secret_version, received_at, signed_at, replay_window_ends_at, method, path, headers, body, body_size, body_sha256, occurrences, handling_until, handling_token';
  return `WITH input AS (
      SELECT i.endpoint, i.provider, i.message_id, i.status, i.reason, i.secret_version,
             to_timestamp(i.received_ms / 1000) AS received_at, to_timestamp(i.signed_ms / 1000) AS signed_at,
             to_timestamp(i.replay_ms / 1000) AS replay_window_ends_at, i.method, i.path, i.headers,
             substring($13::bytea FROM i.body_offset + 1 FOR i.body_length) AS body, i.body_size,
             substring($16::bytea FROM (i.ord::int - 1) * 32 + 1 FOR 32) AS body_sha256, i.occurrences, i.ord,
             -- An accepted delivery is in progress until acknowledged (its 2xx), for at most the lease.
             CASE WHEN i.status = 'accepted' AND i.message_id IS NOT NULL
                  THEN statement_timestamp() + make_interval(secs => $19::float8) END AS handling_until,
             CASE WHEN i.status = 'accepted' AND i.message_id IS NOT NULL THEN i.handling_token END AS handling_token
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
                    $7::float8[], $8::float8[], $9::float8[], $10::text[], $11::text[], $12::jsonb[],
                    $14::int[], $15::int[], $17::int[], $18::int[], $20::text[])
             WITH ORDINALITY AS i(endpoint, provider, message_id, status, reason, secret_version,
                                  received_ms, signed_ms, replay_ms, method, path, headers,
                                  body_offset, body_length, body_size, occurrences, handling_token, ord)
    ), inserted AS (
      INSERT INTO ${table} (${columns})
      SELECT ${columns} FROM input ORDER BY ord
      ON CONFLICT (endpoint, message_id) WHERE status = 'accepted' DO NOTHING
      RETURNING id, endpoint, message_id, status
    )
    SELECT id::text AS id, endpoint, message_id FROM inserted WHERE status = 'accepted' AND message_id IS NOT NULL`;
}

/** Fails start-up with the fix when the migration that adds the in-progress lease has not run. */
async function assertLeaseColumn(sql: Sql, table: string): Promise<void> {
  const { rows } = await sql<{ found: boolean }>(
    `SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass($1) AND NOT attisdropped
               AND attname IN ('handling_until', 'handling_token')) = 2 AS found`,
    [table],
  );
  if (rows[0]?.found !== true) {
    throw new WebhookConfigurationError(
      `The column handling_until or handling_token is missing in ${table}: run Hookwarden's migrations (HOOKWARDEN_MIGRATIONS, ` +
        'or `npx hookwarden migrate`) after upgrading.',
    );
  }
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
  if (!Number.isFinite(v) || v <= 0) throw new WebhookConfigurationError(`eventLog.${name} must be a positive number.`);
  return v;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new WebhookConfigurationError(`eventLog.${name} must be zero or more.`);
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
