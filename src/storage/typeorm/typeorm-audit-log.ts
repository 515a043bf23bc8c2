import type { DataSource } from 'typeorm';
import type { AuditEntry, AuditLog } from '../audit-log.interface';
import { assertTables, DataSourceSql, resolveSchema } from './sql';
import { HOOKWARDEN_TABLES, qualified } from './storage-schema';

/** @publicApi */
export interface TypeOrmAuditLogOptions {
  /** The schema of the tables; the data source's schema by default. */
  schema?: string;
}

/**
 * Admin actions in the `webhook_audit` table, written through the app's data source. Call `init()`
 * first (the module does).
 * @publicApi
 */
export class TypeOrmAuditLog implements AuditLog {
  private readonly sql: DataSourceSql;
  private table = '';

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: TypeOrmAuditLogOptions = {},
  ) {
    this.sql = new DataSourceSql(dataSource);
  }

  async init(): Promise<void> {
    const schema = resolveSchema(this.dataSource, this.options.schema);
    await assertTables(this.sql.query, schema, [HOOKWARDEN_TABLES.audit]);
    this.table = qualified(schema, HOOKWARDEN_TABLES.audit);
  }

  async record(entry: AuditEntry): Promise<void> {
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
}
