import type { AuditEntry, AuditLog } from '../audit-log.interface';

/**
 * Admin actions kept in process memory (the most recent ones only), for apps without a database.
 * @publicApi
 */
export class InMemoryAuditLog implements AuditLog {
  private readonly entries: AuditEntry[] = [];

  /** @param maxEntries The most entries kept; the oldest go first. */
  constructor(private readonly maxEntries = 1000) {}

  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
    if (this.entries.length > this.maxEntries) this.entries.splice(0, this.entries.length - this.maxEntries);
  }

  async recent(limit: number): Promise<readonly AuditEntry[]> {
    const n = Math.floor(limit);
    return n > 0 ? this.entries.slice(-n).reverse() : [];
  }
}
