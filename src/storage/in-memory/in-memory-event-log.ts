import { Logger } from '@nestjs/common';
import type { EventLog, WebhookEventRecord, WebhookEventStatus } from '../event-log.interface';

/** @publicApi */
export interface InMemoryEventLogOptions {
  /**
   * The most message ids remembered per endpoint. When full, the oldest id is forgotten first
   * (and a warning is logged once), so memory stays bounded under any load.
   * @default 100000
   */
  maxIdsPerEndpoint?: number;
}

/**
 * Duplicate detection in process memory: a bounded, per-endpoint set of accepted message ids, each
 * kept until a replay of it could no longer pass verification. Events themselves are not kept;
 * use the TypeORM event log for a durable record and for several instances.
 * @publicApi
 */
export class InMemoryEventLog implements EventLog {
  private readonly logger = new Logger(InMemoryEventLog.name);
  /** endpoint → (message id → ms until which it is remembered), in insertion order. */
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly maxIds: number;
  private warnedFull = false;

  constructor(
    options: InMemoryEventLogOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxIds = options.maxIdsPerEndpoint ?? 100_000;
  }

  async record(event: WebhookEventRecord): Promise<WebhookEventStatus> {
    if (event.status !== 'accepted' || event.messageId === undefined) return event.status;
    let ids = this.seen.get(event.endpoint);
    if (!ids) {
      ids = new Map();
      this.seen.set(event.endpoint, ids);
    }
    const now = this.now();
    const until = ids.get(event.messageId);
    if (until !== undefined && until >= now) return 'duplicate';
    ids.delete(event.messageId);
    this.evict(ids, now);
    ids.set(event.messageId, Math.max(event.replayWindowEndsAt.getTime(), now));
    return 'accepted';
  }

  /** Drops expired ids from the oldest end, then the oldest live ones if still over the bound. */
  private evict(ids: Map<string, number>, now: number): void {
    for (const [id, until] of ids) {
      if (until >= now && ids.size < this.maxIds) break;
      if (until >= now && !this.warnedFull) {
        this.warnedFull = true;
        this.logger.warn(
          `The in-memory duplicate filter is full (${this.maxIds} ids per endpoint); the oldest ids are forgotten early. Use the TypeORM event log in production.`,
        );
      }
      ids.delete(id);
    }
  }
}
