/** One administrative action (never holds a secret). @publicApi */
export interface AuditEntry {
  /** Who acted: the admin principal (for the bearer token, `admin-token`). */
  readonly actor: string;
  /** What was done: `secret.rotate`, `secret.revoke`, `events.list`, … */
  readonly action: string;
  readonly endpoint?: string;
  readonly secretVersion?: number;
  /** Extra facts safe to keep (counts, filters), never a secret. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly at: Date;
}

/** Where admin actions are recorded. @publicApi */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** The most recent entries, newest first. */
  recent(limit: number): Promise<readonly AuditEntry[]>;
}

/** Injection token of the {@link AuditLog}. @publicApi */
export const AuditLog = Symbol('WebhookAuditLog');

/**
 * An id a caller sent, for an audit entry: as sent when it has an id's shape, else only its length
 * (an unknown one may be anything, and a NUL or a lone surrogate is no valid JSON for jsonb).
 * @internal
 */
export function auditableId(id: string): string {
  return /^[A-Za-z0-9_-]{1,128}$/.test(id) ? id : `(not an id: ${id.length} characters)`;
}
