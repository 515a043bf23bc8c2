import { Logger } from '@nestjs/common';
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { DataSource } from 'typeorm';
import { EventLogUnavailableError } from '../event-log.interface';
import { pgOf } from './sql';

/** SQLSTATE of a statement cancelled by the server (its statement_timeout). */
const QUERY_CANCELED = '57014';

/** @internal */
export interface EventLogConnectionSettings {
  poolSize: number;
  writeTimeoutMs: number;
  retryAfterSeconds: number;
  now: () => number;
}

/** One statement under the writes' deadline. @internal */
export type BoundedQuery = <T extends object>(text: string, values: unknown[]) => Promise<QueryResult<T>>;

/**
 * The event log's own small pool (the data source's connection settings, a server-side statement
 * timeout) and the one deadline every statement of the log runs under: past it the caller is told,
 * and a connection still hung `writeTimeoutMs` later (a peer that stopped answering, which the
 * server-side statement timeout cannot end) is broken up, so its slot is free again.
 * @internal
 */
export class EventLogConnections {
  private readonly logger = new Logger('Hookwarden');
  private pool?: Pool;
  /** Set while closing: single statements are refused, the batches in flight still finish. */
  private stopped = false;
  private lastFailureLog = 0;

  constructor(private readonly settings: EventLogConnectionSettings) {}

  open(dataSource: DataSource): void {
    const { pg, config } = pgOf(dataSource);
    const pool = new pg.Pool({
      ...config,
      max: this.settings.poolSize,
      // A statement past the deadline is cancelled by the server, so it does not commit later.
      statement_timeout: this.settings.writeTimeoutMs,
      connectionTimeoutMillis: this.settings.writeTimeoutMs,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: 'hookwarden-event-log',
    });
    // An idle connection that breaks (server restart) must not crash the app; the pool replaces it.
    pool.on('error', (error) => this.logger.warn(`Event log connection lost: ${error.message}`));
    // A connection that breaks while checked out (server restart, the deadline breaker) emits
    // 'error' on its client, where pg-pool listens only while it is idle: without this listener
    // the process would crash. The query in flight fails too, and its caller answers 503.
    pool.on('connect', (client) => client.on('error', (error) => this.logFailure(error)));
    this.pool = pool;
  }

  get isOpen(): boolean {
    return this.pool !== undefined;
  }

  /**
   * Runs `work` on a connection of the pool. At `deadlineAt` (ms) `onExpired` is called while the
   * work goes on (a batch may still commit late: its caller decides what that means); the
   * connection is broken up if it still hangs `writeTimeoutMs` after that.
   */
  async withConnection<R>(
    deadlineAt: number,
    onExpired: () => void,
    work: (client: PoolClient) => Promise<R>,
  ): Promise<R> {
    let client: PoolClient | undefined;
    let breaker: NodeJS.Timeout | undefined;
    const timer = setTimeout(
      () => {
        onExpired();
        breaker = setTimeout(() => destroyConnection(client), this.settings.writeTimeoutMs);
        breaker.unref();
      },
      Math.max(0, deadlineAt - this.settings.now()),
    );
    try {
      if (!this.pool) throw this.unavailable('The webhook event log is not running.');
      // A refused or timed-out connection is the database being unavailable, as is a statement the
      // server cancelled at its timeout: the caller answers 503, never a 500.
      client = await this.pool.connect().catch((error: unknown) => {
        this.logFailure(error);
        throw this.unavailable('The webhook event log is unavailable.');
      });
      // Past the deadline the caller was answered already. Started now, a statement could outlive the
      // breaker and commit with nobody left to undo it; started before, the server's statement_timeout
      // (writeTimeoutMs from its start) ends it before the breaker does.
      if (this.settings.now() >= deadlineAt) throw this.unavailable('The webhook event log did not answer in time.');
      const result = await work(client).catch((error: unknown) => {
        throw (error as { code?: unknown })?.code === QUERY_CANCELED
          ? this.unavailable('The webhook event log did not answer in time.')
          : error;
      });
      client.release();
      client = undefined;
      return result;
    } catch (error) {
      client?.release(error as Error);
      client = undefined;
      throw error;
    } finally {
      clearTimeout(timer);
      if (breaker) clearTimeout(breaker);
    }
  }

  /**
   * One statement under the writes' deadline: past it the promise rejects with
   * {@link EventLogUnavailableError} (nobody awaits the statement any more, so its late failure is
   * not unhandled). Every statement of the log goes through here or a batch's withConnection().
   */
  readonly query: BoundedQuery = <T extends object>(text: string, values: unknown[]) => {
    if (this.stopped || !this.pool) {
      return Promise.reject(this.unavailable('The webhook event log is not running.'));
    }
    return new Promise<QueryResult<T>>((resolve, reject) => {
      const expired = () => reject(this.unavailable('The webhook event log did not answer in time.'));
      const deadlineAt = this.settings.now() + this.settings.writeTimeoutMs;
      this.withConnection(deadlineAt, expired, (client) => client.query<T>(text, values)).then(resolve, reject);
    });
  };

  /** Refuses single statements from now on; batches already queued may still be written. */
  stop(): void {
    this.stopped = true;
  }

  async end(): Promise<void> {
    this.stopped = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  unavailable(message: string): EventLogUnavailableError {
    return new EventLogUnavailableError(message, this.settings.retryAfterSeconds);
  }

  /** At most one line per 5 s, so an outage does not flood the logs. */
  logFailure(error: unknown): void {
    const now = this.settings.now();
    if (now - this.lastFailureLog < 5000) return;
    this.lastFailureLog = now;
    const e = error as { message?: string; code?: string };
    this.logger.error(`Event log write failed${e.code ? ` (${e.code})` : ''}: ${e.message ?? 'unknown error'}`);
  }
}

function destroyConnection(client: PoolClient | undefined): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } } | undefined)?.connection
    ?.stream;
  stream?.destroy();
}
