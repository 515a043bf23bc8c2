import { Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { endSpan, startSpan } from '../../core/tracing';
import type { EventLogObserver, WebhookEventRecord, WebhookEventStatus } from '../event-log.interface';
import type { EventLogConnections } from './event-log-connections';
import type { EventRow } from './event-log-rows';
import {
  insertBatch,
  insertStatement,
  type BatchOutcome,
  isDataError,
  unacceptLateSql,
  type InsertStatement,
  type InboxTables,
} from './event-log-sql';

/** @internal */
export interface GroupCommitSettings {
  batchSize: number;
  maxDelayMs: number;
  writeTimeoutMs: number;
  /** Batches in flight at once: one per connection of the pool. */
  poolSize: number;
  maxQueuedRows: number;
  leaseSeconds: number;
  now: () => number;
  observer?: EventLogObserver;
}

interface Queued {
  /**
   * The row, or what builds it when its batch is formed: the batch's rows are then hashed and sealed
   * back to back, where OpenSSL's state is in cache (per request, between two requests' other
   * work, the same hash and HMAC cost several times as much CPU).
   */
  row: EventRow | (() => EventRow);
  /** The request's record, for the row of a duplicate (summary rows have none). */
  event?: WebhookEventRecord;
  deadline: number;
  settled: boolean;
  resolve(status: WebhookEventStatus): void;
  reject(error: Error): void;
}

interface Pending extends Queued {
  row: EventRow;
}

/**
 * Group commit: the rows of concurrent requests are written by ONE multi-row `INSERT … ON CONFLICT
 * DO NOTHING` per batch, each request's promise resolving only after its batch committed, with its
 * own outcome, or rejecting with EventLogUnavailableError past `writeTimeoutMs`.
 * @internal
 */
export class GroupCommitter {
  private readonly logger = new Logger('Hookwarden');
  private readonly insert: InsertStatement;
  /** The statement that also writes the inbox's jobs, once the inbox is in use. */
  private insertWithWork?: InsertStatement;
  private onWorkReady?: () => void;
  private unacceptSql: string;
  private queue: Queued[] = [];
  private inFlight = 0;
  private flushTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private readonly idle = new Set<() => void>();
  private unacceptRetry?: NodeJS.Timeout;
  /** Rows of late commits whose requests were already answered 503: to be un-accepted. */
  private lateAccepted: BatchOutcome<Pending>['accepted'] = [];

  constructor(
    private readonly table: string,
    private readonly acksTable: string,
    private readonly connections: EventLogConnections,
    private readonly settings: GroupCommitSettings,
    /** Writes the row of an accepted delivery's copy; its request is answered once that settled. */
    private readonly onDuplicate: (event: WebhookEventRecord | undefined) => Promise<void>,
  ) {
    this.insert = insertStatement(table);
    this.unacceptSql = unacceptLateSql(table, acksTable);
  }

  /** From now on, rows with work are written with their jobs; `onWorkReady` hears of runnable ones. */
  useInbox(tables: InboxTables, onWorkReady: () => void): void {
    this.insertWithWork = insertStatement(this.table, tables);
    this.unacceptSql = unacceptLateSql(this.table, this.acksTable, tables.jobs);
    this.onWorkReady = onWorkReady;
  }

  enqueue(row: EventRow | (() => EventRow), event?: WebhookEventRecord): Promise<WebhookEventStatus> {
    if (this.queue.length >= this.settings.maxQueuedRows) {
      return Promise.reject(this.connections.unavailable('The webhook event log is overloaded.'));
    }
    return new Promise<WebhookEventStatus>((resolve, reject) => {
      const deadline = this.settings.now() + this.settings.writeTimeoutMs;
      this.queue.push({ row, event, deadline, settled: false, resolve, reject });
      if (this.queue.length >= this.settings.batchSize) this.pump();
      else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.pump(), this.settings.maxDelayMs);
      if (!this.sweepTimer) {
        const every = Math.max(10, Math.min(250, this.settings.writeTimeoutMs / 4));
        this.sweepTimer = setInterval(() => this.sweep(), every);
        this.sweepTimer.unref();
      }
    });
  }

  /** Rows waiting for a connection. */
  get queued(): number {
    return this.queue.length;
  }

  /** Sends what is queued, then waits for the batches in flight (at most twice the deadline). */
  async drain(): Promise<void> {
    this.pump();
    if (this.inFlight > 0 || this.queue.length > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.idle.delete(done);
          resolve();
        };
        this.idle.add(done);
        setTimeout(done, this.settings.writeTimeoutMs * 2).unref();
      });
    }
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    if (this.unacceptRetry) clearTimeout(this.unacceptRetry);
    this.unacceptRetry = undefined;
  }

  /** Sends full batches, or what is queued when the delay is over, on every free connection. */
  private pump(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    while (this.inFlight < this.settings.poolSize && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.settings.batchSize).filter(built);
      if (batch.length > 0) void this.write(batch);
    }
  }

  /** Rejects the rows that waited past their deadline without reaching a connection. */
  private sweep(): void {
    const now = this.settings.now();
    if (this.queue.some((p) => p.deadline <= now)) {
      const error = this.connections.unavailable('The webhook event log did not answer in time.');
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
    let timedOut = false;
    const expired = () => {
      timedOut = true;
      const error = this.connections.unavailable('The webhook event log did not commit in time.');
      for (const p of batch) settle(p, error);
    };
    const deadline = Math.min(...batch.map((p) => p.deadline));
    // One span per batch, linked to the storage span of each request it carries.
    const links = batch.flatMap((p) => (p.event?.traceContext ? [p.event.traceContext as never] : []));
    const span = startSpan('hookwarden.event_log.batch', { 'hookwarden.batch.rows': batch.length }, undefined, links);
    const started = performance.now();
    let written: BatchOutcome<Pending>;
    const withWork = this.insertWithWork !== undefined && batch.some((p) => p.row.work !== null);
    try {
      written = await this.connections.withConnection(deadline, expired, (client) =>
        insertBatch(client, withWork ? this.insertWithWork! : this.insert, batch, this.settings.leaseSeconds),
      );
      this.settings.observer?.batchCommitted(batch.length, (performance.now() - started) / 1000, !timedOut);
      endSpan(span, {}, timedOut);
    } catch (error) {
      this.settings.observer?.batchCommitted(batch.length, (performance.now() - started) / 1000, false);
      endSpan(span, { 'hookwarden.code': 'event_log_unavailable' }, true);
      if (batch.length > 1 && isDataError(error) && !timedOut) {
        // A row the database refuses must not fail the others: write them one by one.
        this.logger.error(`Event log batch refused (${(error as { code?: string }).code}); retrying row by row.`);
        for (const p of batch) await this.attempt([p]);
      } else {
        if (!timedOut) this.connections.logFailure(error);
        const failure = this.connections.unavailable('The webhook event log is unavailable.');
        for (const p of batch) settle(p, failure);
      }
      return;
    }
    // Jobs of rows without an in-progress lease can run at once; the others wait for their ack.
    if (withWork && !timedOut && batch.some((p) => p.row.work !== null && p.row.messageId === null)) {
      this.onWorkReady?.();
    }
    if (timedOut) {
      // Committed after the requests were answered 503: un-accept these rows, so the
      // provider's retry is accepted (and handled) instead of being taken for a duplicate.
      this.lateAccepted.push(...written.accepted);
    } else {
      for (const [p, status] of written.outcomes) {
        if (status === 'duplicate' && p.row.status === 'accepted') {
          void this.onDuplicate(p.event).finally(() => settle(p, status));
        } else {
          settle(p, status);
        }
      }
    }
    if (this.lateAccepted.length > 0) await this.unacceptLate();
  }

  private async unacceptLate(): Promise<void> {
    const late = this.lateAccepted;
    this.lateAccepted = [];
    try {
      await this.connections.query(this.unacceptSql, [late.map((r) => r.id), late.map((r) => r.token)]);
    } catch {
      // Again in a second (or after the next batch), by itself: a quiet instance may write no batch
      // for a long time. The statement checks the row is still this request's.
      this.lateAccepted.push(...late);
      if (!this.unacceptRetry) {
        this.unacceptRetry = setTimeout(() => {
          this.unacceptRetry = undefined;
          if (this.lateAccepted.length > 0) void this.unacceptLate();
        }, 1000);
        this.unacceptRetry.unref();
      }
    }
  }
}

/** Whether a queued row is still to be written, its row built; one that cannot be built is refused. */
function built(p: Queued): p is Pending {
  if (p.settled) return false;
  if (typeof p.row !== 'function') return true;
  try {
    p.row = p.row();
    return true;
  } catch (error) {
    settle(p, error as Error);
    return false;
  }
}

function settle(p: Queued, result: WebhookEventStatus | Error): void {
  if (p.settled) return;
  p.settled = true;
  if (result instanceof Error) p.reject(result);
  else p.resolve(result);
}
