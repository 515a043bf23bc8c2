import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  ENDPOINTS_CHANNEL,
  HOOKWARDEN_TABLES,
  qualified,
  quoteIdent,
  SECRETS_CHANNEL,
  validateSchemaName,
} from './storage-schema';

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
  const name = schema
    ? `HookwardenDeliveryLease_${schema}_${DELIVERY_LEASE_TIMESTAMP}`
    : `HookwardenDeliveryLease${DELIVERY_LEASE_TIMESTAMP}`;
  const migration = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      const events = qualified(schemaOf(queryRunner, schema), HOOKWARDEN_TABLES.events);
      // Nullable, no default: instant on a large table; existing rows count as acknowledged.
      await queryRunner.query(
        `ALTER TABLE ${events} ADD COLUMN IF NOT EXISTS "handling_until" TIMESTAMP WITH TIME ZONE`,
      );
      await queryRunner.query(`ALTER TABLE ${events} ADD COLUMN IF NOT EXISTS "handling_token" character varying(64)`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const events = qualified(schemaOf(queryRunner, schema), HOOKWARDEN_TABLES.events);
      await queryRunner.query(`ALTER TABLE IF EXISTS ${events} DROP COLUMN IF EXISTS "handling_token"`);
      await queryRunner.query(`ALTER TABLE IF EXISTS ${events} DROP COLUMN IF EXISTS "handling_until"`);
    }
  };
  Object.defineProperty(migration, 'name', { value: name.replace(/[^A-Za-z0-9_$]/g, '_') });
  return migration;
}

const ENDPOINTS_TIMESTAMP = 1795600000000;

/** `webhook_endpoints`: endpoints defined at run time through the admin API (issue 17). */
function endpointsMigration(schema: string | undefined): HookwardenMigrationClass {
  const name = schema
    ? `HookwardenEndpoints_${schema}_${ENDPOINTS_TIMESTAMP}`
    : `HookwardenEndpoints${ENDPOINTS_TIMESTAMP}`;
  const migration = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const statement of endpointStatements(schemaOf(queryRunner, schema))) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const s = schemaOf(queryRunner, schema);
      await queryRunner.query(`DROP TABLE IF EXISTS ${qualified(s, HOOKWARDEN_TABLES.endpoints)}`);
      await queryRunner.query(`DROP FUNCTION IF EXISTS ${qualified(s, 'webhook_endpoints_notify')}()`);
    }
  };
  Object.defineProperty(migration, 'name', { value: name.replace(/[^A-Za-z0-9_$]/g, '_') });
  return migration;
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
  const name = schema
    ? `HookwardenEventType_${schema}_${EVENT_TYPE_TIMESTAMP}`
    : `HookwardenEventType${EVENT_TYPE_TIMESTAMP}`;
  const migration = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      const events = qualified(schemaOf(queryRunner, schema), HOOKWARDEN_TABLES.events);
      await queryRunner.query(`ALTER TABLE ${events} ADD COLUMN IF NOT EXISTS "event_type" text`);
      // The console's chart reads the last hour through the BRIN index; a block range is summarised
      // (and so skipped) by VACUUM only, unless autosummarize asks for it as soon as it fills.
      const brin = qualified(schemaOf(queryRunner, schema), 'IDX_webhook_events_received_at');
      await queryRunner.query(`ALTER INDEX IF EXISTS ${brin} SET (autosummarize = on)`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const events = qualified(schemaOf(queryRunner, schema), HOOKWARDEN_TABLES.events);
      const brin = qualified(schemaOf(queryRunner, schema), 'IDX_webhook_events_received_at');
      await queryRunner.query(`ALTER INDEX IF EXISTS ${brin} RESET (autosummarize)`);
      await queryRunner.query(`ALTER TABLE IF EXISTS ${events} DROP COLUMN IF EXISTS "event_type"`);
    }
  };
  Object.defineProperty(migration, 'name', { value: name.replace(/[^A-Za-z0-9_$]/g, '_') });
  return migration;
}

/**
 * The DDL of the endpoints table, idempotent like {@link createStatements} (which includes it).
 * Every instance keeps the endpoints in memory; a change anywhere tells the others through NOTIFY.
 * @internal
 */
export function endpointStatements(schema: string): string[] {
  const endpoints = qualified(schema, HOOKWARDEN_TABLES.endpoints);
  const notify = qualified(schema, 'webhook_endpoints_notify');
  return [
    `CREATE TABLE IF NOT EXISTS ${endpoints} (
      "name" character varying(63) NOT NULL,
      "provider" character varying(63) NOT NULL,
      "options" jsonb NOT NULL,
      "challenge" jsonb,
      "key_id" character varying(64),
      "secret_options" bytea,
      "enabled" boolean NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_webhook_endpoints" PRIMARY KEY ("name")
    )`,
    `CREATE OR REPLACE FUNCTION ${notify}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${ENDPOINTS_CHANNEL}', json_build_object(
        'schema', TG_TABLE_SCHEMA,
        'endpoint', CASE TG_OP WHEN 'DELETE' THEN OLD.name ELSE NEW.name END
      )::text);
      RETURN NULL;
    END
    $$`,
    `DO $hookwarden$ BEGIN
      IF NOT EXISTS (
        SELECT 1 FROM pg_trigger WHERE tgname = 'webhook_endpoints_notify' AND tgrelid = '${endpoints.replace(/'/g, "''")}'::regclass
      ) THEN
        CREATE TRIGGER "webhook_endpoints_notify" AFTER INSERT OR UPDATE OR DELETE
          ON ${endpoints} FOR EACH ROW EXECUTE FUNCTION ${notify}();
      END IF;
    END $hookwarden$`,
  ];
}

const INBOX_TIMESTAMP = 1795700000000;

/** `webhook_inbox_jobs`: one row per (accepted event, `@OnWebhook` handler) (issue 15). */
function inboxMigration(schema: string | undefined): HookwardenMigrationClass {
  const name = schema ? `HookwardenInbox_${schema}_${INBOX_TIMESTAMP}` : `HookwardenInbox${INBOX_TIMESTAMP}`;
  const migration = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      for (const statement of inboxStatements(schemaOf(queryRunner, schema))) await queryRunner.query(statement);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(
        `DROP TABLE IF EXISTS ${qualified(schemaOf(queryRunner, schema), HOOKWARDEN_TABLES.jobs)}`,
      );
    }
  };
  Object.defineProperty(migration, 'name', { value: name.replace(/[^A-Za-z0-9_$]/g, '_') });
  return migration;
}

/**
 * The DDL of the inbox's jobs, idempotent. The partial indexes cover unfinished work only, so
 * they stay small however many jobs succeeded; deleting an event (retention) deletes its jobs.
 * @internal
 */
export function inboxStatements(schema: string): string[] {
  const jobs = qualified(schema, HOOKWARDEN_TABLES.jobs);
  const events = qualified(schema, HOOKWARDEN_TABLES.events);
  return [
    `CREATE TABLE IF NOT EXISTS ${jobs} (
      "id" BIGSERIAL NOT NULL,
      "event_id" bigint NOT NULL,
      "endpoint" character varying(63) NOT NULL,
      "handler" character varying(200) NOT NULL,
      "event_type" character varying(200),
      "order_key" character varying(200),
      "state" character varying(16) NOT NULL,
      "attempts" integer NOT NULL DEFAULT 0,
      "run_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "lease_until" TIMESTAMP WITH TIME ZONE,
      "lease_token" character varying(64),
      "last_error" text,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT statement_timestamp(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT statement_timestamp(),
      CONSTRAINT "PK_webhook_inbox_jobs" PRIMARY KEY ("id"),
      CONSTRAINT "UQ_webhook_inbox_jobs_event_handler" UNIQUE ("event_id", "handler"),
      CONSTRAINT "FK_webhook_inbox_jobs_event" FOREIGN KEY ("event_id") REFERENCES ${events} ("id") ON DELETE CASCADE,
      CONSTRAINT "CHK_webhook_inbox_jobs_state"
        CHECK ("state" IN ('pending', 'running', 'succeeded', 'failed', 'dead'))
    )`,
    // What workers claim: due pending or failed jobs…
    `CREATE INDEX IF NOT EXISTS "IDX_webhook_inbox_jobs_due" ON ${jobs} ("run_at", "id")
       WHERE "state" IN ('pending', 'failed')`,
    // …and running ones whose lease ran out.
    `CREATE INDEX IF NOT EXISTS "IDX_webhook_inbox_jobs_leases" ON ${jobs} ("lease_until")
       WHERE "state" = 'running'`,
    // Ordering per key: the oldest unfinished job of (endpoint, handler, key) is the one that may run.
    `CREATE INDEX IF NOT EXISTS "IDX_webhook_inbox_jobs_order" ON ${jobs} ("endpoint", "handler", "order_key", "id")
       WHERE "order_key" IS NOT NULL AND "state" IN ('pending', 'running', 'failed')`,
    // Redrive and the listing of dead jobs.
    `CREATE INDEX IF NOT EXISTS "IDX_webhook_inbox_jobs_dead" ON ${jobs} ("id") WHERE "state" = 'dead'`,
  ];
}

const EVENT_SEAL_TIMESTAMP = 1795800000000;

/**
 * `seal`, `seal_key_id`: the keyed seal of an accepted event with inbox work, which replay with
 * `reverify` checks (issue 15). Nullable without a default: instant on a large table; older rows
 * have none, and are refused by `reverify` (replayed without it). Recording does not need the
 * columns; turning the inbox on does (start-up names this migration when they are missing).
 */
function eventSealMigration(schema: string | undefined): HookwardenMigrationClass {
  const name = schema
    ? `HookwardenEventSeal_${schema}_${EVENT_SEAL_TIMESTAMP}`
    : `HookwardenEventSeal${EVENT_SEAL_TIMESTAMP}`;
  const migration = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      const events = qualified(schemaOf(queryRunner, schema), HOOKWARDEN_TABLES.events);
      await queryRunner.query(`ALTER TABLE ${events} ADD COLUMN IF NOT EXISTS "seal" bytea`);
      await queryRunner.query(`ALTER TABLE ${events} ADD COLUMN IF NOT EXISTS "seal_key_id" character varying(64)`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const events = qualified(schemaOf(queryRunner, schema), HOOKWARDEN_TABLES.events);
      await queryRunner.query(`ALTER TABLE IF EXISTS ${events} DROP COLUMN IF EXISTS "seal_key_id"`);
      await queryRunner.query(`ALTER TABLE IF EXISTS ${events} DROP COLUMN IF EXISTS "seal"`);
    }
  };
  Object.defineProperty(migration, 'name', { value: name.replace(/[^A-Za-z0-9_$]/g, '_') });
  return migration;
}

/** Hookwarden's migrations for the data source's own schema. @publicApi */
export const HOOKWARDEN_MIGRATIONS: HookwardenMigrationClass[] = createHookwardenMigrations();

function schemaOf(queryRunner: QueryRunner, schema: string | undefined): string {
  return schema ?? queryRunner.connection.driver.schema ?? 'public';
}

/**
 * The DDL of the first migration. Keep it equal to the entities (a spec checks it). Every statement
 * is idempotent, so the migration also completes tables made by `synchronize`. @internal
 */
export function createStatements(schema: string): string[] {
  const t = (table: string) => qualified(schema, table);
  const events = t(HOOKWARDEN_TABLES.events);
  const secrets = t(HOOKWARDEN_TABLES.secrets);
  const notify = t('webhook_secrets_notify');
  return [
    `CREATE TABLE IF NOT EXISTS ${events} (
      "id" BIGSERIAL NOT NULL,
      "endpoint" character varying(63) NOT NULL,
      "provider" text NOT NULL,
      "message_id" text,
      "status" character varying(16) NOT NULL,
      "reason" text,
      "secret_version" integer,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "signed_at" TIMESTAMP WITH TIME ZONE,
      "replay_window_ends_at" TIMESTAMP WITH TIME ZONE,
      "method" text NOT NULL,
      "path" text NOT NULL,
      "headers" jsonb NOT NULL,
      "body" bytea NOT NULL,
      "body_size" integer NOT NULL,
      "body_sha256" bytea NOT NULL,
      "occurrences" integer NOT NULL DEFAULT 1,
      CONSTRAINT "PK_webhook_events" PRIMARY KEY ("id"),
      CONSTRAINT "CHK_webhook_events_status" CHECK ("status" IN ('accepted', 'duplicate', 'rejected', 'challenge'))
    )`,
    // Exactly one acceptance per (endpoint, message id): INSERT … ON CONFLICT DO NOTHING relies on it.
    `CREATE UNIQUE INDEX IF NOT EXISTS "UQ_webhook_events_accepted_message" ON ${events} ("endpoint", "message_id") WHERE "status" = 'accepted'`,
    // Keyset pagination, newest (highest id) first: the primary key over all endpoints, this one
    // per endpoint. Time filters and retention use a BRIN index, nearly free to maintain: every
    // extra B-tree costs the group-committed INSERT about 15 % of its throughput.
    `CREATE INDEX IF NOT EXISTS "IDX_webhook_events_endpoint_id" ON ${events} ("endpoint", "id")`,
    `CREATE INDEX IF NOT EXISTS "IDX_webhook_events_received_at" ON ${events} USING brin ("received_at")`,
    `CREATE TABLE IF NOT EXISTS ${secrets} (
      "endpoint" character varying(127) NOT NULL,
      "version" integer NOT NULL,
      "key_id" character varying(64) NOT NULL,
      "ciphertext" bytea NOT NULL,
      "fingerprint" bytea NOT NULL,
      "hint" character varying(8) NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "expires_at" TIMESTAMP WITH TIME ZONE,
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      "last_used_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_webhook_secrets" PRIMARY KEY ("endpoint", "version")
    )`,
    `CREATE TABLE IF NOT EXISTS ${t(HOOKWARDEN_TABLES.encryptionKeys)} (
      "key_id" character varying(64) NOT NULL,
      "check_value" bytea NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      CONSTRAINT "PK_webhook_encryption_keys" PRIMARY KEY ("key_id")
    )`,
    `CREATE TABLE IF NOT EXISTS ${t(HOOKWARDEN_TABLES.audit)} (
      "id" BIGSERIAL NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "actor" character varying(128) NOT NULL,
      "action" character varying(64) NOT NULL,
      "endpoint" character varying(127),
      "secret_version" integer,
      "details" jsonb,
      CONSTRAINT "PK_webhook_audit" PRIMARY KEY ("id")
    )`,
    `CREATE INDEX IF NOT EXISTS "IDX_webhook_audit_at" ON ${t(HOOKWARDEN_TABLES.audit)} ("at", "id")`,
    // Every instance keeps the secrets in memory; a change anywhere (the admin API of any instance,
    // the re-encryption command, plain SQL) tells the others through NOTIFY. last_used_at alone
    // does not notify.
    `CREATE OR REPLACE FUNCTION ${notify}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${SECRETS_CHANNEL}', json_build_object(
        'schema', TG_TABLE_SCHEMA,
        'endpoint', CASE TG_OP WHEN 'DELETE' THEN OLD.endpoint ELSE NEW.endpoint END
      )::text);
      RETURN NULL;
    END
    $$`,
    // No CREATE OR REPLACE TRIGGER before PostgreSQL 14: create it only when it is not there.
    `DO $hookwarden$ BEGIN
      IF NOT EXISTS (
        SELECT 1 FROM pg_trigger WHERE tgname = 'webhook_secrets_notify' AND tgrelid = '${secrets.replace(/'/g, "''")}'::regclass
      ) THEN
        CREATE TRIGGER "webhook_secrets_notify"
          AFTER INSERT OR DELETE OR UPDATE OF "key_id", "ciphertext", "expires_at", "revoked_at"
          ON ${secrets} FOR EACH ROW EXECUTE FUNCTION ${notify}();
      END IF;
    END $hookwarden$`,
    ...endpointStatements(schema),
  ];
}

/**
 * What the migration creates that TypeORM's `synchronize` cannot (it knows tables, columns and
 * B-tree indexes only): the secrets' NOTIFY function and trigger, and the BRIN index. Returns the
 * names of those missing in `schema`.
 * @internal
 */
export async function missingSchemaObjects(
  query: (text: string, params: unknown[]) => Promise<Array<Record<string, unknown>>>,
  schema: string,
): Promise<string[]> {
  const [row] = await query(
    `SELECT to_regclass($1) IS NOT NULL AS "index",
            to_regprocedure($2) IS NOT NULL AS "function",
            EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'webhook_secrets_notify' AND tgrelid = to_regclass($3))
              AS "trigger",
            EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'webhook_endpoints_notify' AND tgrelid = to_regclass($4))
              AS "endpointsTrigger"`,
    [
      qualified(schema, 'IDX_webhook_events_received_at'),
      `${qualified(schema, 'webhook_secrets_notify')}()`,
      qualified(schema, HOOKWARDEN_TABLES.secrets),
      qualified(schema, HOOKWARDEN_TABLES.endpoints),
    ],
  );
  const missing: string[] = [];
  if (row?.['index'] !== true) missing.push('the BRIN index IDX_webhook_events_received_at');
  if (row?.['function'] !== true) missing.push('the function webhook_secrets_notify()');
  if (row?.['trigger'] !== true) missing.push('the trigger webhook_secrets_notify');
  if (row?.['endpointsTrigger'] !== true) missing.push('the trigger webhook_endpoints_notify');
  return missing;
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
  const name = schema
    ? `HookwardenEventAcks_${schema}_${EVENT_ACKS_TIMESTAMP}`
    : `HookwardenEventAcks${EVENT_ACKS_TIMESTAMP}`;
  const migration = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      const acks = qualified(schemaOf(queryRunner, schema), HOOKWARDEN_TABLES.acks);
      await queryRunner.query(`CREATE TABLE IF NOT EXISTS ${acks} (
        "event_id" bigint NOT NULL,
        "token" character varying(64),
        CONSTRAINT "PK_webhook_event_acks" PRIMARY KEY ("event_id")
      )`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const acks = qualified(schemaOf(queryRunner, schema), HOOKWARDEN_TABLES.acks);
      await queryRunner.query(`DROP TABLE IF EXISTS ${acks}`);
    }
  };
  Object.defineProperty(migration, 'name', { value: name.replace(/[^A-Za-z0-9_$]/g, '_') });
  return migration;
}

/** The name of the migration that adds `trace_parent` to the jobs, for the start-up error. @internal */
export function jobTraceParentMigrationName(schema?: string): string {
  return schema
    ? `HookwardenJobTraceParent_${schema}_${JOB_TRACE_PARENT_TIMESTAMP}`
    : `HookwardenJobTraceParent${JOB_TRACE_PARENT_TIMESTAMP}`;
}

/**
 * `trace_parent`: the W3C `traceparent` of the request that stored a job's event (55 characters:
 * version, trace id, span id, flags; never `tracestate` or baggage), which each attempt's span
 * links to (issue 18). Nullable without a default: instant on a large table; older jobs and
 * untraced requests have none. Turning the inbox on needs it (start-up names this migration).
 */
function jobTraceParentMigration(schema: string | undefined): HookwardenMigrationClass {
  const name = jobTraceParentMigrationName(schema);
  const migration = class implements MigrationInterface {
    readonly name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      const jobs = qualified(schemaOf(queryRunner, schema), HOOKWARDEN_TABLES.jobs);
      await queryRunner.query(`ALTER TABLE ${jobs} ADD COLUMN IF NOT EXISTS "trace_parent" character varying(55)`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      const jobs = qualified(schemaOf(queryRunner, schema), HOOKWARDEN_TABLES.jobs);
      await queryRunner.query(`ALTER TABLE IF EXISTS ${jobs} DROP COLUMN IF EXISTS "trace_parent"`);
    }
  };
  Object.defineProperty(migration, 'name', { value: name.replace(/[^A-Za-z0-9_$]/g, '_') });
  return migration;
}
