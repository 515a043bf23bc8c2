import type { InjectionToken } from '@nestjs/common';
import type { WebhookInboxOptions } from './inbox/inbox-options';
import type { WebhookAdminExtras, WebhookAdminOptions } from './webhook-admin-mount';
import type { WebhookMetricsExtras } from './webhook-metrics';
import type { WebhookEndpointDefinition } from '../providers/endpoint-definition';
import type { EndpointLimits } from '../storage/endpoint-store.interface';
import type { InMemoryEventLogOptions } from '../storage/in-memory/in-memory-event-log';
import type {
  AuditLogSettings,
  EncryptionKeyOption,
  EventLogSettings,
  SecretCacheSettings,
} from '../storage/typeorm/typeorm-storage.options';

/**
 * Options of `WebhookModule.forRoot()` / `forRootAsync()`.
 * @publicApi
 */
export interface WebhookModuleOptions {
  /**
   * The webhook endpoints, by name. A handler picks one with `@WebhookEndpoint(name)`.
   * @default {}
   */
  endpoints?: Record<string, WebhookEndpointDefinition>;
  /**
   * Endpoints defined at run time through the admin API (`POST /endpoints`), served by routes with
   * `@WebhookEndpoint({ param: 'endpoint' })`: their limits.
   */
  runtimeEndpoints?: EndpointLimits;
  /**
   * The request property that holds the raw body (Nest fills `rawBody` with `{ rawBody: true }`).
   * @default 'rawBody'
   */
  rawBodyProperty?: string;
  /**
   * Stop start-up when a guarded route's JSON parser drops the raw bytes (see the README). Turn it
   * off when the app keeps them in a way the check misjudges; deliveries still fail closed
   * (`raw_body_missing`) when the bytes are missing.
   * @default true
   */
  rawBodyCheck?: boolean;
  /** The inbox's workers, which run `@OnWebhook` handlers after the 2xx (see the README). */
  inbox?: WebhookInboxOptions;
  /** Options of the in-memory event log used when no database is configured (`storage` is memory). */
  inMemoryEventLog?: InMemoryEventLogOptions;
  /**
   * TypeORM storage: the master key that encrypts the secrets at rest (AES-256-GCM): 32 bytes as
   * base64 or hex, or a keyring `{ current: 'k2', keys: { k1: '…', k2: '…' } }` while rotating it.
   * Required with `storage: { type: 'typeorm' }`.
   */
  encryptionKey?: EncryptionKeyOption;
  /** TypeORM storage: tuning of the event log (group commit, deadline, body cap, rejections, retention). */
  eventLog?: EventLogSettings;
  /** TypeORM storage: the in-memory cache of the secrets. */
  secretCache?: SecretCacheSettings;
  /** TypeORM storage: retention of the audit trail. */
  auditLog?: AuditLogSettings;
  /**
   * TypeORM storage: the schema of Hookwarden's tables (the data source's schema by default). When
   * the extras also name one (`storage.schema`), both must be equal.
   */
  schema?: string;
  /**
   * The admin API's credentials, `{ token }` (at least 16 characters), so that they can come from
   * `ConfigService` in `useFactory`. The API itself is turned on by the `admin` extra.
   */
  admin?: WebhookAdminOptions;
}

/** Keep everything in process memory: no database, nothing durable (the default). @publicApi */
export interface WebhookMemoryStorage {
  readonly type: 'memory';
}

/**
 * Keep the secrets, the event log and the audit trail in PostgreSQL through the app's own TypeORM
 * data source. Needs the optional peers `typeorm`, `@nestjs/typeorm` (unless `dataSourceToken` is
 * given) and `pg`, and Hookwarden's migrations (`HOOKWARDEN_MIGRATIONS` from
 * `nestjs-hookwarden/typeorm`).
 * @publicApi
 */
export interface WebhookTypeOrmStorage {
  readonly type: 'typeorm';
  /** The name of the TypeORM data source (`TypeOrmModule.forRoot({ name })`); the default one otherwise. */
  readonly dataSourceName?: string;
  /** Or the injection token of a `DataSource` the app provides itself (without `@nestjs/typeorm`). */
  readonly dataSourceToken?: InjectionToken;
  /**
   * The schema of the tables, known at registration so the entities registered with
   * `TypeOrmModule.forFeature()` describe the right tables (see also the `schema` option).
   */
  readonly schema?: string;
  /**
   * Register Hookwarden's entities on the data source (`TypeOrmModule.forFeature`, picked up by
   * `autoLoadEntities: true`). Turn off when you list `HOOKWARDEN_ENTITIES` yourself.
   * @default true
   */
  readonly registerEntities?: boolean;
}

/** Where Hookwarden keeps its state. @publicApi */
export type WebhookStorageExtras = WebhookMemoryStorage | WebhookTypeOrmStorage;

/** Registration-time switches (they decide which providers exist, so they sit beside `useFactory`). @publicApi */
export interface WebhookModuleExtras {
  /**
   * Register the module globally, so feature modules need not import it.
   * @default false
   */
  isGlobal?: boolean;
  /**
   * Where secrets, events and audit entries live: `{ type: 'memory' }` (the default) or
   * `{ type: 'typeorm', dataSourceName? }`. Decided at registration (it selects the providers), so it
   * sits beside `useFactory`, not inside it.
   * @default { type: 'memory' }
   */
  storage?: WebhookStorageExtras;
  /**
   * Mount the admin REST API (secret rotation, event log): `true` for the defaults, or
   * `{ prefix?, guard?, token? }`. Off by default; always authenticated, by the bearer token of the
   * `admin.token` option or by the app's own `guard`. Decided at registration (it adds a controller),
   * so with `forRootAsync` it sits beside `useFactory`.
   * @default false
   */
  admin?: boolean | WebhookAdminExtras;
  /**
   * Prometheus metrics through prom-client (an optional peer): `true` registers them into
   * prom-client's default registry (beside `@willsoto/nestjs-prometheus`), or `{ registry, prefix }`.
   * Serve the registry at `/metrics` yourself (or with that module). Off by default.
   * @default false
   */
  metrics?: boolean | WebhookMetricsExtras;
}
