import { type OnModuleDestroy } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type {
  DuplicateState,
  EventLog,
  EventLogObserver,
  EventLogReader,
  EventSealCheck,
  StoredWebhookEvent,
  WebhookActivityCount,
  WebhookActivityQuery,
  WebhookEventPage,
  WebhookEventQuery,
  WebhookEventRecord,
  WebhookEventStatus,
} from '../event-log.interface';
import { boundRecord, FLOOD_BYTES_PER_SECOND, FloodBudget } from '../flood-control';
import { WebhookConfigurationError } from '../../core/errors';
import { EventLogConnections } from './event-log-connections';
import { eventActivity, getEvent, listEvents } from './event-log-reader';
import { cleanEndpoint, cleanReason, messageIdOf, toRow, type EventRow } from './event-log-rows';
import { GroupedWrites } from './grouped-writes';
import {
  ackInsertSql,
  withdrawSql,
  ackInsertValues,
  acknowledgedSql,
  type InboxNotify,
  assertLeaseColumn,
  hasTraceParentColumn,
  missingTraceParentColumn,
} from './event-log-sql';
import { checkStoredSeal, hasSealColumns, masterKeySealer, missingSealColumns } from './event-seal-sql';
import { GroupCommitter, type GroupCommitSettings } from './group-committer';
import { RejectionSampler } from './rejection-sampler';
import { PRUNE_BATCH, Retention } from './retention';
import { assertTables, DataSourceSql, resolveSchema } from './sql';
import { HOOKWARDEN_TABLES, qualified } from './storage-schema';
import type { EncryptionKeyOption, EventLogSettings } from './typeorm-storage.options';
import type { EventSealer, SealedRow } from '../event-seal';

/** @publicApi */
export interface TypeOrmEventLogOptions extends EventLogSettings {
  /** The schema of the tables; the data source's schema by default. */
  schema?: string;
  /** The clock, in ms (tests). @default Date.now */
  now?: () => number;
  /** Told about every group-commit batch (the module's metrics). */
  observer?: EventLogObserver;
  /**
   * The secret store's master key ring (the module passes its `encryptionKey`): accepted events
   * with inbox work are sealed under a subkey of its current key, which replay with `reverify`
   * checks. Without it no seal is made, and `reverify` refuses every event.
   */
  encryptionKey?: EncryptionKeyOption;
}

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
 *
 * This class wires the parts: {@link GroupCommitter} (batches), {@link RejectionSampler} (the flood
 * budget and summary rows), the reader (listing, cursor), {@link Retention} and
 * {@link EventLogConnections} (the pool and the one deadline of every statement).
 * @publicApi
 */
export class TypeOrmEventLog implements EventLog, EventLogReader, OnModuleDestroy {
  private readonly settings: GroupCommitSettings;
  private readonly bodyCapBytes: number;
  private readonly connections: EventLogConnections;
  private readonly sampler: RejectionSampler;
  private readonly retention: Retention;
  private committer?: GroupCommitter;
  /** Acknowledgements, grouped into one INSERT at a time. */
  private readonly acks = new GroupedWrites<PendingAck>((acks) => this.writeAcks(acks));
  private table = '';
  /** One row per acknowledged acceptance (see acknowledgedSql). */
  private acksTable = '';
  /** The inbox's jobs table, when the migration made it: retention keeps events with unfinished jobs. */
  private jobsTable?: string;
  private inboxNotify?: InboxNotify;
  private closed = false;
  private readonly sealer?: EventSealer;
  /** Whether the table has the seal columns (a migration of their own; the inbox needs them). */
  private sealColumns = false;
  /** Whether the jobs table has `trace_parent` (a migration of its own; the inbox needs it). */
  private traceParentColumn = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: TypeOrmEventLogOptions = {},
  ) {
    // Validated in this order, so the first bad option is the one named.
    const now = options.now ?? Date.now;
    const batchSize = positive(options.batchSize, 100, 'batchSize');
    const maxDelayMs = nonNegative(options.maxDelayMs, 2, 'maxDelayMs');
    const writeTimeoutMs = positive(options.writeTimeoutMs, 2000, 'writeTimeoutMs');
    this.bodyCapBytes = nonNegative(options.bodyCapBytes, 65_536, 'bodyCapBytes');
    const budget = new FloodBudget(
      {
        rejected: nonNegative(options.rejectedPerSecond, 50, 'rejectedPerSecond'),
        challenge: nonNegative(options.challengesPerSecond, 10, 'challengesPerSecond'),
        duplicate: nonNegative(options.duplicatesPerSecond, 10, 'duplicatesPerSecond'),
      },
      now,
      nonNegative(options.floodBytesPerSecond, FLOOD_BYTES_PER_SECOND, 'floodBytesPerSecond'),
    );
    const retentionMs = nonNegative(options.retentionDays, 30, 'retentionDays') * 86_400_000;
    const pruneIntervalMs = positive(options.pruneIntervalMs, 60_000, 'pruneIntervalMs');
    const poolSize = positive(options.poolSize, 4, 'poolSize');
    const maxQueuedRows = positive(options.maxQueuedRows, 10_000, 'maxQueuedRows');
    const retryAfterSeconds = positive(options.retryAfterSeconds, 5, 'retryAfterSeconds');
    const leaseSeconds = positive(options.handlingLeaseSeconds, 60, 'handlingLeaseSeconds');
    this.settings = {
      batchSize,
      maxDelayMs,
      writeTimeoutMs,
      poolSize,
      maxQueuedRows,
      leaseSeconds,
      now,
      observer: options.observer,
    };
    this.connections = new EventLogConnections({ poolSize, writeTimeoutMs, retryAfterSeconds, now });
    this.sealer = masterKeySealer(options.encryptionKey);
    this.sampler = new RejectionSampler(
      budget,
      (record, status) => toRow(record, status, this.bodyCapBytes),
      (row) => this.enqueue(row),
    );
    this.retention = new Retention({
      retentionMs,
      intervalMs: pruneIntervalMs,
      now,
      // Never a row whose message id could still be replayed.
      deleteBatch: async (cutoff, at) => {
        // The acks of the pruned events go with them (no foreign key: one lookup less per ack).
        const acks = `acks AS (DELETE FROM ${this.acksTable} WHERE event_id IN (SELECT id FROM gone))`;
        const old = `received_at < $1 AND (replay_window_ends_at IS NULL OR replay_window_ends_at < $2)`;
        if (!this.jobsTable) {
          const { rows } = await this.connections.query<{ n: number }>(
            `WITH gone AS (
               DELETE FROM ${this.table} WHERE id IN (
                 SELECT id FROM ${this.table} WHERE ${old} ORDER BY id LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED)
               RETURNING id
             ), ${acks}
             SELECT count(*)::int AS n FROM gone`,
            [cutoff, at],
          );
          return rows[0]?.n ?? 0;
        }
        // Nor one whose inbox jobs are unfinished (an event never accepted has none that run). First
        // the events that look prunable, without a lock on their jobs, locked (another instance's
        // retention skips them); then, of those only, every job read under a share lock: a replay,
        // retry or redrive requeueing one is waited for and its new state read (the snapshot's older
        // state let the cascade delete a job just requeued), and one that comes later waits for this
        // DELETE and finds no job. The states are counted above the lock: a filter beside it would be
        // pushed below it, and lock only the jobs the snapshot already saw unfinished.
        const unfinished = `('pending', 'running', 'failed')`;
        const { rows } = await this.connections.query<{ n: number }>(
          `WITH candidates AS MATERIALIZED (
             SELECT id, status FROM ${this.table} e
              WHERE ${old} AND (e.status <> 'accepted' OR NOT EXISTS (
                      SELECT 1 FROM ${this.jobsTable} j WHERE j.event_id = e.id AND j.state IN ${unfinished}))
              ORDER BY id LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED
           ), prunable AS MATERIALIZED (
             SELECT c.id FROM candidates c
              WHERE c.status <> 'accepted' OR (
                SELECT count(*) FILTER (WHERE s.state IN ${unfinished})
                  FROM (SELECT j.state FROM ${this.jobsTable} j WHERE j.event_id = c.id FOR SHARE) s) = 0
           ), gone AS (
             DELETE FROM ${this.table} WHERE id IN (SELECT id FROM prunable) RETURNING id
           ), ${acks}
           SELECT count(*)::int AS n FROM gone`,
          [cutoff, at],
        );
        return rows[0]?.n ?? 0;
      },
      ready: () => this.running,
      onError: () => undefined,
    });
  }

  /** Checks the table, opens the pool. */
  async init(): Promise<void> {
    const schema = resolveSchema(this.dataSource, this.options.schema);
    this.table = qualified(schema, HOOKWARDEN_TABLES.events);
    const sql = new DataSourceSql(this.dataSource).query;
    await assertTables(sql, schema, [HOOKWARDEN_TABLES.events, HOOKWARDEN_TABLES.acks]);
    this.acksTable = qualified(schema, HOOKWARDEN_TABLES.acks);
    await assertLeaseColumn(sql, this.table);
    this.sealColumns = await hasSealColumns(sql, this.table);
    const jobs = qualified(schema, HOOKWARDEN_TABLES.jobs);
    const { rows } = await sql<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [jobs]);
    if (rows[0]?.found === true) {
      this.jobsTable = jobs;
      this.traceParentColumn = await hasTraceParentColumn(sql, jobs);
    }
    this.connections.open(this.dataSource);
    this.committer = new GroupCommitter(this.table, this.acksTable, this.connections, this.settings, (event) =>
      this.sampler.recordDuplicate(event),
    );
  }

  /**
   * Turns the inbox on: rows with work are written with their jobs (one statement); `onWorkReady` hears
   * of jobs runnable at once (no lease), acknowledgements `notify` in their own statement. @internal
   */
  async useInbox(onWorkReady: () => void, notify: InboxNotify): Promise<string> {
    if (!this.committer || !this.jobsTable) {
      throw new WebhookConfigurationError(
        `The table ${HOOKWARDEN_TABLES.jobs} is missing: run Hookwarden's migrations (HOOKWARDEN_MIGRATIONS, or ` +
          '`npx hookwarden migrate`) to use @OnWebhook handlers.',
      );
    }
    if (!this.sealColumns) throw missingSealColumns(this.table);
    if (!this.traceParentColumn) throw missingTraceParentColumn(this.jobsTable, this.options.schema);
    const { rows } = await this.connections.query<{ sequence: string }>(
      `SELECT pg_get_serial_sequence($1, 'id') AS sequence`,
      [this.table],
    );
    this.inboxNotify = notify;
    this.committer.useInbox({ jobs: this.jobsTable, sequence: rows[0]!.sequence }, onWorkReady);
    return this.jobsTable;
  }

  private get running(): boolean {
    return !this.closed && this.connections.isOpen;
  }

  // --- writing ---------------------------------------------------------------------------------

  record(event: WebhookEventRecord): Promise<WebhookEventStatus> {
    // Retention starts with the first event rather than in init() (see Retention).
    this.retention.start();
    if (!this.running) return Promise.reject(this.connections.unavailable('The webhook event log is not running.'));
    // Anyone can send rejections and challenges: a budget of rows per second, the rest counted.
    // (Duplicates are known only once their batch committed: see RejectionSampler.recordDuplicate.)
    if (!this.sampler.admit(event)) return Promise.resolve(event.status);
    const bounded = boundRecord(event);
    return this.enqueue(() => toRow(bounded, event.status, this.bodyCapBytes, this.sealer), event);
  }

  queueDepth(): number {
    return this.committer?.queued ?? 0;
  }

  /** A statement within the write deadline on the log's own pool, on a primary (not read-only). */
  async checkWritable(): Promise<boolean> {
    try {
      const { rows } = await this.connections.query<{ readonly: string }>(
        `SELECT current_setting('transaction_read_only') AS readonly`,
        [],
      );
      return rows[0]?.readonly === 'off';
    } catch {
      return false;
    }
  }

  /** Writes one row per endpoint, status and reason for the requests that were only counted. */
  flushSummaries(): Promise<void> {
    return this.sampler.flushSummaries();
  }

  private enqueue(row: EventRow | (() => EventRow), event?: WebhookEventRecord): Promise<WebhookEventStatus> {
    if (!this.committer) return Promise.reject(this.connections.unavailable('The webhook event log is not running.'));
    return this.committer.enqueue(row, event);
  }

  /**
   * Only an acceptance still in progress is withdrawn (`handling_until` set): once acknowledged, a
   * copy may have been answered 2xx, and withdrawing it would lose the event. With a token, only
   * while the lease is still that holder's: a stale holder must not undo a copy's takeover. Nor
   * once one of its jobs started (see withdrawSql).
   */
  async release(endpoint: string, messageId: string, reason: string, leaseToken?: string): Promise<void> {
    await this.statement(
      withdrawSql({
        table: this.table,
        acksTable: this.acksTable,
        // With the inbox, the withdrawn event's jobs go too (the provider's retry brings new ones).
        jobsTable: this.inboxNotify ? this.jobsTable : undefined,
        set: `status = 'rejected', reason = $3, handling_until = NULL, handling_token = NULL`,
        where: `e.endpoint = $1 AND e.message_id = $2 AND ($4::text IS NULL OR e.handling_token = $4::text)`,
      }),
      [cleanEndpoint(endpoint), messageIdOf(messageId), cleanReason(reason), leaseToken ?? null],
    );
  }

  /**
   * Grouped like the inserts: the acknowledgements of one turn of the event loop go in one INSERT
   * of narrow rows into the acks table (rewriting the event's wide row cost PostgreSQL ~45 µs each).
   */
  acknowledge(endpoint: string, messageId: string, leaseToken?: string): Promise<void> {
    if (!this.running) return Promise.reject(this.connections.unavailable('The webhook event log is not running.'));
    return this.acks.add({
      endpoint: cleanEndpoint(endpoint),
      messageId: messageIdOf(messageId),
      token: leaseToken ?? null,
    });
  }

  /**
   * Under the same deadline as a write: a silent database must not hold back the 2xx (the verifier
   * logs the failure and answers; the lease then runs out and one copy is handled again).
   */
  private async writeAcks(acks: readonly PendingAck[]): Promise<void> {
    const notify = this.inboxNotify;
    const { rows } = await this.statement<{ work?: boolean }>(
      ackInsertSql(this.acksTable, this.table, notify ? this.jobsTable : undefined),
      ackInsertValues(acks, notify),
    );
    // With the inbox, whether acknowledged events have (now runnable) jobs; the others were told by the statement.
    if (rows.some((r) => r.work === true)) notify?.wake();
  }

  /**
   * One statement: reads the accepted row of the id and, when its lease has run out, takes it over
   * atomically under the caller's token (concurrent copies re-check the lease on the row, so one of
   * them wins). A row not visible (released meanwhile, or committed by another instance after this
   * snapshot) is in progress. A database that does not answer in time is unavailable (503).
   */
  async resolveDuplicate(endpoint: string, messageId: string, leaseToken?: string): Promise<DuplicateState> {
    const { rows } = await this.statement<{ acknowledged: boolean; claimed: boolean }>(
      `WITH current AS (
           SELECT c.id, ${acknowledgedSql(this.acksTable, 'c')} AS acknowledged FROM ${this.table} c
            WHERE endpoint = $1 AND message_id = $2 AND status = 'accepted'
         ), claimed AS (
           UPDATE ${this.table} AS e
              SET handling_until = statement_timestamp() + make_interval(secs => $3), handling_token = $4::text
             FROM current c
            WHERE e.id = c.id AND NOT c.acknowledged AND e.status = 'accepted'
              AND e.handling_until <= statement_timestamp()
           RETURNING e.id
         )
         SELECT EXISTS (SELECT 1 FROM current WHERE acknowledged) AS acknowledged,
                EXISTS (SELECT 1 FROM claimed) AS claimed`,
      [cleanEndpoint(endpoint), messageIdOf(messageId), this.settings.leaseSeconds, leaseToken ?? null],
    );
    if (rows[0]?.claimed) return 'claimed';
    return rows[0]?.acknowledged ? 'acknowledged' : 'in_progress';
  }

  /** A statement of the lease: any failure is logged and answered as the log being unavailable (503). */
  private async statement<T extends object>(text: string, values: unknown[]): Promise<{ rows: T[] }> {
    try {
      return await this.connections.query<T>(text, values);
    } catch (error) {
      this.connections.logFailure(error);
      throw this.connections.unavailable('The webhook event log is unavailable.');
    }
  }

  // --- reading and retention -------------------------------------------------------------------

  list(query: WebhookEventQuery): Promise<WebhookEventPage> {
    return listEvents(this.connections.query, this.table, query);
  }

  get(id: string): Promise<StoredWebhookEvent | undefined> {
    return getEvent(this.connections.query, this.table, id);
  }

  activity(query: WebhookActivityQuery): Promise<readonly WebhookActivityCount[]> {
    return eventActivity(this.connections.query, this.table, query);
  }

  /** The seal check of a row read elsewhere (a claimed job's event); undefined without a master key. @internal */
  sealCheckOf(row: SealedRow): EventSealCheck | undefined {
    return this.sealer?.check(row);
  }

  async checkSeal(id: string): Promise<EventSealCheck | undefined> {
    if (!this.sealColumns) return (await this.get(id)) ? 'unsealed' : undefined;
    return checkStoredSeal(this.connections.query, this.table, this.sealer, id);
  }

  /**
   * Deletes rows older than the retention (never one whose message id could still be replayed),
   * in small batches. Runs on a timer; returns how many rows went.
   */
  prune(): Promise<number> {
    return this.retention.prune();
  }

  // --- lifecycle -------------------------------------------------------------------------------

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Writes what is queued (and the pending summaries), waits for the batches in flight, closes the pool. */
  async close(): Promise<void> {
    if (this.closed || !this.connections.isOpen) {
      this.closed = true;
      return;
    }
    await this.sampler.flushSummaries();
    this.closed = true;
    this.connections.stop();
    const pruned = this.retention.stop();
    await this.committer?.drain();
    await pruned;
    await this.connections.end();
  }
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

/** One acknowledgement of a group. */
interface PendingAck {
  readonly endpoint: string;
  readonly messageId: string;
  readonly token: string | null;
}
