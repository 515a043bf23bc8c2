import { ENDPOINTS_CHANNEL, HOOKWARDEN_TABLES, qualified, SECRETS_CHANNEL } from './storage-schema';

// The DDL of Hookwarden's tables, which its migrations run (and start-up with `synchronize` checks).

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
    ...notifyTrigger({
      fn: notify,
      table: secrets,
      trigger: 'webhook_secrets_notify',
      channel: SECRETS_CHANNEL,
      key: 'endpoint',
      events: 'INSERT OR DELETE OR UPDATE OF "key_id", "ciphertext", "expires_at", "revoked_at"',
    }),
    ...endpointStatements(schema),
  ];
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
    ...notifyTrigger({
      fn: notify,
      table: endpoints,
      trigger: 'webhook_endpoints_notify',
      channel: ENDPOINTS_CHANNEL,
      key: 'name',
      events: 'INSERT OR UPDATE OR DELETE',
    }),
  ];
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
 * A row trigger that tells every instance through NOTIFY which endpoint's rows changed (`{ schema,
 * endpoint }` on `channel`): the function, then the trigger, created only when missing (no CREATE OR
 * REPLACE TRIGGER before PostgreSQL 14).
 */
function notifyTrigger(t: {
  fn: string;
  table: string;
  trigger: string;
  channel: string;
  key: string;
  events: string;
}) {
  return [
    `CREATE OR REPLACE FUNCTION ${t.fn}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('${t.channel}', json_build_object(
        'schema', TG_TABLE_SCHEMA,
        'endpoint', CASE TG_OP WHEN 'DELETE' THEN OLD.${t.key} ELSE NEW.${t.key} END
      )::text);
      RETURN NULL;
    END
    $$`,
    `DO $hookwarden$ BEGIN
      IF NOT EXISTS (
        SELECT 1 FROM pg_trigger WHERE tgname = '${t.trigger}' AND tgrelid = '${t.table.replace(/'/g, "''")}'::regclass
      ) THEN
        CREATE TRIGGER "${t.trigger}" AFTER ${t.events}
          ON ${t.table} FOR EACH ROW EXECUTE FUNCTION ${t.fn}();
      END IF;
    END $hookwarden$`,
  ];
}
