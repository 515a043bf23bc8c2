import type { Pool, PoolConfig, Client, ClientConfig } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { WebhookConfigurationError } from '../../core/errors';
import { HOOKWARDEN_TABLES, qualified, validateSchemaName } from './storage-schema';

/** @internal */
export interface SqlResult<T> {
  rows: T[];
  rowCount: number;
}

/** @internal */
export type Sql = <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<SqlResult<T>>;

/**
 * SQL through the app's own TypeORM data source (its pool, its logger), for the rare operations:
 * secret rotation, audit entries, start-up checks.
 * @internal
 */
export class DataSourceSql {
  constructor(readonly dataSource: DataSource) {}

  readonly query: Sql = async <T>(text: string, params: unknown[] = []) => {
    const runner = this.dataSource.createQueryRunner('master');
    try {
      return await run<T>(runner, text, params);
    } finally {
      await runner.release();
    }
  };

  async transaction<R>(work: (sql: Sql) => Promise<R>): Promise<R> {
    const runner = this.dataSource.createQueryRunner('master');
    await runner.connect();
    try {
      await runner.startTransaction();
      const result = await work((text, params = []) => run(runner, text, params));
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}

async function run<T>(runner: QueryRunner, text: string, params: unknown[]): Promise<SqlResult<T>> {
  const result = await runner.query(text, params, true);
  return { rows: (result.records ?? []) as T[], rowCount: result.affected ?? result.records?.length ?? 0 };
}

interface PgModule {
  Pool: new (config: PoolConfig) => Pool;
  Client: new (config: ClientConfig) => Client;
}

/**
 * The `pg` module TypeORM loaded and the connection settings of the data source's pool, to open
 * Hookwarden's own connections (the event log's small pool, the LISTEN connection) to the same
 * database with the same credentials, TLS and options. Hookwarden never requires `pg` itself.
 * @internal
 */
export function pgOf(dataSource: DataSource): { pg: PgModule; config: PoolConfig } {
  assertPostgres(dataSource);
  const driver = dataSource.driver as unknown as { postgres?: PgModule; master?: { options?: PoolConfig } };
  if (!driver.postgres || !driver.master?.options) {
    throw new WebhookConfigurationError('The data source given to Hookwarden is not initialised.');
  }
  const { max: _max, ...config } = driver.master.options as PoolConfig & { Promise?: unknown };
  return { pg: driver.postgres, config };
}

/** @internal */
export function assertPostgres(dataSource: DataSource): void {
  if (dataSource.options.type !== 'postgres') {
    throw new WebhookConfigurationError(
      `Hookwarden's TypeORM storage needs PostgreSQL; the data source is "${dataSource.options.type}".`,
    );
  }
}

/** The schema of Hookwarden's tables: the option, else the data source's schema. @internal */
export function resolveSchema(dataSource: DataSource, schema: string | undefined): string {
  return validateSchemaName(schema) ?? dataSource.driver.schema ?? 'public';
}

/**
 * The migrations to add for tables in `schema`, as a user writes them: HOOKWARDEN_MIGRATIONS make
 * them in the data source's schema, so another schema needs its own set. @internal
 */
export function migrationsFor(schema: string): { migrations: string; command: string } {
  return schema === 'public'
    ? { migrations: 'HOOKWARDEN_MIGRATIONS', command: 'npx hookwarden migrate' }
    : {
        migrations: `createHookwardenMigrations({ schema: ${JSON.stringify(schema)} })`,
        command: `WEBHOOK_SCHEMA=${schema} npx hookwarden migrate`,
      };
}

/** Fails start-up with the fix when the migrations have not run. @internal */
export async function assertTables(sql: Sql, schema: string, tables: string[]): Promise<void> {
  const { rows } = await sql<{ name: string; found: string | null }>(
    `SELECT t.name, to_regclass(t.qualified)::text AS found FROM unnest($1::text[], $2::text[]) AS t(name, qualified)`,
    [tables, tables.map((table) => qualified(schema, table))],
  );
  const missing = rows.filter((row) => row.found === null).map((row) => row.name);
  if (missing.length > 0) {
    const fix = migrationsFor(schema);
    throw new WebhookConfigurationError(
      `Hookwarden's tables ${missing.join(', ')} are missing in schema "${schema}". Run its migrations: add ` +
        `${fix.migrations} from 'nestjs-hookwarden/typeorm' to the data source's \`migrations\` with ` +
        `\`migrationsRun: true\`, or run \`${fix.command}\`.`,
    );
  }
}

export { HOOKWARDEN_TABLES };
