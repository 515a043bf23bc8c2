// The TypeORM storage of WebhookModule. Loaded only when `storage: { type: 'typeorm' }` is chosen,
// so typeorm, @nestjs/typeorm and pg stay optional: nothing else may import this file.
import type { DynamicModule, InjectionToken, Provider } from '@nestjs/common';
// Types only: @nestjs/typeorm is not needed when the app gives `dataSourceToken`.
import type * as NestTypeOrm from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { WebhookConfigurationError } from '../core/errors';
import { AuditLog } from '../storage/audit-log.interface';
import { EventLog, EventLogReader } from '../storage/event-log.interface';
import { SecretStore } from '../storage/secret-store.interface';
import { hookwardenEntityList } from '../storage/typeorm/hookwarden.entities';
import { createStatements, missingSchemaObjects } from '../storage/typeorm/hookwarden.migrations';
import { assertTables, DataSourceSql, migrationsFor, resolveSchema } from '../storage/typeorm/sql';
import { HOOKWARDEN_TABLES, validateSchemaName } from '../storage/typeorm/storage-schema';
import { TypeOrmAuditLog } from '../storage/typeorm/typeorm-audit-log';
import { TypeOrmEventLog } from '../storage/typeorm/typeorm-event-log';
import { TypeOrmSecretStore } from '../storage/typeorm/typeorm-secret-store';
import { EndpointStore } from '../storage/endpoint-store.interface';
import { TypeOrmEndpointStore } from '../storage/typeorm/typeorm-endpoint-store';
import { TypeOrmInbox } from '../storage/typeorm/typeorm-inbox';
import { WebhookInbox } from '../storage/inbox.interface';
import type { ResolvedWebhookConfig } from './webhook-config';
import { WEBHOOK_CONFIG } from './webhook.constants';
import { WEBHOOK_METRICS, type WebhookMetrics } from './webhook-metrics';
import type { WebhookModuleOptions, WebhookTypeOrmStorage } from './webhook-module-options.interface';
import { seedConfiguredSecrets, type WebhookStorageParts } from './webhook-storage-parts';

/** The data source Hookwarden uses (an alias of the app's). @internal */
export const HOOKWARDEN_DATA_SOURCE = Symbol('hookwarden:data-source');
/** The TypeORM storage options with defaults applied, and the tables checked. @internal */
export const HOOKWARDEN_TYPEORM_STORAGE = Symbol('hookwarden:typeorm-storage');

/** @internal */
export interface ResolvedTypeOrmStorage {
  readonly schema: string;
  readonly options: WebhookModuleOptions;
}

/** @internal */
export function typeOrmStorageParts(
  storage: WebhookTypeOrmStorage,
  optionsToken: string | symbol,
): WebhookStorageParts {
  const extrasSchema = validateSchemaName(storage.schema);
  let dataSourceToken: InjectionToken;
  const imports: DynamicModule[] = [];
  if (storage.dataSourceToken !== undefined) {
    dataSourceToken = storage.dataSourceToken;
    if (storage.registerEntities === true) {
      throw new WebhookConfigurationError(
        'storage.registerEntities needs @nestjs/typeorm; with dataSourceToken list HOOKWARDEN_ENTITIES in your data source.',
      );
    }
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nestTypeOrm = require('@nestjs/typeorm') as typeof NestTypeOrm;
    dataSourceToken = nestTypeOrm.getDataSourceToken(storage.dataSourceName);
    if (storage.registerEntities ?? true) {
      imports.push(nestTypeOrm.TypeOrmModule.forFeature(hookwardenEntityList(extrasSchema), storage.dataSourceName));
    }
  }

  const providers: Provider[] = [
    { provide: HOOKWARDEN_DATA_SOURCE, useExisting: dataSourceToken },
    {
      provide: HOOKWARDEN_TYPEORM_STORAGE,
      useFactory: async (options: WebhookModuleOptions | undefined, dataSource: DataSource) => {
        const settings = options ?? {};
        const optionSchema = validateSchemaName(settings.schema);
        if (optionSchema !== undefined && extrasSchema !== undefined && optionSchema !== extrasSchema) {
          throw new WebhookConfigurationError(
            `The schema option ("${optionSchema}") differs from storage.schema ("${extrasSchema}"); give one of them.`,
          );
        }
        if (!dataSource?.isInitialized) {
          throw new WebhookConfigurationError('The data source given to Hookwarden is not initialised.');
        }
        const schema = resolveSchema(dataSource, optionSchema ?? extrasSchema);
        // Every table up front, before any store opens a connection of its own.
        const sql = new DataSourceSql(dataSource);
        // The inbox's jobs table is checked only where @OnWebhook handlers use it (TypeOrmEventLog.useInbox).
        const tables = Object.values(HOOKWARDEN_TABLES).filter((table) => table !== HOOKWARDEN_TABLES.jobs);
        await assertTables(sql.query, schema, tables);
        await ensureSchemaObjects(sql, schema, dataSource.options.synchronize === true);
        return { schema, options: settings } satisfies ResolvedTypeOrmStorage;
      },
      inject: [optionsToken, HOOKWARDEN_DATA_SOURCE],
    },
    {
      provide: SecretStore,
      useFactory: async (dataSource: DataSource, storage: ResolvedTypeOrmStorage, config: ResolvedWebhookConfig) => {
        const store = new TypeOrmSecretStore(dataSource, {
          encryptionKey: storage.options.encryptionKey!,
          schema: storage.schema,
          cacheTtlMs: storage.options.secretCache?.ttlMs,
        });
        await store.init();
        try {
          await seedConfiguredSecrets(store, config);
        } catch (error) {
          await store.close();
          throw error;
        }
        return store;
      },
      inject: [HOOKWARDEN_DATA_SOURCE, HOOKWARDEN_TYPEORM_STORAGE, WEBHOOK_CONFIG],
    },
    {
      provide: EventLog,
      useFactory: async (dataSource: DataSource, storage: ResolvedTypeOrmStorage, metrics?: WebhookMetrics) => {
        const log = new TypeOrmEventLog(dataSource, {
          ...storage.options.eventLog,
          schema: storage.schema,
          observer: metrics,
          // Seals the events with inbox work under a subkey of the master key (replay's `reverify`).
          encryptionKey: storage.options.encryptionKey,
        });
        await log.init();
        metrics?.watchQueue(() => log.queueDepth());
        return log;
      },
      inject: [HOOKWARDEN_DATA_SOURCE, HOOKWARDEN_TYPEORM_STORAGE, { token: WEBHOOK_METRICS, optional: true }],
    },
    { provide: EventLogReader, useExisting: EventLog },
    {
      provide: WebhookInbox,
      // Started by the workers, and only when @OnWebhook handlers exist (it needs the jobs table).
      useFactory: (dataSource: DataSource, log: EventLog, storage: ResolvedTypeOrmStorage) =>
        new TypeOrmInbox(dataSource, log as TypeOrmEventLog, { schema: storage.schema }),
      inject: [HOOKWARDEN_DATA_SOURCE, EventLog, HOOKWARDEN_TYPEORM_STORAGE],
    },
    {
      provide: AuditLog,
      useFactory: async (dataSource: DataSource, storage: ResolvedTypeOrmStorage) => {
        const audit = new TypeOrmAuditLog(dataSource, {
          schema: storage.schema,
          retentionDays: storage.options.auditLog?.retentionDays,
        });
        await audit.init();
        return audit;
      },
      inject: [HOOKWARDEN_DATA_SOURCE, HOOKWARDEN_TYPEORM_STORAGE],
    },
    {
      provide: EndpointStore,
      useFactory: async (dataSource: DataSource, storage: ResolvedTypeOrmStorage, config: ResolvedWebhookConfig) => {
        const store = new TypeOrmEndpointStore(dataSource, {
          encryptionKey: storage.options.encryptionKey!,
          schema: storage.schema,
          cacheTtlMs: storage.options.secretCache?.ttlMs,
          maxEndpoints: config.maxEndpoints,
        });
        await store.init();
        return store;
      },
      // Made after the other stores: should one of them fail start-up, no listener of this one is left open.
      inject: [HOOKWARDEN_DATA_SOURCE, HOOKWARDEN_TYPEORM_STORAGE, WEBHOOK_CONFIG, SecretStore, EventLog, AuditLog],
    },
  ];
  return { imports, providers };
}

/**
 * Tables made by TypeORM's `synchronize` lack what only the migration creates: without the NOTIFY
 * trigger a rotation reaches other instances only at the next cache reload, without the BRIN index
 * retention scans the whole table. A data source that synchronizes has asked for its schema to be
 * managed at start-up, so the pieces are added (idempotently, under a lock against a concurrent
 * start); otherwise start-up stops with the command that adds them.
 */
async function ensureSchemaObjects(sql: DataSourceSql, schema: string, synchronizes: boolean): Promise<void> {
  const rows = (text: string, params: unknown[]) => sql.query(text, params).then((result) => result.rows);
  const missing = await missingSchemaObjects(rows, schema);
  if (missing.length === 0) return;
  if (!synchronizes) {
    const fix = migrationsFor(schema);
    throw new WebhookConfigurationError(
      `Hookwarden's tables in schema "${schema}" lack ${missing.join(', ')}: they were made without its ` +
        `migrations (by synchronize?). Run \`${fix.command}\` (safe on such tables), or add ${fix.migrations} ` +
        "from 'nestjs-hookwarden/typeorm' to the data source's `migrations` with `migrationsRun: true`.",
    );
  }
  await sql.transaction(async (query) => {
    await query('SELECT pg_advisory_xact_lock(hashtext($1))', [`hookwarden:schema:${schema}`]);
    for (const statement of createStatements(schema)) await query(statement);
  });
}
