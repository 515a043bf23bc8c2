import { Logger } from '@nestjs/common';
import { WebhookConfigurationError } from '../../core/errors';
import type { WebhookSecret } from '../../core/secret';
import { decodeSecret, secretAad, SecretDecryptionError, type SecretCipher } from './secret-cipher';
import type { DataSourceSql } from './sql';

const NO_SECRETS: readonly WebhookSecret[] = Object.freeze([]);

export interface SecretRow {
  endpoint: string;
  version: number;
  key_id: string;
  ciphertext: Buffer;
  expires_at: Date | null;
}

interface CachedVersion {
  readonly secret: WebhookSecret;
  readonly keyId: string;
  readonly ciphertext: Buffer;
  readonly expiresAt: number;
}

interface CachedEndpoint {
  /** Not revoked, newest first; may hold versions that have expired since the load. */
  readonly versions: readonly CachedVersion[];
  live: readonly WebhookSecret[];
  /** `live` stays right until this instant (the next expiry). */
  liveUntil: number;
}

/**
 * The live secrets of TypeOrmSecretStore, decrypted in memory (verification reads nothing else), and their
 * reloads: one at a time, in order, after a change notification, the TTL tick or a write of this instance.
 * @internal
 */
export class SecretCache {
  private readonly logger = new Logger('Hookwarden');
  private readonly cache = new Map<string, CachedEndpoint>();
  /** Reloads run one at a time, in order: '*' is everything. */
  private readonly pendingReloads = new Set<string>();
  private reloading?: Promise<void>;
  private closed = false;

  constructor(
    private readonly sql: DataSourceSql,
    private readonly now: () => number,
    private readonly cipher: SecretCipher,
    /** The store's table, known after its init. */
    private readonly tableOf: () => string,
  ) {}

  private get table(): string {
    return this.tableOf();
  }

  has(endpoint: string): boolean {
    return this.cache.has(endpoint);
  }

  /** No reload starts from now on; resolves when the one running (if any) is over. */
  async close(): Promise<void> {
    this.closed = true;
    await this.reloading?.catch(() => undefined);
  }

  getLiveSecrets(endpoint: string): readonly WebhookSecret[] {
    const cached = this.cache.get(endpoint);
    if (!cached) return NO_SECRETS;
    const now = this.now();
    if (now < cached.liveUntil) return cached.live;
    const live: WebhookSecret[] = [];
    let liveUntil = Infinity;
    for (const v of cached.versions) {
      if (v.expiresAt > now) {
        live.push(v.secret);
        liveUntil = Math.min(liveUntil, v.expiresAt);
      }
    }
    cached.live = live;
    cached.liveUntil = liveUntil;
    return live;
  }

  scheduleReload(endpoint: string): void {
    if (this.closed) return;
    this.pendingReloads.add(endpoint);
    this.reloading ??= this.runReloads().finally(() => (this.reloading = undefined));
  }

  /** Queues the reloads and waits until they (and those queued before) are done. */
  async reloadNow(endpoints: string[]): Promise<void> {
    for (const endpoint of endpoints) this.pendingReloads.add(endpoint);
    for (;;) {
      this.reloading ??= this.runReloads().finally(() => (this.reloading = undefined));
      await this.reloading;
      if (!endpoints.some((e) => this.pendingReloads.has(e))) return;
    }
  }

  private async runReloads(): Promise<void> {
    while (this.pendingReloads.size > 0) {
      const endpoints = [...this.pendingReloads];
      this.pendingReloads.clear();
      const all = endpoints.includes('*');
      try {
        await this.load(all ? undefined : endpoints);
      } catch (error) {
        // Keep serving the cached secrets; the next notification or TTL tick retries.
        if (!this.closed) this.logger.warn(`Could not reload webhook secrets: ${(error as Error).message}`);
      }
    }
  }

  /** Loads the live versions of some endpoints (or all) and swaps them into the cache. */
  async load(endpoints: string[] | undefined): Promise<void> {
    const now = new Date(this.now());
    const { rows } = await this.sql.query<SecretRow>(
      `SELECT endpoint, version, key_id, ciphertext, expires_at FROM ${this.table}
        WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)
          ${endpoints ? 'AND endpoint = ANY($2::text[])' : ''}
        ORDER BY endpoint, version DESC`,
      endpoints ? [now, endpoints] : [now],
    );
    const next = new Map<string, CachedVersion[]>();
    for (const endpoint of endpoints ?? []) next.set(endpoint, []);
    for (const row of rows) {
      let versions = next.get(row.endpoint);
      if (!versions) {
        versions = [];
        next.set(row.endpoint, versions);
      }
      versions.push(this.toCached(row));
    }
    if (!endpoints) {
      for (const endpoint of this.cache.keys()) if (!next.has(endpoint)) this.cache.delete(endpoint);
    }
    for (const [endpoint, versions] of next) {
      if (versions.length === 0) this.cache.delete(endpoint);
      else this.cache.set(endpoint, { versions, live: NO_SECRETS, liveUntil: -Infinity });
    }
  }

  /** Decrypts a row, reusing the cached object when nothing changed (keys derived from it stay memoised). */
  private toCached(row: SecretRow): CachedVersion {
    const expiresAt = row.expires_at ? row.expires_at.getTime() : Infinity;
    const previous = this.cache.get(row.endpoint)?.versions.find((v) => v.secret.version === row.version);
    if (previous && previous.keyId === row.key_id && previous.ciphertext.equals(row.ciphertext)) {
      return previous.expiresAt === expiresAt ? previous : { ...previous, expiresAt };
    }
    const value = decodeSecret(decryptRow(this.cipher, row));
    return {
      secret: Object.freeze({ version: row.version, value }),
      keyId: row.key_id,
      ciphertext: row.ciphertext,
      expiresAt,
    };
  }
}

/** A row's secret, decrypted; a wrong key or an altered row is a configuration error that names the version. */
export function decryptRow(cipher: SecretCipher, row: SecretRow): Buffer {
  try {
    return cipher.decrypt(row.key_id, row.ciphertext, secretAad(row.endpoint, row.version));
  } catch (error) {
    const why = error instanceof SecretDecryptionError ? error.message : 'decryption failed';
    throw new WebhookConfigurationError(
      `Cannot decrypt secret version ${row.version} of webhook endpoint "${row.endpoint}": ${why}.`,
    );
  }
}
