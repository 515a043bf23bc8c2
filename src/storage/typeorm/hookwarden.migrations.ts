import type { MigrationInterface, QueryRunner } from 'typeorm';
import { HOOKWARDEN_TABLES, qualified, quoteIdent, validateSchemaName } from './storage-schema';
import { createStatements, endpointStatements, inboxStatements } from './hookwarden.ddl';

export { createStatements, missingSchemaObjects } from './hookwarden.ddl';

/** @publicApi */
export interface HookwardenMigrationOptions {
  /**
   * The schema of Hookwarden's tables, created when missing. Omit it for the data source's own
   * schema (its `schema` option, else the connection's current schema).
   */
  schema?: string;
}

/** A migration class TypeORM can instantiate. @publicApi */
export type HookwardenMigrationClass = new () => MigrationInterface;

const INIT_TIMESTAMP = 1795400000000;
/** Declared before the module's top-level HOOKWARDEN_MIGRATIONS is built. */
const EVENT_ACKS_TIMESTAMP = 1795900000000;
const JOB_TRACE_PARENT_TIMESTAMP = 1796000000000;

/**
 * Hookwarden's migrations, for a data source's `migrations` (run them with `migrationsRun: true`,
 * `dataSource.runMigrations()`, the TypeORM CLI or `npx hookwarden migrate`). They also complete
 * tables that `synchronize` made, which lack the NOTIFY trigger and the BRIN index: keep every
 * statement idempotent. With a schema, the classes carry it in their names, so each schema's
 * migrations are recorded separately in the migrations table.
 * @publicApi
 */
export function createHookwardenMigrations(options: HookwardenMigrationOptions = {}): HookwardenMigrationClass[] {
  const schema = validateSchemaName(options.schema);
  const name = schema ? `HookwardenInit_${schema}_${INIT_TIMESTAMP}` : `HookwardenInit${INIT_TIMESTAMP}`;

  const init = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      const s = schemaOf(queryRunner, schema);
      if (schema) await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      for (const statement of createStatements(s)) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const s = schemaOf(queryRunner, schema);
      const t = (table: string) => qualified(s, table);
      await queryRunner.query(`DROP TRIGGER IF EXISTS "webhook_secrets_notify" ON ${t(HOOKWARDEN_TABLES.secrets)}`);
      await queryRunner.query(`DROP FUNCTION IF EXISTS ${t('webhook_secrets_notify')}()`);
      await queryRunner.query(`DROP TABLE IF EXISTS ${t(HOOKWARDEN_TABLES.endpoints)}`);
      await queryRunner.query(`DROP FUNCTION IF EXISTS ${t('webhook_endpoints_notify')}()`);
      for (const table of Object.values(HOOKWARDEN_TABLES).reverse()) {
        await queryRunner.query(`DROP TABLE IF EXISTS ${t(table)}`);
      }
    }
  };
  Object.defineProperty(init, 'name', { value: name.replace(/[^A-Za-z0-9_$]/g, '_') });
  return [
    init,
    deliveryLeaseMigration(schema),
    endpointsMigration(schema),
    eventTypeMigration(schema),
    inboxMigration(schema),
    eventSealMigration(schema),
    eventAcksMigration(schema),
    jobTraceParentMigration(schema),
  ];
}

const DELIVERY_LEASE_TIMESTAMP = 1795500000000;

/**
 * `handling_until`: until when an accepted delivery is in progress (its answer not yet sent); NULL
 * once acknowledged. A copy is answered 2xx only when it is NULL (issue 13, item 8).
 * `handling_token`: the random token of the request holding that lease, so only it can settle it.
 */
function deliveryLeaseMigration(schema: string | undefined): HookwardenMigrationClass {
  const events = (s: string) => qualified(s, HOOKWARDEN_TABLES.events);
  return defineMigration(
    'HookwardenDeliveryLease',
    DELIVERY_LEASE_TIMESTAMP,
    schema,
    // Nullable, no default: instant on a large table; existing rows count as acknowledged.
    (s) => [
      `ALTER TABLE ${events(s)} ADD COLUMN IF NOT EXISTS "handling_until" TIMESTAMP WITH TIME ZONE`,
      `ALTER TABLE ${events(s)} ADD COLUMN IF NOT EXISTS "handling_token" character varying(64)`,
    ],
    (s) => [
      `ALTER TABLE IF EXISTS ${events(s)} DROP COLUMN IF EXISTS "handling_token"`,
      `ALTER TABLE IF EXISTS ${events(s)} DROP COLUMN IF EXISTS "handling_until"`,
    ],
  );
}

const ENDPOINTS_TIMESTAMP = 1795600000000;

/** `webhook_endpoints`: endpoints defined at run time through the admin API (issue 17). */
function endpointsMigration(schema: string | undefined): HookwardenMigrationClass {
  return defineMigration('HookwardenEndpoints', ENDPOINTS_TIMESTAMP, schema, endpointStatements, (s) => [
    `DROP TABLE IF EXISTS ${qualified(s, HOOKWARDEN_TABLES.endpoints)}`,
    `DROP FUNCTION IF EXISTS ${qualified(s, 'webhook_endpoints_notify')}()`,
  ]);
}

const EVENT_TYPE_TIMESTAMP = 1795700000000;

/**
 * `event_type`: the provider's event type of a verified request, for the console's filter (issue
 * 18). Nullable without a default: instant on a large table, and older rows simply have none. No
 * index: every B-tree costs the group-committed INSERT throughput, and the filter walks the keyset
 * order (id, or endpoint and id) like the others. Also turns on the BRIN index's autosummarize, for
 * the console's chart (a range query on `received_at`).
 */
function eventTypeMigration(schema: string | undefined): HookwardenMigrationClass {
  const events = (s: string) => qualified(s, HOOKWARDEN_TABLES.events);
  // The console's chart reads the last hour through the BRIN index; a block range is summarised
  // (and so skipped) by VACUUM only, unless autosummarize asks for it as soon as it fills.
  const brin = (s: string) => qualified(s, 'IDX_webhook_events_received_at');
  return defineMigration(
    'HookwardenEventType',
    EVENT_TYPE_TIMESTAMP,
    schema,
    (s) => [
      `ALTER TABLE ${events(s)} ADD COLUMN IF NOT EXISTS "event_type" text`,
      `ALTER INDEX IF EXISTS ${brin(s)} SET (autosummarize = on)`,
    ],
    (s) => [
      `ALTER INDEX IF EXISTS ${brin(s)} RESET (autosummarize)`,
      `ALTER TABLE IF EXISTS ${events(s)} DROP COLUMN IF EXISTS "event_type"`,
    ],
  );
}

const INBOX_TIMESTAMP = 1795700000000;

/** `webhook_inbox_jobs`: one row per (accepted event, `@OnWebhook` handler) (issue 15). */
function inboxMigration(schema: string | undefined): HookwardenMigrationClass {
  return defineMigration('HookwardenInbox', INBOX_TIMESTAMP, schema, inboxStatements, (s) => [
    `DROP TABLE IF EXISTS ${qualified(s, HOOKWARDEN_TABLES.jobs)}`,
  ]);
}

const EVENT_SEAL_TIMESTAMP = 1795800000000;

/**
 * `seal`, `seal_key_id`: the keyed seal of an accepted event with inbox work, which replay with
 * `reverify` checks (issue 15). Nullable without a default: instant on a large table; older rows
 * have none, and are refused by `reverify` (replayed without it). Recording does not need the
 * columns; turning the inbox on does (start-up names this migration when they are missing).
 */
function eventSealMigration(schema: string | undefined): HookwardenMigrationClass {
  const events = (s: string) => qualified(s, HOOKWARDEN_TABLES.events);
  return defineMigration(
    'HookwardenEventSeal',
    EVENT_SEAL_TIMESTAMP,
    schema,
    (s) => [
      `ALTER TABLE ${events(s)} ADD COLUMN IF NOT EXISTS "seal" bytea`,
      `ALTER TABLE ${events(s)} ADD COLUMN IF NOT EXISTS "seal_key_id" character varying(64)`,
    ],
    (s) => [
      `ALTER TABLE IF EXISTS ${events(s)} DROP COLUMN IF EXISTS "seal_key_id"`,
      `ALTER TABLE IF EXISTS ${events(s)} DROP COLUMN IF EXISTS "seal"`,
    ],
  );
}

/** Hookwarden's migrations for the data source's own schema. @publicApi */
export const HOOKWARDEN_MIGRATIONS: HookwardenMigrationClass[] = createHookwardenMigrations();

function schemaOf(queryRunner: QueryRunner, schema: string | undefined): string {
  return schema ?? queryRunner.connection.driver.schema ?? 'public';
}

/**
 * `webhook_event_acks`: one narrow row per acknowledged acceptance (the event's id and the lease
 * token it was acknowledged under). An acceptance used to be acknowledged by clearing
 * `handling_until` on the event's row, which rewrote the whole ~1.5 KiB row and its three index
 * entries (PostgreSQL cannot update it in place): about 45 µs of PostgreSQL's CPU per delivery,
 * more than the INSERT. An event is acknowledged when `handling_until` is NULL (rows acknowledged
 * before this migration) or when its ack row carries its current lease token.
 */
function eventAcksMigration(schema: string | undefined): HookwardenMigrationClass {
  const acks = (s: string) => qualified(s, HOOKWARDEN_TABLES.acks);
  return defineMigration(
    'HookwardenEventAcks',
    EVENT_ACKS_TIMESTAMP,
    schema,
    (s) => [
      `CREATE TABLE IF NOT EXISTS ${acks(s)} (
        "event_id" bigint NOT NULL,
        "token" character varying(64),
        CONSTRAINT "PK_webhook_event_acks" PRIMARY KEY ("event_id")
      )`,
    ],
    (s) => [`DROP TABLE IF EXISTS ${acks(s)}`],
  );
}

/** The name of the migration that adds `trace_parent` to the jobs, for the start-up error. @internal */
export function jobTraceParentMigrationName(schema?: string): string {
  return migrationName('HookwardenJobTraceParent', JOB_TRACE_PARENT_TIMESTAMP, schema);
}

function migrationName(base: string, timestamp: number, schema: string | undefined): string {
  return schema ? `${base}_${schema}_${timestamp}` : `${base}${timestamp}`;
}

/**
 * A migration class named `<base><timestamp>` (`<base>_<schema>_<timestamp>` with a schema, so each
 * schema's migrations are recorded apart) running the statements `up` / `down` give, in order.
 */
function defineMigration(
  base: string,
  timestamp: number,
  schema: string | undefined,
  up: (schema: string) => string[],
  down: (schema: string) => string[],
): HookwardenMigrationClass {
  const name = migrationName(base, timestamp, schema);
  const migration = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const statement of up(schemaOf(queryRunner, schema))) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      for (const statement of down(schemaOf(queryRunner, schema))) await queryRunner.query(statement);
    }
  };
  Object.defineProperty(migration, 'name', { value: name.replace(/[^A-Za-z0-9_$]/g, '_') });
  return migration;
}

/**
 * `trace_parent`: the W3C `traceparent` of the request that stored a job's event (55 characters:
 * version, trace id, span id, flags; never `tracestate` or baggage), which each attempt's span
 * links to (issue 18). Nullable without a default: instant on a large table; older jobs and
 * untraced requests have none. Turning the inbox on needs it (start-up names this migration).
 */
function jobTraceParentMigration(schema: string | undefined): HookwardenMigrationClass {
  const jobs = (s: string) => qualified(s, HOOKWARDEN_TABLES.jobs);
  return defineMigration(
    'HookwardenJobTraceParent',
    JOB_TRACE_PARENT_TIMESTAMP,
    schema,
    (s) => [`ALTER TABLE ${jobs(s)} ADD COLUMN IF NOT EXISTS "trace_parent" character varying(55)`],
    (s) => [`ALTER TABLE IF EXISTS ${jobs(s)} DROP COLUMN IF EXISTS "trace_parent"`],
  );
}
