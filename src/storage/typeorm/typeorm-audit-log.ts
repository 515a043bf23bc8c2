import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AuditEntry, AuditLog } from '../audit-log.interface';
import { WebhookConfigurationError } from '../../core/errors';
import { assertTables, DataSourceSql, resolveSchema } from './sql';
import { PRUNE_BATCH, Retention } from './retention';
import { HOOKWARDEN_TABLES, qualified } from './storage-schema';

/** @publicApi */
export interface TypeOrmAuditLogOptions {
  /** The schema of the tables; the data source's schema by default. */
  schema?: string;
  /**
   * Entries older than this many days are deleted (in small batches, on a timer). 0 keeps them
   * forever.
   * @default 365
   */
  retentionDays?: number;
  /**
   * How often old entries are pruned, in ms.
   * @default 3600000
   */
  pruneIntervalMs?: number;
  /** The clock, in ms (tests). @default Date.now */
  now?: () => number;
}

/**
 * Admin actions in the `webhook_audit` table, written through the app's data source, kept for
 * `retentionDays`. Call `init()` first (the module does).
 * @publicApi
 */
export class TypeOrmAuditLog implements AuditLog, OnModuleDestroy {
  private readonly logger = new Logger('Hookwarden');
  private readonly sql: DataSourceSql;
  private readonly retention: Retention;
  private table = '';

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: TypeOrmAuditLogOptions = {},
  ) {
    this.sql = new DataSourceSql(dataSource);
    const days = options.retentionDays ?? 365;
    if (!Number.isFinite(days) || days < 0)
      throw new WebhookConfigurationError('audit retentionDays must be zero or more.');
    const pruneIntervalMs = options.pruneIntervalMs ?? 3_600_000;
    if (!Number.isFinite(pruneIntervalMs) || pruneIntervalMs <= 0) {
      throw new WebhookConfigurationError('audit pruneIntervalMs must be a positive number.');
    }
    this.retention = new Retention({
      retentionMs: days * 86_400_000,
      intervalMs: pruneIntervalMs,
      now: options.now ?? Date.now,
      // Oldest first, on the (at, id) index.
      deleteBatch: async (cutoff) => {
        const { rowCount } = await this.sql.query(
          `DELETE FROM ${this.table} WHERE id IN (
             SELECT id FROM ${this.table} WHERE at < $1 ORDER BY at, id LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED)`,
          [cutoff],
        );
        return rowCount ?? 0;
      },
      ready: () => this.table !== '',
      onError: (error) => this.logger.warn(`Could not prune the audit log: ${(error as Error)?.message}`),
    });
  }

  async init(): Promise<void> {
    const schema = resolveSchema(this.dataSource, this.options.schema);
    await assertTables(this.sql.query, schema, [HOOKWARDEN_TABLES.audit]);
    this.table = qualified(schema, HOOKWARDEN_TABLES.audit);
  }

  async record(entry: AuditEntry): Promise<void> {
    this.retention.start();
    await this.sql.query(
      `INSERT INTO ${this.table} (at, actor, action, endpoint, secret_version, details) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        entry.at,
        entry.actor.slice(0, 128),
        entry.action.slice(0, 64),
        entry.endpoint ?? null,
        entry.secretVersion ?? null,
        entry.details === undefined ? null : JSON.stringify(entry.details),
      ],
    );
  }

  async recent(limit: number): Promise<readonly AuditEntry[]> {
    const { rows } = await this.sql.query<{
      at: Date;
      actor: string;
      action: string;
      endpoint: string | null;
      secret_version: number | null;
      details: Record<string, unknown> | null;
    }>(
      `SELECT at, actor, action, endpoint, secret_version, details FROM ${this.table} ORDER BY at DESC, id DESC LIMIT $1`,
      [Math.min(1000, Math.max(1, Math.floor(limit) || 1))],
    );
    return rows.map((r) => ({
      at: r.at,
      actor: r.actor,
      action: r.action,
      ...(r.endpoint !== null ? { endpoint: r.endpoint } : {}),
      ...(r.secret_version !== null ? { secretVersion: r.secret_version } : {}),
      ...(r.details !== null ? { details: r.details } : {}),
    }));
  }

  /**
   * Deletes entries older than the retention, in small batches (a run stops after 50,000 rows; the
   * next tick continues). Runs on a timer started by the first entry; returns how many went.
   */
  prune(): Promise<number> {
    return this.retention.prune();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Stops the retention timer and waits for a prune in progress. */
  async close(): Promise<void> {
    await this.retention.stop();
  }
}
