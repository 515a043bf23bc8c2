import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { WebhookConfigurationError } from '../../core/errors';
import {
  DEFAULT_MAX_ENDPOINTS,
  endpointChanged,
  tooManyEndpoints,
  type EndpointLimits,
  type EndpointStore,
  type EndpointWrite,
  type StoredEndpoint,
} from '../endpoint-store.interface';
import { exists, unknown } from '../in-memory/in-memory-endpoint-store';
import { ChangeListener } from './change-listener';
import { SecretCipher } from './secret-cipher';
import { assertTables, DataSourceSql, pgOf, resolveSchema } from './sql';
import { ENDPOINTS_CHANNEL, HOOKWARDEN_TABLES, qualified } from './storage-schema';
import type { EncryptionKeyOption } from './typeorm-storage.options';

/** @publicApi */
export interface TypeOrmEndpointStoreOptions extends EndpointLimits {
  /** The master key (or keyring) of the secret store: it also encrypts the options that hold secrets. */
  encryptionKey: EncryptionKeyOption;
  schema?: string;
  /**
   * Full reload this often, in ms (the fallback should a notification be missed).
   * @default 30000
   */
  cacheTtlMs?: number;
  /** @default true */
  listen?: boolean;
}

interface EndpointRow {
  name: string;
  provider: string;
  options: Record<string, unknown>;
  challenge: Record<string, unknown> | null;
  key_id: string | null;
  secret_options: Buffer | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'name, provider, options, challenge, key_id, secret_options, enabled, created_at, updated_at';

/**
 * Run-time endpoints in PostgreSQL (`webhook_endpoints`), held in memory: requests read the cache
 * only. A change on any instance reaches the others within a second through LISTEN/NOTIFY (the
 * mechanism of the secret store), with a periodic full reload as the fallback. Options that hold
 * secrets are encrypted with the secret store's cipher, the endpoint's name bound as associated data.
 * @publicApi
 */
export class TypeOrmEndpointStore implements EndpointStore, OnModuleDestroy {
  private readonly logger = new Logger('Hookwarden');
  private readonly sql: DataSourceSql;
  private readonly cipher: SecretCipher;
  private readonly max: number;
  private readonly cache = new Map<string, StoredEndpoint>();
  private schema = '';
  private table = '';
  private listener?: ChangeListener;
  private ttlTimer?: NodeJS.Timeout;
  private readonly pending = new Set<string>();
  private reloading?: Promise<void>;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: TypeOrmEndpointStoreOptions,
  ) {
    this.sql = new DataSourceSql(dataSource);
    this.cipher = new SecretCipher(options.encryptionKey);
    this.max = options.maxEndpoints ?? DEFAULT_MAX_ENDPOINTS;
  }

  /** Checks the table, loads every endpoint (decrypting their secret options) and starts listening. */
  async init(): Promise<void> {
    this.schema = resolveSchema(this.dataSource, this.options.schema);
    this.table = qualified(this.schema, HOOKWARDEN_TABLES.endpoints);
    try {
      await assertTables(this.sql.query, this.schema, [HOOKWARDEN_TABLES.endpoints]);
      await this.load(undefined);
      if (this.options.listen ?? true) {
        const { pg, config } = pgOf(this.dataSource);
        this.listener = new ChangeListener(pg.Client, config, {
          channel: ENDPOINTS_CHANNEL,
          onNotification: (payload) => this.onNotification(payload),
          onConnected: () => (this.listener ? this.scheduleReload('*') : undefined),
        });
        await this.listener.start();
      }
      this.ttlTimer = setInterval(() => this.scheduleReload('*'), this.options.cacheTtlMs ?? 30_000);
      this.ttlTimer.unref();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  get(name: string): StoredEndpoint | undefined {
    return this.cache.get(name);
  }

  cached(): readonly StoredEndpoint[] {
    return [...this.cache.values()];
  }

  async list(): Promise<readonly StoredEndpoint[]> {
    const { rows } = await this.sql.query<EndpointRow>(`SELECT ${COLUMNS} FROM ${this.table} ORDER BY name`);
    return rows.map((row) => this.toEndpoint(row));
  }

  async create(endpoint: EndpointWrite): Promise<StoredEndpoint> {
    const now = new Date();
    const row = await this.sql.transaction(async (sql) => {
      // One lock for every creation: the count and the insert are one step across instances.
      await sql(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`hookwarden:${this.schema}:endpoints`]);
      const { rows } = await sql<{ count: string }>(`SELECT count(*) AS count FROM ${this.table}`);
      if (Number(rows[0]?.count ?? 0) >= this.max) throw tooManyEndpoints(this.max);
      const inserted = await sql<EndpointRow>(
        `INSERT INTO ${this.table} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
        [...this.columns(endpoint), now],
      );
      return inserted.rows[0];
    });
    if (!row) throw exists(endpoint.name);
    return this.remember(row);
  }

  async setEnabled(name: string, enabled: boolean): Promise<StoredEndpoint> {
    // Only the flag, and only when it changes: concurrent calls agree, and no option is written back.
    const { rows } = await this.sql.query<EndpointRow>(
      `UPDATE ${this.table} SET enabled = $2, updated_at = GREATEST($3, updated_at + interval '1 millisecond')
        WHERE name = $1 AND enabled IS DISTINCT FROM $2 RETURNING ${COLUMNS}`,
      [name, enabled, new Date()],
    );
    if (rows[0]) return this.remember(rows[0]);
    const { rows: current } = await this.sql.query<EndpointRow>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE name = $1`,
      [name],
    );
    if (!current[0]) throw unknown(name);
    return this.remember(current[0]);
  }

  async update(endpoint: EndpointWrite, basedOn?: Date): Promise<StoredEndpoint> {
    // Compared at the millisecond a Date holds; each write moves updated_at at least 1 ms on, so
    // two writes based on the same definition cannot both pass (the row lock orders them).
    const { rows } = await this.sql.query<EndpointRow>(
      `UPDATE ${this.table} SET provider = $2, options = $3, challenge = $4, key_id = $5, secret_options = $6,
              enabled = $7, updated_at = GREATEST($8, updated_at + interval '1 millisecond')
        WHERE name = $1 AND ($9::timestamptz IS NULL OR date_trunc('milliseconds', updated_at) = $9)
       RETURNING ${COLUMNS}`,
      [...this.columns(endpoint), new Date(), basedOn ?? null],
    );
    if (!rows[0]) {
      if (basedOn === undefined) throw unknown(endpoint.name);
      const { rows: found } = await this.sql.query(`SELECT 1 FROM ${this.table} WHERE name = $1`, [endpoint.name]);
      if (found.length === 0) throw unknown(endpoint.name);
      // This instance's copy was behind (another instance wrote it): a retry reads the new one.
      await this.reloadNow(endpoint.name);
      throw endpointChanged(endpoint.name);
    }
    return this.remember(rows[0]);
  }

  /** The written row, in this instance's cache at once (the others learn of it by NOTIFY). */
  private remember(row: EndpointRow): StoredEndpoint {
    const endpoint = this.toEndpoint(row);
    this.keepNewest(endpoint);
    return endpoint;
  }

  /**
   * Re-encrypts the secret options that are not under the current master key (run by
   * `reencryptWebhookSecrets()` beside the secrets). Returns how many endpoints were re-encrypted.
   */
  async reencrypt(): Promise<number> {
    const count = await this.sql.transaction(async (sql) => {
      const { rows } = await sql<EndpointRow>(
        `SELECT ${COLUMNS} FROM ${this.table} WHERE secret_options IS NOT NULL AND key_id <> $1 FOR UPDATE`,
        [this.cipher.currentKeyId],
      );
      for (const row of rows) {
        const plain = this.cipher.decrypt(row.key_id!, row.secret_options!, optionsAad(row.name));
        const { keyId, blob } = this.cipher.encrypt(plain, optionsAad(row.name));
        await sql(`UPDATE ${this.table} SET key_id = $2, secret_options = $3 WHERE name = $1`, [row.name, keyId, blob]);
      }
      return rows.length;
    });
    if (count > 0) await this.reloadNow('*');
    return count;
  }

  /** Reloads the cache now (one endpoint, or all). Changes arrive by themselves; for tests. */
  async refresh(name?: string): Promise<void> {
    await this.reloadNow(name ?? '*');
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ttlTimer) clearInterval(this.ttlTimer);
    await this.listener?.close();
    await this.reloading?.catch(() => undefined);
  }

  // --- internals ------------------------------------------------------------------------------

  private columns(endpoint: EndpointWrite): unknown[] {
    const secret = Object.keys(endpoint.secretOptions).length > 0;
    const encrypted = secret
      ? this.cipher.encrypt(Buffer.from(JSON.stringify(endpoint.secretOptions)), optionsAad(endpoint.name))
      : undefined;
    return [
      endpoint.name,
      endpoint.provider,
      JSON.stringify(endpoint.options),
      endpoint.challenge ? JSON.stringify(endpoint.challenge) : null,
      encrypted?.keyId ?? null,
      encrypted?.blob ?? null,
      endpoint.enabled,
    ];
  }

  private toEndpoint(row: EndpointRow): StoredEndpoint {
    let secretOptions: Record<string, string> = {};
    if (row.secret_options && row.key_id) {
      try {
        secretOptions = JSON.parse(
          this.cipher.decrypt(row.key_id, row.secret_options, optionsAad(row.name)).toString('utf8'),
        ) as Record<string, string>;
      } catch {
        throw new WebhookConfigurationError(
          `Cannot decrypt the secret options of webhook endpoint "${row.name}" (wrong encryptionKey, or an altered row).`,
        );
      }
    }
    return Object.freeze({
      name: row.name,
      provider: row.provider,
      options: row.options,
      secretOptions,
      ...(row.challenge ? { challenge: row.challenge } : {}),
      enabled: row.enabled,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
  }

  private async load(names: string[] | undefined): Promise<void> {
    const { rows } = await this.sql.query<EndpointRow>(
      `SELECT ${COLUMNS} FROM ${this.table} ${names ? 'WHERE name = ANY($1::text[])' : ''}`,
      names ? [names] : [],
    );
    const next = new Map(rows.map((row) => [row.name, this.toEndpoint(row)]));
    if (!names) {
      for (const name of this.cache.keys()) if (!next.has(name)) this.cache.delete(name);
    } else {
      for (const name of names) if (!next.has(name)) this.cache.delete(name);
    }
    for (const endpoint of next.values()) this.keepNewest(endpoint);
  }

  /**
   * Caches `endpoint` unless the cache holds a later version: a reload whose SELECT started before
   * this instance's own write (a DELETE right after a PATCH) must not put the older row back.
   */
  private keepNewest(endpoint: StoredEndpoint): StoredEndpoint {
    const cached = this.cache.get(endpoint.name);
    if (cached && cached.updatedAt.getTime() > endpoint.updatedAt.getTime()) return cached;
    this.cache.set(endpoint.name, endpoint);
    return endpoint;
  }

  private scheduleReload(name: string): void {
    if (this.closed) return;
    this.pending.add(name);
    this.reloading ??= this.runReloads().finally(() => (this.reloading = undefined));
  }

  private async reloadNow(name: string): Promise<void> {
    this.pending.add(name);
    for (;;) {
      this.reloading ??= this.runReloads().finally(() => (this.reloading = undefined));
      await this.reloading;
      if (!this.pending.has(name)) return;
    }
  }

  private async runReloads(): Promise<void> {
    while (this.pending.size > 0) {
      const names = [...this.pending];
      this.pending.clear();
      try {
        await this.load(names.includes('*') ? undefined : names);
      } catch (error) {
        // Keep serving the cached endpoints; the next notification or TTL tick retries.
        if (!this.closed) this.logger.warn(`Could not reload webhook endpoints: ${(error as Error).message}`);
      }
    }
  }

  private onNotification(payload: string): void {
    let change: { schema?: unknown; endpoint?: unknown };
    try {
      change = JSON.parse(payload);
    } catch {
      return;
    }
    if (change.schema === this.schema && typeof change.endpoint === 'string') this.scheduleReload(change.endpoint);
  }
}

/** The associated data of an endpoint's secret options: its name (a row copied to another name fails). */
function optionsAad(name: string): Buffer {
  return Buffer.from(`hookwarden/endpoint-options/v1\0${name}`);
}
