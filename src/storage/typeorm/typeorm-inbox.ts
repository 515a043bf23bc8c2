import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { InboxJobState } from '../../core/inbox/inbox-decisions';
import {
  InvalidJobCursorError,
  type InboxJob,
  type InboxJobFilter,
  type InboxJobPage,
  type InboxJobQuery,
  type InboxStats,
  type StoredInboxJob,
  type WebhookInbox,
} from '../inbox.interface';
import { ChangeListener } from './change-listener';
import { isInt8 } from './event-log-reader';
import { GroupedWrites } from './grouped-writes';
import { ASYNC_COMMIT, claimSql, COLUMNS } from './inbox-sql';
import { pgOf, resolveSchema } from './sql';
import { HOOKWARDEN_TABLES, INBOX_CHANNEL, qualified } from './storage-schema';

import type { TypeOrmEventLog } from './typeorm-event-log';
import { WorkSignal } from '../work-signal';
import { sealedRow } from './event-seal-sql';

/** @publicApi */
export interface TypeOrmInboxOptions {
  schema?: string;
  /** Connections of the workers' own pool (claims, settlements, admin). @default 2 */
  poolSize?: number;
  /** Server-side timeout of each statement, in ms. @default 10000 */
  statementTimeoutMs?: number;
}

interface JobRow {
  id: string;
  event_id: string;
  endpoint: string;
  handler: string;
  event_type: string | null;
  order_key: string | null;
  state: InboxJobState;
  attempts: number;
  run_at: Date;
  lease_until: Date | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The inbox in PostgreSQL, shared by every instance: jobs are claimed in batches with
 * `FOR UPDATE SKIP LOCKED` (two workers never take the same job), under a lease the worker extends
 * while the handler runs; a job whose lease ran out (its worker died) is claimed again. Workers
 * wait on LISTEN/NOTIFY, polling as the fallback. Call `start()` first (the workers do).
 * @publicApi
 */
export class TypeOrmInbox implements WebhookInbox {
  private readonly logger = new Logger('Hookwarden');
  private pool?: Pool;
  private closed = false;
  private listener?: ChangeListener;
  private jobs = '';
  private events = '';
  private acks = '';
  private schema = '';
  private readonly signal = new WorkSignal();
  private notifyQueued = false;
  /** Completions, grouped into one UPDATE at a time. */
  private readonly completions = new GroupedWrites<InboxJob, boolean>((jobs) => this.writeCompletions(jobs));

  constructor(
    private readonly dataSource: DataSource,
    private readonly eventLog: TypeOrmEventLog | undefined,
    private readonly options: TypeOrmInboxOptions = {},
  ) {}

  /** Turns the inbox on in the event log, opens the pool and the listener. */
  async start(): Promise<void> {
    if (this.pool) return;
    if (!this.eventLog) throw new Error('TypeOrmInbox.start() needs the event log; open() serves operations only.');
    this.jobs = await this.eventLog.useInbox(() => this.workReady(), {
      channel: INBOX_CHANNEL,
      payload: resolveSchema(this.dataSource, this.options.schema),
      wake: () => this.wake(),
    });
    this.open();
    const { pg, config } = pgOf(this.dataSource);
    this.listener = new ChangeListener(pg.Client, config, {
      channel: INBOX_CHANNEL,
      // A process of workers only waits on this connection between claims.
      holdsProcess: true,
      onNotification: () => this.wake(),
      // Notifications sent while disconnected are lost: look for work at once.
      onConnected: () => this.wake(),
    });
    await this.listener.start();
  }

  /** Opens the pool only: enough for the operations (list, retry, redrive, replay), as the CLI does. */
  open(): void {
    if (this.pool || this.closed) return;
    this.schema = resolveSchema(this.dataSource, this.options.schema);
    this.events = qualified(this.schema, HOOKWARDEN_TABLES.events);
    this.acks = qualified(this.schema, HOOKWARDEN_TABLES.acks);
    this.jobs = qualified(this.schema, HOOKWARDEN_TABLES.jobs);
    const { pg, config } = pgOf(this.dataSource);
    const timeout = this.options.statementTimeoutMs ?? 10_000;
    const pool = new pg.Pool({
      ...config,
      max: this.options.poolSize ?? 2,
      statement_timeout: timeout,
      connectionTimeoutMillis: timeout,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      application_name: 'hookwarden-inbox',
    });
    pool.on('error', (error) => this.logger.warn(`Inbox connection lost: ${error.message}`));
    pool.on('connect', (client) => client.on('error', () => undefined));
    this.pool = pool;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.listener?.close();
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }

  private query<T extends object>(text: string, values: unknown[]) {
    if (!this.pool) return Promise.reject(new Error('The inbox is not open.'));
    return this.pool.query<T>(text, values);
  }

  /** Jobs became runnable here: wake this instance's workers now, the others through NOTIFY. */
  private workReady(): void {
    this.wake();
    if (this.notifyQueued || !this.pool) return;
    this.notifyQueued = true;
    setImmediate(() => {
      this.notifyQueued = false;
      this.query('SELECT pg_notify($1, $2)', [INBOX_CHANNEL, this.schema]).catch(() => undefined);
    });
  }

  async claim(limit: number, leaseMs: number, handlers: readonly string[]): Promise<InboxJob[]> {
    this.signal.claiming();
    const token = randomBytes(12).toString('base64url');
    const { rows } = await this.query<
      JobRow & {
        trace_parent: string | null;
        provider: string;
        message_id: string | null;
        received_at: Date;
        signed_at: Date | null;
        headers: Record<string, string>;
        body: Buffer;
        secret_version: number | null;
        event_endpoint: string;
        event_event_type: string | null;
        event_status: string;
        body_size: number;
        seal: Buffer | null;
        seal_key_id: string | null;
      }
    >(claimSql(this.jobs, this.events, this.acks), [limit, handlers, leaseMs / 1000, token]);
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      endpoint: r.endpoint,
      handler: r.handler,
      eventType: r.event_type ?? undefined,
      orderKey: r.order_key ?? undefined,
      attempts: r.attempts,
      leaseToken: token,
      ...(r.trace_parent !== null ? { traceParent: r.trace_parent } : {}),
      // Checked here, where the row is: the table's writer may have rewritten it since its 2xx.
      sealCheck: this.eventLog?.sealCheckOf(
        sealedRow({ ...r, endpoint: r.event_endpoint, event_type: r.event_event_type, status: r.event_status }),
      ),
      event: {
        endpoint: r.event_endpoint,
        eventType: r.event_event_type ?? undefined,
        provider: r.provider,
        messageId: r.message_id ?? undefined,
        receivedAt: r.received_at,
        signedAt: r.signed_at ?? undefined,
        headers: r.headers,
        body: r.body,
        secretVersion: r.secret_version ?? undefined,
      },
    }));
  }

  async heartbeat(jobs: readonly InboxJob[], leaseMs: number): Promise<InboxJob[]> {
    if (jobs.length === 0) return [];
    const { rows } = await this.query<{ id: string; token: string }>(
      `UPDATE ${this.jobs} j SET lease_until = statement_timestamp() + make_interval(secs => $3::float8)
         FROM unnest($1::bigint[], $2::text[]) AS h(id, token)
        WHERE j.id = h.id AND j.lease_token = h.token AND j.state = 'running'
       RETURNING j.id::text AS id, j.lease_token AS token`,
      [jobs.map((j) => j.id), jobs.map((j) => j.leaseToken), leaseMs / 1000],
    );
    // One token per claim: a job is held under its id and its claim's token together.
    const held = new Set(rows.map((r) => `${r.id} ${r.token}`));
    return jobs.filter((j) => !held.has(`${j.id} ${j.leaseToken}`));
  }

  /** Whether the job was still this worker's (false: its lease was lost and it is another's). */
  complete(job: InboxJob): Promise<boolean> {
    return this.completions.add(job);
  }

  private async writeCompletions(jobs: readonly InboxJob[]): Promise<boolean[]> {
    const { rows } = await this.query<{ id: string }>(
      `UPDATE ${this.jobs} j SET state = 'succeeded', lease_until = NULL, lease_token = NULL,
              updated_at = statement_timestamp()
         FROM unnest($1::bigint[], $2::text[]) AS c(id, token), ${ASYNC_COMMIT}
        WHERE j.id = c.id AND j.lease_token = c.token AND j.state = 'running'
       RETURNING j.id::text AS id`,
      [jobs.map((job) => job.id), jobs.map((job) => job.leaseToken)],
    );
    const done = new Set(rows.map((r) => r.id));
    return jobs.map((job) => done.has(job.id));
  }

  async fail(job: InboxJob, state: 'failed' | 'dead', runAt: Date, error: string): Promise<void> {
    await this.query(
      `UPDATE ${this.jobs} SET state = $3, run_at = $4, last_error = $5, lease_until = NULL, lease_token = NULL,
              updated_at = statement_timestamp()
        WHERE id = $1 AND lease_token = $2 AND state = 'running'`,
      [job.id, job.leaseToken, state, runAt, error],
    );
  }

  async release(jobs: readonly InboxJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.query(
      `UPDATE ${this.jobs} j SET state = 'pending', attempts = greatest(j.attempts - 1, 0), lease_until = NULL,
              lease_token = NULL, updated_at = statement_timestamp()
         FROM unnest($1::bigint[], $2::text[]) AS r(id, token)
        WHERE j.id = r.id AND j.lease_token = r.token AND j.state = 'running'`,
      [jobs.map((j) => j.id), jobs.map((j) => j.leaseToken)],
    );
    this.workReady();
  }

  waitForWork(ms: number): Promise<void> {
    return this.signal.wait(ms);
  }

  wake(): void {
    this.signal.wake();
  }

  // --- operations -------------------------------------------------------------------------------

  async list(query: InboxJobQuery): Promise<InboxJobPage> {
    if (query.cursor !== undefined && !isInt8(query.cursor)) {
      throw new InvalidJobCursorError('Invalid cursor.');
    }
    const { where, values } = filterSql(query);
    values.push(query.cursor ?? null, query.limit + 1);
    const n = values.length;
    const { rows } = await this.query<JobRow>(
      `SELECT ${COLUMNS} FROM ${this.jobs} j WHERE ${where} AND ($${n - 1}::bigint IS NULL OR j.id < $${n - 1}::bigint)
        ORDER BY j.id DESC LIMIT $${n}`,
      values,
    );
    const items = rows.slice(0, query.limit).map(toStored);
    return rows.length > query.limit ? { items, nextCursor: items[items.length - 1]!.id } : { items };
  }

  async get(id: string): Promise<StoredInboxJob | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const { rows } = await this.query<JobRow>(`SELECT ${COLUMNS} FROM ${this.jobs} j WHERE j.id = $1`, [id]);
    return rows[0] && toStored(rows[0]);
  }

  async retry(id: string): Promise<StoredInboxJob | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const { rows } = await this.query<JobRow>(
      `UPDATE ${this.jobs} j SET ${REQUEUE} WHERE j.id = $1 AND j.state IN ('failed', 'dead') RETURNING ${COLUMNS}`,
      [id],
    );
    if (rows.length > 0) this.workReady();
    return rows[0] && toStored(rows[0]);
  }

  async redrive(filter: InboxJobFilter, dryRun: boolean): Promise<number> {
    const { where, values } = filterSql({ ...filter, state: 'dead' });
    const { rows } = await this.query<{ n: string }>(
      dryRun
        ? `SELECT count(*)::text AS n FROM ${this.jobs} j WHERE ${where}`
        : `WITH r AS (UPDATE ${this.jobs} j SET ${REQUEUE} WHERE ${where} RETURNING 1) SELECT count(*)::text AS n FROM r`,
      values,
    );
    const n = Number(rows[0]?.n ?? 0);
    if (!dryRun && n > 0) this.workReady();
    return n;
  }

  async replay(eventId: string, handlers?: readonly string[]): Promise<StoredInboxJob[]> {
    if (!/^\d{1,18}$/.test(eventId)) return [];
    const { rows } = await this.query<JobRow>(
      `UPDATE ${this.jobs} j SET ${REQUEUE}
        WHERE j.event_id = $1 AND j.state IN ('succeeded', 'dead') AND ($2::text[] IS NULL OR j.handler = ANY($2::text[]))
       RETURNING ${COLUMNS}`,
      [eventId, handlers ?? null],
    );
    if (rows.length > 0) this.workReady();
    return rows.map(toStored);
  }

  /**
   * One round trip, each part over a partial index of unfinished or dead work (never a scan of the
   * succeeded jobs): counts by endpoint, handler and state, and when the oldest due job became due.
   */
  async stats(): Promise<InboxStats> {
    const { rows } = await this.query<{
      endpoint: string | null;
      handler: string | null;
      state: InboxJobState | null;
      jobs: string;
      oldest: number | null;
    }>(
      `SELECT endpoint, handler, state, count(*)::text AS jobs, NULL::float8 AS oldest
         FROM ${this.jobs} WHERE state IN ('pending', 'failed') GROUP BY 1, 2, 3
       UNION ALL
       SELECT endpoint, handler, state, count(*)::text, NULL FROM ${this.jobs} WHERE state = 'running' GROUP BY 1, 2, 3
       UNION ALL
       SELECT endpoint, handler, state, count(*)::text, NULL FROM ${this.jobs} WHERE state = 'dead' GROUP BY 1, 2, 3
       UNION ALL
       SELECT NULL, NULL, NULL, '0', extract(epoch FROM statement_timestamp() - least(
         (SELECT min(run_at) FROM ${this.jobs} WHERE state IN ('pending', 'failed') AND run_at <= statement_timestamp()),
         (SELECT min(lease_until) FROM ${this.jobs} WHERE state = 'running' AND lease_until <= statement_timestamp())
       ))::float8`,
      [],
    );
    const counts: Array<InboxStats['counts'][number]> = [];
    let oldestDueSeconds = 0;
    for (const r of rows) {
      if (r.state === null) oldestDueSeconds = Math.max(0, Number(r.oldest ?? 0));
      else counts.push({ endpoint: r.endpoint!, handler: r.handler!, state: r.state, jobs: Number(r.jobs) });
    }
    return { counts, oldestDueSeconds };
  }
}

const REQUEUE = `state = 'pending', attempts = 0, run_at = statement_timestamp(), lease_until = NULL, lease_token = NULL,
  updated_at = statement_timestamp()`;

function filterSql(f: InboxJobFilter): { where: string; values: unknown[] } {
  const values: unknown[] = [];
  const parts = ['TRUE'];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    parts.push(sql.replace('?', `$${values.length}`));
  };
  if (f.state !== undefined) add('j.state = ?', f.state);
  if (f.endpoint !== undefined) add('j.endpoint = ?', f.endpoint);
  if (f.handler !== undefined) add('j.handler = ?', f.handler);
  if (f.eventType !== undefined) add('j.event_type = ?', f.eventType);
  // An id that is not one matches nothing (rather than failing the cast).
  if (f.eventId !== undefined) add('j.event_id = ?', /^\d{1,18}$/.test(f.eventId) ? f.eventId : '-1');
  if (f.since !== undefined) add('j.created_at >= ?', f.since);
  if (f.until !== undefined) add('j.created_at < ?', f.until);
  return { where: parts.join(' AND '), values };
}

function toStored(r: JobRow): StoredInboxJob {
  return {
    id: r.id,
    eventId: r.event_id,
    endpoint: r.endpoint,
    handler: r.handler,
    eventType: r.event_type ?? undefined,
    orderKey: r.order_key ?? undefined,
    state: r.state,
    attempts: r.attempts,
    runAt: r.run_at,
    leaseUntil: r.lease_until ?? undefined,
    lastError: r.last_error ?? undefined,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
