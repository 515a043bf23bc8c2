import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { WebhookConfigurationError } from '../../core/errors';
import type { WebhookSecret } from '../../core/secret';
import { secretHint } from '../in-memory/in-memory-secret-store';
import {
  assertRoomForVersion,
  checkNewSecret,
  SecretStoreError,
  type AddSecretOptions,
  type SecretStore,
  type SecretVersionInfo,
} from '../secret-store.interface';
import { ChangeListener } from './change-listener';
import { LastUsedRecorder } from './last-used-recorder';
import { decryptRow, SecretCache, type SecretRow } from './secret-cache';
import { decodeSecret, encodeSecret, SecretCipher, secretAad, secretBytes } from './secret-cipher';
import { assertTables, DataSourceSql, pgOf, resolveSchema, type Sql } from './sql';
import { HOOKWARDEN_TABLES, qualified, SECRETS_CHANNEL } from './storage-schema';
import type { EncryptionKeyOption } from './typeorm-storage.options';

/** @publicApi */
export interface TypeOrmSecretStoreOptions {
  /** The master key (32 bytes, base64 or hex) or a keyring. */
  encryptionKey: EncryptionKeyOption;
  /** The schema of the tables; the data source's schema by default. */
  schema?: string;
  /**
   * Full reload of the cache this often, in ms (the fallback should a notification be missed).
   * @default 30000
   */
  cacheTtlMs?: number;
  /**
   * Listen for changes made by other instances (PostgreSQL LISTEN/NOTIFY on a dedicated connection).
   * @default true
   */
  listen?: boolean;
  /** The clock, in ms (tests). @default Date.now */
  now?: () => number;
}

/**
 * Versioned endpoint secrets in PostgreSQL, encrypted at rest with AES-256-GCM (the master key id
 * beside each ciphertext; the endpoint and version bound as associated data). Verification reads
 * an in-memory cache only; a change on any instance reaches the others within a second through
 * LISTEN/NOTIFY, with a periodic full reload as the fallback.
 *
 * Call `init()` before use (the module does); it fails with a clear message when the master key
 * does not match the stored secrets.
 * @publicApi
 */
export class TypeOrmSecretStore implements SecretStore, OnModuleDestroy {
  private readonly logger = new Logger('Hookwarden');
  private readonly sql: DataSourceSql;
  private readonly cipher: SecretCipher;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private schema = '';
  private table = '';
  private keysTable = '';
  private readonly cache: SecretCache;
  private readonly lastUsed: LastUsedRecorder;
  private listener?: ChangeListener;
  private ttlTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: TypeOrmSecretStoreOptions,
  ) {
    this.sql = new DataSourceSql(dataSource);
    this.cipher = new SecretCipher(options.encryptionKey);
    this.now = options.now ?? Date.now;
    this.ttlMs = options.cacheTtlMs ?? 30_000;
    this.cache = new SecretCache(this.sql, this.now, this.cipher, () => this.table);
    this.lastUsed = new LastUsedRecorder(this.sql, this.now, () => this.table);
  }

  /** Checks the tables and the master keys, loads every live secret and starts listening. */
  async init(): Promise<void> {
    this.schema = resolveSchema(this.dataSource, this.options.schema);
    this.table = qualified(this.schema, HOOKWARDEN_TABLES.secrets);
    this.keysTable = qualified(this.schema, HOOKWARDEN_TABLES.encryptionKeys);
    try {
      await assertTables(this.sql.query, this.schema, [HOOKWARDEN_TABLES.secrets, HOOKWARDEN_TABLES.encryptionKeys]);
      await this.checkKeys();
      // Decrypts every live secret: a wrong key or an altered row fails here, at start-up.
      await this.cache.load(undefined);
      if (this.options.listen ?? true) {
        const { pg, config } = pgOf(this.dataSource);
        this.listener = new ChangeListener(pg.Client, config, {
          channel: SECRETS_CHANNEL,
          onNotification: (payload) => this.onNotification(payload),
          // Changes made while disconnected were not announced: reload everything.
          onConnected: () => (this.listener ? this.cache.scheduleReload('*') : undefined),
        });
        await this.listener.start();
      }
      this.ttlTimer = setInterval(() => this.cache.scheduleReload('*'), this.ttlMs);
      this.ttlTimer.unref();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  // --- hot path ------------------------------------------------------------------------------

  getLiveSecrets(endpoint: string): readonly WebhookSecret[] {
    return this.cache.getLiveSecrets(endpoint);
  }

  markUsed(endpoint: string, version: number): void {
    this.lastUsed.markUsed(endpoint, version);
  }

  // --- rotation ------------------------------------------------------------------------------

  async addSecret(
    endpoint: string,
    secret: string | Buffer,
    options: AddSecretOptions = {},
  ): Promise<SecretVersionInfo> {
    const grace = checkNewSecret(secret, options);
    const info = await this.addVersion(endpoint, secret, grace, false);
    await this.cache.reloadNow([endpoint]);
    return info!;
  }

  async addFirstSecret(endpoint: string, secret: string | Buffer): Promise<SecretVersionInfo | undefined> {
    if (secret.length === 0) throw new SecretStoreError('invalid_secret', 'A secret must not be empty.');
    const info = await this.addVersion(endpoint, secret, 0, true);
    // Also when refused: the cache then learns of the secret that won, wherever it was stored.
    await this.cache.reloadNow([endpoint]);
    return info;
  }

  /**
   * Adds a version under the endpoint's lock (one transaction, serialised across instances), or,
   * with `onlyFirst`, adds it only when no version is live and resolves `undefined` otherwise.
   */
  private addVersion(
    endpoint: string,
    secret: string | Buffer,
    grace: number,
    onlyFirst: boolean,
  ): Promise<SecretVersionInfo | undefined> {
    return this.sql.transaction(async (sql) => {
      await this.lockEndpoint(sql, endpoint);
      const { rows } = await sql<{ version: number; expires_at: Date | null; revoked_at: Date | null }>(
        `SELECT version, expires_at, revoked_at FROM ${this.table} WHERE endpoint = $1`,
        [endpoint],
      );
      const now = this.now();
      const live = rows.filter((r) => !r.revoked_at && (!r.expires_at || r.expires_at.getTime() > now));
      if (onlyFirst && live.length > 0) return undefined;
      assertRoomForVersion(endpoint, live.length);
      const expiresAt = new Date(now + grace * 1000);
      // The versions live now stay valid for the grace period at the most.
      await sql(
        `UPDATE ${this.table} SET expires_at = $2
          WHERE endpoint = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
        [endpoint, expiresAt],
      );
      const version = Math.max(0, ...rows.map((r) => r.version)) + 1;
      return this.insertVersion(sql, endpoint, version, secret, new Date(now));
    });
  }

  async revokeSecret(endpoint: string, version: number): Promise<void> {
    const { rowCount } = await this.sql.query(
      `UPDATE ${this.table} SET revoked_at = COALESCE(revoked_at, $3) WHERE endpoint = $1 AND version = $2`,
      [endpoint, version, new Date(this.now())],
    );
    if (rowCount === 0) {
      throw new SecretStoreError('unknown_version', `Endpoint "${endpoint}" has no secret version ${version}.`);
    }
    await this.cache.reloadNow([endpoint]);
  }

  async listSecrets(endpoint: string): Promise<readonly SecretVersionInfo[]> {
    const { rows } = await this.sql.query<{
      version: number;
      hint: string;
      created_at: Date;
      expires_at: Date | null;
      revoked_at: Date | null;
      last_used_at: Date | null;
    }>(
      `SELECT version, hint, created_at, expires_at, revoked_at, last_used_at
         FROM ${this.table} WHERE endpoint = $1 ORDER BY version DESC`,
      [endpoint],
    );
    return rows.map((r) => ({
      endpoint,
      version: r.version,
      hint: r.hint,
      createdAt: r.created_at,
      expiresAt: r.expires_at ?? undefined,
      revokedAt: r.revoked_at ?? undefined,
      lastUsedAt: r.last_used_at ?? undefined,
    }));
  }

  /**
   * Adds the configured secrets the store does not hold yet, compared by their keyed fingerprint
   * (never by decrypting): restarting with the same configuration adds nothing, also when several
   * instances start at once.
   */
  async seedSecrets(endpoint: string, secrets: readonly (string | Buffer)[]): Promise<void> {
    if (secrets.length === 0) return;
    const added = await this.sql.transaction(async (sql) => {
      await this.lockEndpoint(sql, endpoint);
      const { rows } = await sql<{ version: number; key_id: string; fingerprint: Buffer }>(
        `SELECT version, key_id, fingerprint FROM ${this.table} WHERE endpoint = $1`,
        [endpoint],
      );
      let version = Math.max(0, ...rows.map((r) => r.version));
      let count = 0;
      for (const secret of secrets) {
        if (secret.length === 0) continue;
        const bytes = secretBytes(secret);
        const known = rows.some(
          (r) => this.cipher.has(r.key_id) && this.cipher.fingerprint(r.key_id, bytes).equals(r.fingerprint),
        );
        if (known) continue;
        version += 1;
        await this.insertVersion(sql, endpoint, version, secret, new Date(this.now()));
        rows.push({
          version,
          key_id: this.cipher.currentKeyId,
          fingerprint: this.cipher.fingerprint(this.cipher.currentKeyId, bytes),
        });
        count++;
      }
      return count;
    });
    if (added > 0 || !this.cache.has(endpoint)) await this.cache.reloadNow([endpoint]);
  }

  /**
   * Re-encrypts every secret that is not under the current master key (and its fingerprint), in
   * small transactions. Run it after making a new key current; then the old key can be dropped.
   * Returns how many versions were re-encrypted.
   */
  async reencrypt(): Promise<number> {
    const current = this.cipher.currentKeyId;
    let total = 0;
    for (;;) {
      const count = await this.sql.transaction(async (sql) => {
        const { rows } = await sql<SecretRow>(
          `SELECT endpoint, version, key_id, ciphertext, expires_at FROM ${this.table}
            WHERE key_id <> $1 ORDER BY endpoint, version LIMIT 100 FOR UPDATE SKIP LOCKED`,
          [current],
        );
        for (const row of rows) {
          const aad = secretAad(row.endpoint, row.version);
          const plaintext = decryptRow(this.cipher, row);
          const { blob } = this.cipher.encrypt(plaintext, aad);
          await sql(
            `UPDATE ${this.table} SET key_id = $3, ciphertext = $4, fingerprint = $5 WHERE endpoint = $1 AND version = $2`,
            [
              row.endpoint,
              row.version,
              current,
              blob,
              this.cipher.fingerprint(current, secretBytes(decodeSecret(plaintext))),
            ],
          );
        }
        return rows.length;
      });
      total += count;
      if (count < 100) break;
    }
    if (total > 0) this.logger.log(`Re-encrypted ${total} webhook secret version(s) under key "${current}".`);
    await this.cache.reloadNow(['*']);
    return total;
  }

  /** Reloads the cache now (one endpoint, or all). Mostly for tests; changes arrive by themselves. */
  async refresh(endpoint?: string): Promise<void> {
    await this.cache.reloadNow([endpoint ?? '*']);
  }

  /** Whether the change listener is connected (for health checks). */
  get listening(): boolean {
    return this.listener?.isConnected ?? false;
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  /** Writes the pending last-used times and closes the listener. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const reloads = this.cache.close(); // no reload starts from here on
    if (this.ttlTimer) clearInterval(this.ttlTimer);
    await this.lastUsed.close().catch(() => undefined);
    await this.listener?.close();
    await reloads;
  }

  // --- internals ------------------------------------------------------------------------------

  private async insertVersion(
    sql: Sql,
    endpoint: string,
    version: number,
    secret: string | Buffer,
    createdAt: Date,
  ): Promise<SecretVersionInfo> {
    const { keyId, blob } = this.cipher.encrypt(encodeSecret(secret), secretAad(endpoint, version));
    const hint = secretHint(secret);
    await sql(
      `INSERT INTO ${this.table} (endpoint, version, key_id, ciphertext, fingerprint, hint, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [endpoint, version, keyId, blob, this.cipher.fingerprint(keyId, secretBytes(secret)), hint, createdAt],
    );
    return { endpoint, version, hint, createdAt };
  }

  /** Serialises rotations of one endpoint across instances (transaction-scoped advisory lock). */
  private async lockEndpoint(sql: Sql, endpoint: string): Promise<void> {
    await sql(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`hookwarden:${this.schema}:${endpoint}`]);
  }

  /** Every key of the keyring must match its check value; every stored key id must be in the keyring. */
  private async checkKeys(): Promise<void> {
    const ids = this.cipher.keyIds();
    for (const keyId of ids) {
      await this.sql.query(
        `INSERT INTO ${this.keysTable} (key_id, check_value, created_at) VALUES ($1, $2, now()) ON CONFLICT (key_id) DO NOTHING`,
        [keyId, this.cipher.checkValue(keyId)],
      );
    }
    const { rows } = await this.sql.query<{ key_id: string; check_value: Buffer }>(
      `SELECT key_id, check_value FROM ${this.keysTable} WHERE key_id = ANY($1::text[])`,
      [ids],
    );
    for (const row of rows) {
      if (!this.cipher.verifyCheckValue(row.key_id, row.check_value)) {
        throw new WebhookConfigurationError(
          `The webhook encryption key "${row.key_id}" is not the key the stored webhook secrets were encrypted ` +
            `with (its check value in ${this.schema}.${HOOKWARDEN_TABLES.encryptionKeys} does not decrypt). ` +
            'Configure the original key; to change keys, add the new one to a keyring, make it current and run ' +
            'the re-encryption (npx hookwarden reencrypt).',
        );
      }
    }
    const stored = await this.sql.query<{ key_id: string }>(`SELECT DISTINCT key_id FROM ${this.table}`);
    const unknown = stored.rows.map((r) => r.key_id).filter((id) => !this.cipher.has(id));
    if (unknown.length > 0) {
      throw new WebhookConfigurationError(
        `Stored webhook secrets are encrypted under key id(s) ${unknown.map((id) => `"${id}"`).join(', ')}, ` +
          'which encryptionKey does not hold. Add them to the keyring (encryptionKey.keys).',
      );
    }
  }

  private onNotification(payload: string): void {
    let change: { schema?: unknown; endpoint?: unknown };
    try {
      change = JSON.parse(payload);
    } catch {
      return;
    }
    if (change.schema === this.schema && typeof change.endpoint === 'string')
      this.cache.scheduleReload(change.endpoint);
  }
}
