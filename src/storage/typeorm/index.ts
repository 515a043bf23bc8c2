// nestjs-hookwarden/typeorm: the PostgreSQL storage through TypeORM. Loading this entry loads
// typeorm; the root entry never does (its in-memory stores need no database).
//
// Schema. Hookwarden's stores write and read with SQL of their own, qualified with the schema
// resolved at start-up (the `schema` option, else `storage.schema`, else the data source's schema),
// so a schema chosen at run time (from useFactory) works without touching entity metadata. Entity
// metadata is fixed when entities are registered, so `createHookwardenEntities(schema)` and
// `createHookwardenMigrations({ schema })` build one set per schema (memoised), and the module
// registers the set of `storage.schema`; when both are given they must be equal. Migrations of a
// named schema create it and carry its name, so each schema is migrated and recorded on its own.
export {
  HOOKWARDEN_ENTITIES,
  createHookwardenEntities,
  hookwardenEntityList,
  type HookwardenEntities,
  type WebhookEventRow,
  type WebhookSecretRow,
  type WebhookEncryptionKeyRow,
  type WebhookAuditRow,
  type WebhookEndpointRow,
} from './hookwarden.entities';
export {
  HOOKWARDEN_MIGRATIONS,
  createHookwardenMigrations,
  type HookwardenMigrationOptions,
  type HookwardenMigrationClass,
} from './hookwarden.migrations';
export { HOOKWARDEN_TABLES } from './storage-schema';
export { TypeOrmSecretStore, type TypeOrmSecretStoreOptions } from './typeorm-secret-store';
export { TypeOrmEndpointStore, type TypeOrmEndpointStoreOptions } from './typeorm-endpoint-store';
export { TypeOrmEventLog, type TypeOrmEventLogOptions } from './typeorm-event-log';
export { TypeOrmAuditLog, type TypeOrmAuditLogOptions } from './typeorm-audit-log';
export { TypeOrmInbox, type TypeOrmInboxOptions } from './typeorm-inbox';
export { reencryptWebhookSecrets, type ReencryptOptions } from './reencrypt';
export type {
  AuditLogSettings,
  EncryptionKeyInput,
  EncryptionKeyring,
  EncryptionKeyOption,
  EventLogSettings,
  SecretCacheSettings,
} from './typeorm-storage.options';
