import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  InvalidCursorError,
  type EventLog,
  type EventLogReader,
  type StoredWebhookEvent,
  type WebhookEventPage,
  type WebhookEventQuery,
  type WebhookEventRecord,
  type WebhookEventStatus,
} from '../event-log.interface';

/** @publicApi */
export interface InMemoryEventLogOptions {
  /**
   * The most message ids remembered per endpoint. When full, the oldest id is forgotten first
   * (and a warning is logged once), so memory stays bounded under any load.
   * @default 100000
   */
  maxIdsPerEndpoint?: number;
  /**
   * How many recent events the admin API can browse (a ring: the oldest is forgotten first).
   * 0 keeps none.
   * @default 1000
   */
  recentEvents?: number;
  /**
   * Bytes of each body kept with the recent events (size and SHA-256 always are).
   * @default 16384
   */
  recentBodyCapBytes?: number;
}

const CURSOR = /^m1\.(\d{1,15})$/;

/**
 * An event of the ring. Its SHA-256 is computed when the event is read, from the stored copy of the
 * body, unless the body was cut: then it is computed at once from the whole body. Most events are
 * never read, so the hot path hashes nothing.
 */
interface RingEvent {
  readonly event: Omit<StoredWebhookEvent, 'bodySha256'>;
  bodySha256?: string;
}

/**
 * Duplicate detection in process memory: a bounded, per-endpoint set of accepted message ids, each
 * kept until a replay of it could no longer pass verification, and a bounded ring of the most
 * recent events for the admin API. Nothing survives a restart; use the TypeORM event log for a
 * durable record and for several instances.
 * @publicApi
 */
export class InMemoryEventLog implements EventLog, EventLogReader {
  private readonly logger = new Logger(InMemoryEventLog.name);
  /** endpoint → (message id → ms until which it is remembered), in insertion order. */
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly maxIds: number;
  private warnedFull = false;
  private readonly ring: (RingEvent | undefined)[];
  private readonly bodyCap: number;
  /** Sequence number of the newest event (ids are 1, 2, 3, …). */
  private seq = 0;

  constructor(
    options: InMemoryEventLogOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxIds = options.maxIdsPerEndpoint ?? 100_000;
    this.ring = new Array(Math.max(0, Math.floor(options.recentEvents ?? 1000)));
    this.bodyCap = Math.max(0, options.recentBodyCapBytes ?? 16_384);
  }

  async release(endpoint: string, messageId: string): Promise<void> {
    this.seen.get(endpoint)?.delete(messageId);
  }

  async record(event: WebhookEventRecord): Promise<WebhookEventStatus> {
    const status = this.decide(event);
    this.remember(event, status);
    return status;
  }

  async list(query: WebhookEventQuery): Promise<WebhookEventPage> {
    const limit = Math.min(500, Math.max(1, Math.floor(query.limit) || 1));
    let before = this.seq + 1;
    if (query.cursor !== undefined) before = decodeCursor(query.cursor);
    const items: StoredWebhookEvent[] = [];
    const oldest = Math.max(1, this.seq - this.ring.length + 1);
    let last = 0;
    for (let n = Math.min(before - 1, this.seq); n >= oldest; n--) {
      const entry = this.ring[(n - 1) % this.ring.length];
      if (!entry || !matches(entry.event, query)) continue;
      if (items.length === limit) return { items, nextCursor: encodeCursor(last) };
      const { body: _body, ...summary } = stored(entry);
      items.push(summary);
      last = n;
    }
    return { items };
  }

  async get(id: string): Promise<StoredWebhookEvent | undefined> {
    if (!/^\d{1,15}$/.test(id) || this.ring.length === 0) return undefined;
    const n = Number(id);
    if (n < 1 || n > this.seq || n <= this.seq - this.ring.length) return undefined;
    const entry = this.ring[(n - 1) % this.ring.length];
    return entry && stored(entry);
  }

  private decide(event: WebhookEventRecord): WebhookEventStatus {
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

  private remember(event: WebhookEventRecord, status: WebhookEventStatus): void {
    if (this.ring.length === 0) return;
    const body = event.body ?? Buffer.alloc(0);
    this.seq++;
    const cap = event.storeBody === false ? 0 : this.bodyCap;
    const truncated = body.length > cap;
    const entry: RingEvent['event'] = {
      id: String(this.seq),
      endpoint: event.endpoint,
      provider: event.provider,
      messageId: event.messageId,
      status,
      reason: event.reason,
      secretVersion: event.secretVersion,
      receivedAt: event.receivedAt,
      signedAt: event.signedAt,
      method: event.method,
      path: event.path,
      headers: event.headers,
      bodySize: body.length,
      // A copy, so the ring never keeps a large request buffer alive.
      body: Buffer.from(body.subarray(0, cap)),
      bodyTruncated: truncated,
    };
    this.ring[(this.seq - 1) % this.ring.length] = {
      event: entry,
      bodySha256: truncated ? sha256Hex(body) : undefined,
    };
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

function sha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The event as the reader shows it; the hash of a whole stored body is computed once, here. */
function stored(entry: RingEvent): StoredWebhookEvent {
  entry.bodySha256 ??= sha256Hex(entry.event.body!);
  return { ...entry.event, bodySha256: entry.bodySha256 };
}

function matches(event: RingEvent['event'], query: WebhookEventQuery): boolean {
  return (
    (query.endpoint === undefined || event.endpoint === query.endpoint) &&
    (query.status === undefined || event.status === query.status) &&
    (query.reason === undefined || event.reason === query.reason) &&
    (query.since === undefined || event.receivedAt >= query.since) &&
    (query.until === undefined || event.receivedAt < query.until)
  );
}

function encodeCursor(seq: number): string {
  return Buffer.from(`m1.${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]{1,32}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('latin1') : '';
  const match = CURSOR.exec(text);
  if (!match || encodeCursor(Number(match[1])) !== cursor) throw new InvalidCursorError('The cursor is not valid.');
  return Number(match[1]);
}
