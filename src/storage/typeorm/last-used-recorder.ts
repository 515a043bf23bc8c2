import { Logger } from '@nestjs/common';
import type { DataSourceSql } from './sql';

/** `lastUsedAt` is written at most this often per version. */
const LAST_USED_INTERVAL_MS = 60_000;
/** A first use is written after at most this delay, together with the others of that moment. */
const LAST_USED_FLUSH_DELAY_MS = 2_000;

/**
 * When each secret version was last used, written behind verification: at most once a minute per version, in
 * one UPDATE for all the uses of a moment.
 * @internal
 */
export class LastUsedRecorder {
  private readonly logger = new Logger('Hookwarden');
  /** endpoint → version → when its last use was (or will be) written. */
  private readonly usedWritten = new Map<string, Map<number, number>>();
  private readonly usedPending = new Map<string, { endpoint: string; version: number; at: number }>();
  private usedTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly sql: DataSourceSql,
    private readonly now: () => number,
    /** The store's table, known after its init. */
    private readonly tableOf: () => string,
  ) {}

  private get table(): string {
    return this.tableOf();
  }

  markUsed(endpoint: string, version: number): void {
    const now = this.now();
    let versions = this.usedWritten.get(endpoint);
    if (!versions) {
      versions = new Map();
      this.usedWritten.set(endpoint, versions);
    }
    const last = versions.get(version);
    if (last !== undefined && now - last < LAST_USED_INTERVAL_MS) return;
    versions.set(version, now);
    this.usedPending.set(`${version}:${endpoint}`, { endpoint, version, at: now });
    if (!this.usedTimer && !this.closed) {
      this.usedTimer = setTimeout(() => void this.flushLastUsed(), LAST_USED_FLUSH_DELAY_MS);
      this.usedTimer.unref();
    }
  }

  /** Writes the pending uses; nothing is scheduled after this. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushLastUsed();
  }

  async flushLastUsed(): Promise<void> {
    if (this.usedTimer) clearTimeout(this.usedTimer);
    this.usedTimer = undefined;
    if (this.usedPending.size === 0) return;
    const uses = [...this.usedPending.values()];
    this.usedPending.clear();
    try {
      await this.sql.query(
        `UPDATE ${this.table} AS s SET last_used_at = GREATEST(COALESCE(s.last_used_at, u.at), u.at)
           FROM unnest($1::text[], $2::int[], $3::timestamptz[]) AS u(endpoint, version, at)
          WHERE s.endpoint = u.endpoint AND s.version = u.version`,
        [uses.map((u) => u.endpoint), uses.map((u) => u.version), uses.map((u) => new Date(u.at))],
      );
    } catch (error) {
      // Not worth a retry loop: the next use after the interval writes it again.
      for (const use of uses) this.usedWritten.get(use.endpoint)?.delete(use.version);
      this.logger.warn(`Could not record when webhook secrets were last used: ${(error as Error).message}`);
    }
  }
}
