import { EntitySchema } from 'typeorm';
import type { WebhookEventStatus } from '../event-log.interface';
import { HOOKWARDEN_TABLES, validateSchemaName } from './storage-schema';

/** A row of `webhook_events`: one request that reached an endpoint. @publicApi */
export interface WebhookEventRow {
  /** bigint, as a string. */
  id: string;
  endpoint: string;
  provider: string;
  messageId: string | null;
  status: WebhookEventStatus;
  reason: string | null;
  secretVersion: number | null;
  receivedAt: Date;
  signedAt: Date | null;
  /** Until when a replay of the message id could pass verification; retention keeps the row at least that long. */
  replayWindowEndsAt: Date | null;
  method: string;
  path: string;
  /** Redacted headers. */
  headers: Record<string, string>;
  /** The body up to the configured cap. */
  body: Buffer;
  bodySize: number;
  bodySha256: Buffer;
  /** 1, or for a summary row of a flood of rejections, how many requests it stands for. */
  occurrences: number;
  /** Until when an accepted delivery is in progress (not yet acknowledged); NULL once it is. */
  handlingUntil: Date | null;
  /** The random token of the request that holds the in-progress lease; only it can settle it. */
  handlingToken: string | null;
  /** The provider's event type of a verified request (the console filters on it). */
  eventType: string | null;
  /**
   * HMAC-SHA256 of the accepted row (endpoint, message id, type, status, body digest and size) under
   * a subkey of the master key `sealKeyId`; only events with inbox work have one. Replay checks it.
   */
  seal: Buffer | null;
  sealKeyId: string | null;
}

/** A row of `webhook_secrets`: one version of an endpoint's secret, encrypted. @publicApi */
export interface WebhookSecretRow {
  endpoint: string;
  version: number;
  /** The id of the master key that encrypted `ciphertext`. */
  keyId: string;
  /** AES-256-GCM: `0x01 | iv(12) | tag(16) | ciphertext`, with the endpoint and version as associated data. */
  ciphertext: Buffer;
  /** HMAC-SHA256 of the secret under a subkey of `keyId`, to find configured secrets without decrypting. */
  fingerprint: Buffer;
  hint: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

/** A row of `webhook_encryption_keys`: a check value per master key id, so a wrong key fails at start-up. @publicApi */
export interface WebhookEncryptionKeyRow {
  keyId: string;
  checkValue: Buffer;
  createdAt: Date;
}

/** A row of `webhook_audit`: one administrative action. @publicApi */
export interface WebhookAuditRow {
  id: string;
  at: Date;
  actor: string;
  action: string;
  endpoint: string | null;
  secretVersion: number | null;
  details: Record<string, unknown> | null;
}

/** A row of `webhook_event_acks`: an acceptance acknowledged under a lease token. @publicApi */
export interface WebhookEventAckRow {
  eventId: string;
  token: string | null;
}

/** A row of `webhook_endpoints`: an endpoint defined at run time through the admin API. @publicApi */
export interface WebhookEndpointRow {
  name: string;
  /** A catalogue id, or `hmac`. */
  provider: string;
  /** The preset's options without secrets. */
  options: Record<string, unknown>;
  /** Declarative challenge rules of a generic endpoint. */
  challenge: Record<string, unknown> | null;
  /** The master key that encrypted `secretOptions`. */
  keyId: string | null;
  /** The options that hold secrets, as encrypted JSON (AES-256-GCM, the name as associated data). */
  secretOptions: Buffer | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The entities of one schema, by role. @publicApi */
export interface HookwardenEntities {
  readonly event: EntitySchema<WebhookEventRow>;
  readonly secret: EntitySchema<WebhookSecretRow>;
  readonly encryptionKey: EntitySchema<WebhookEncryptionKeyRow>;
  readonly audit: EntitySchema<WebhookAuditRow>;
  readonly endpoint: EntitySchema<WebhookEndpointRow>;
  readonly eventAck: EntitySchema<WebhookEventAckRow>;
}

const cache = new Map<string, HookwardenEntities>();

/**
 * Hookwarden's entities for a schema (omit it for the data source's own schema). The same schema
 * always returns the same objects, so registering them twice is harmless. The entities describe
 * exactly what the migrations create; Hookwarden itself writes with SQL of its own and needs them
 * only so the data source knows the tables (e.g. for `migration:generate`).
 * @publicApi
 */
export function createHookwardenEntities(schema?: string): HookwardenEntities {
  validateSchemaName(schema);
  const key = schema ?? '';
  let entities = cache.get(key);
  if (!entities) {
    entities = buildEntities(schema);
    cache.set(key, entities);
  }
  return entities;
}

/** The entities as an array, e.g. for `TypeOrmModule.forFeature()` or a data source's `entities`. @publicApi */
export function hookwardenEntityList(schema?: string): EntitySchema[] {
  const { event, secret, encryptionKey, audit, endpoint, eventAck } = createHookwardenEntities(schema);
  return [event, secret, encryptionKey, audit, endpoint, eventAck] as EntitySchema[];
}

/** Hookwarden's entities in the data source's own schema. @publicApi */
export const HOOKWARDEN_ENTITIES: EntitySchema[] = hookwardenEntityList();

function buildEntities(schema: string | undefined): HookwardenEntities {
  const suffix = schema ? `_${schema}` : '';
  const event = new EntitySchema<WebhookEventRow>({
    name: `HookwardenEvent${suffix}`,
    tableName: HOOKWARDEN_TABLES.events,
    schema,
    columns: {
      id: { type: 'bigint', primary: true, generated: 'increment', primaryKeyConstraintName: 'PK_webhook_events' },
      endpoint: { type: 'varchar', length: 63 },
      provider: { type: 'text' },
      messageId: { name: 'message_id', type: 'text', nullable: true },
      status: { type: 'varchar', length: 16 },
      reason: { type: 'text', nullable: true },
      secretVersion: { name: 'secret_version', type: 'integer', nullable: true },
      receivedAt: { name: 'received_at', type: 'timestamptz' },
      signedAt: { name: 'signed_at', type: 'timestamptz', nullable: true },
      replayWindowEndsAt: { name: 'replay_window_ends_at', type: 'timestamptz', nullable: true },
      method: { type: 'text' },
      path: { type: 'text' },
      headers: { type: 'jsonb' },
      body: { type: 'bytea' },
      bodySize: { name: 'body_size', type: 'integer' },
      bodySha256: { name: 'body_sha256', type: 'bytea' },
      occurrences: { type: 'integer', default: 1 },
      handlingUntil: { name: 'handling_until', type: 'timestamptz', nullable: true },
      handlingToken: { name: 'handling_token', type: 'varchar', length: 64, nullable: true },
      eventType: { name: 'event_type', type: 'text', nullable: true },
      seal: { type: 'bytea', nullable: true },
      sealKeyId: { name: 'seal_key_id', type: 'varchar', length: 64, nullable: true },
    },
    indices: [
      {
        name: 'UQ_webhook_events_accepted_message',
        columns: ['endpoint', 'messageId'],
        unique: true,
        where: `"status" = 'accepted'`,
      },
      { name: 'IDX_webhook_events_endpoint_id', columns: ['endpoint', 'id'] },
      // BRIN (the migration creates it; TypeORM cannot describe the method, so it leaves it alone).
      { name: 'IDX_webhook_events_received_at', columns: ['receivedAt'], synchronize: false },
    ],
    checks: [
      {
        name: 'CHK_webhook_events_status',
        expression: `"status" IN ('accepted', 'duplicate', 'rejected', 'challenge')`,
      },
    ],
  });
  const secret = new EntitySchema<WebhookSecretRow>({
    name: `HookwardenSecret${suffix}`,
    tableName: HOOKWARDEN_TABLES.secrets,
    schema,
    columns: {
      // Signing secrets under the endpoint's name, challenge secrets under `<endpoint>.<name>`.
      endpoint: { type: 'varchar', length: 127, primary: true, primaryKeyConstraintName: 'PK_webhook_secrets' },
      version: { type: 'integer', primary: true, primaryKeyConstraintName: 'PK_webhook_secrets' },
      keyId: { name: 'key_id', type: 'varchar', length: 64 },
      ciphertext: { type: 'bytea' },
      fingerprint: { type: 'bytea' },
      hint: { type: 'varchar', length: 8 },
      createdAt: { name: 'created_at', type: 'timestamptz' },
      expiresAt: { name: 'expires_at', type: 'timestamptz', nullable: true },
      revokedAt: { name: 'revoked_at', type: 'timestamptz', nullable: true },
      lastUsedAt: { name: 'last_used_at', type: 'timestamptz', nullable: true },
    },
  });
  const encryptionKey = new EntitySchema<WebhookEncryptionKeyRow>({
    name: `HookwardenEncryptionKey${suffix}`,
    tableName: HOOKWARDEN_TABLES.encryptionKeys,
    schema,
    columns: {
      keyId: {
        name: 'key_id',
        type: 'varchar',
        length: 64,
        primary: true,
        primaryKeyConstraintName: 'PK_webhook_encryption_keys',
      },
      checkValue: { name: 'check_value', type: 'bytea' },
      createdAt: { name: 'created_at', type: 'timestamptz' },
    },
  });
  const audit = new EntitySchema<WebhookAuditRow>({
    name: `HookwardenAudit${suffix}`,
    tableName: HOOKWARDEN_TABLES.audit,
    schema,
    columns: {
      id: { type: 'bigint', primary: true, generated: 'increment', primaryKeyConstraintName: 'PK_webhook_audit' },
      at: { type: 'timestamptz' },
      actor: { type: 'varchar', length: 128 },
      action: { type: 'varchar', length: 64 },
      endpoint: { type: 'varchar', length: 127, nullable: true },
      secretVersion: { name: 'secret_version', type: 'integer', nullable: true },
      details: { type: 'jsonb', nullable: true },
    },
    indices: [{ name: 'IDX_webhook_audit_at', columns: ['at', 'id'] }],
  });
  const endpoint = new EntitySchema<WebhookEndpointRow>({
    name: `HookwardenEndpoint${suffix}`,
    tableName: HOOKWARDEN_TABLES.endpoints,
    schema,
    columns: {
      name: { type: 'varchar', length: 63, primary: true, primaryKeyConstraintName: 'PK_webhook_endpoints' },
      provider: { type: 'varchar', length: 63 },
      options: { type: 'jsonb' },
      challenge: { type: 'jsonb', nullable: true },
      keyId: { name: 'key_id', type: 'varchar', length: 64, nullable: true },
      secretOptions: { name: 'secret_options', type: 'bytea', nullable: true },
      enabled: { type: 'boolean' },
      createdAt: { name: 'created_at', type: 'timestamptz' },
      updatedAt: { name: 'updated_at', type: 'timestamptz' },
    },
  });
  const eventAck = new EntitySchema<WebhookEventAckRow>({
    name: `HookwardenEventAck${suffix}`,
    tableName: HOOKWARDEN_TABLES.acks,
    schema,
    columns: {
      eventId: { name: 'event_id', type: 'bigint', primary: true, primaryKeyConstraintName: 'PK_webhook_event_acks' },
      token: { type: 'varchar', length: 64, nullable: true },
    },
  });
  return { event, secret, encryptionKey, audit, endpoint, eventAck };
}
