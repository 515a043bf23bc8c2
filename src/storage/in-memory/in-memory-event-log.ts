import { InMemoryInbox, type InMemoryInboxOptions } from './in-memory-inbox';
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { bodyCapOf, boundRecord, FloodBudget } from '../flood-control';
import { pageLimit, PageCursor } from '../page-cursor';
import {
  type DuplicateState,
  type EventLog,
  type EventLogReader,
  type StoredWebhookEvent,
  type WebhookActivityCount,
  type WebhookActivityQuery,
  type WebhookEventPage,
  type WebhookEventQuery,
  type WebhookEventRecord,
  type WebhookEventStatus,
} from '../event-log.interface';
import { MinuteCounts } from './minute-counts';

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
   * Accepted events have a ring of this size to themselves; rejections, challenges, duplicates and
   * summaries (which anyone can send) share another one, so no flood of them can push an accepted
   * event out. 0 keeps none.
   * @default 1000
   */
  recentEvents?: number;
  /**
   * Bytes of each body kept with the recent events (size and SHA-256 always are).
   * @default 16384
   */
  recentBodyCapBytes?: number;
  /**
   * How long an accepted delivery stays "in progress" without being acknowledged (its handler
   * hung, say) before a copy of it may take it over and be handled, in seconds.
   * @default 60
   */
  handlingLeaseSeconds?: number;
  /** The in-memory inbox's bounds. */
  inbox?: InMemoryInboxOptions;
  /**
   * Rejected requests kept in the ring one by one per endpoint and second; beyond it they are
   * counted in one summary entry per endpoint and reason, so a flood cannot push the real events
   * out of the ring.
   * @default 50
   */
  rejectedPerSecond?: number;
  /**
   * The same for challenges (URL verifications, CRC checks), which are still answered.
   * @default 10
   */
  challengesPerSecond?: number;
  /**
   * The same for duplicates (copies of a delivery already accepted, which a replayer can send at
   * will); their bodies are never kept, only size and SHA-256.
   * @default 10
   */
  duplicatesPerSecond?: number;
}

/** Positions are sequence numbers, written without leading zeros. */
const CURSOR = new PageCursor('m1', '0|[1-9]\\d{0,14}');

/**
 * An event of the ring. Its SHA-256 is computed when the event is read, from the stored copy of the
 * body, unless the body was cut: then it is computed at once from the whole body. Most events are
 * never read, so the hot path hashes nothing.
 */
interface RingEvent {
  readonly seq: number;
  readonly event: Omit<StoredWebhookEvent, 'bodySha256'>;
  bodySha256?: string;
}

/** A fixed-size ring of events in increasing `seq`; index 0 is the newest. */
class Ring {
  private readonly slots: (RingEvent | undefined)[];
  private pushed = 0;

  constructor(capacity: number) {
    this.slots = new Array(capacity);
  }

  get size(): number {
    return Math.min(this.pushed, this.slots.length);
  }

  push(entry: RingEvent): void {
    if (this.slots.length === 0) return;
    this.slots[this.pushed % this.slots.length] = entry;
    this.pushed++;
  }

  /** The i-th newest entry (0 ≤ i < size). */
  at(i: number): RingEvent {
    return this.slots[(this.pushed - 1 - i) % this.slots.length]!;
  }

  /** The index of the newest entry with `seq` below `before` (size when none). */
  newestBelow(before: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.at(mid).seq < before) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  find(seq: number): RingEvent | undefined {
    const i = this.newestBelow(seq + 1);
    return i < this.size && this.at(i).seq === seq ? this.at(i) : undefined;
  }
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
  /** Accepted events, apart from what anyone can send (see `recentEvents`). */
  private readonly acceptedRing: Ring;
  private readonly otherRing: Ring;
  private readonly recentCapacity: number;
  private readonly bodyCap: number;
  /**
   * endpoint + message id → until when (ms) its acceptance is in progress (not yet acknowledged),
   * and the token of the request that holds it.
   */
  private readonly handling = new Map<string, { until: number; token?: string }>();
  private readonly leaseMs: number;
  /** Sequence number of the newest event (ids are 1, 2, 3, …). */
  private seq = 0;
  /** Ids of accepted events with work when the ring keeps none. */
  private unlisted = 0;
  private readonly budget: FloodBudget;
  private summaryTimer?: NodeJS.Timeout;
  private readonly counts = new MinuteCounts();
  /** The inbox's jobs, written with the accepted events that have work. */
  readonly inbox: InMemoryInbox;

  constructor(
    options: InMemoryEventLogOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxIds = options.maxIdsPerEndpoint ?? 100_000;
    const recent = Math.max(0, Math.floor(options.recentEvents ?? 1000));
    this.recentCapacity = recent;
    this.acceptedRing = new Ring(recent);
    this.otherRing = new Ring(recent);
    this.bodyCap = Math.max(0, options.recentBodyCapBytes ?? 16_384);
    this.budget = new FloodBudget(
      {
        rejected: Math.max(0, options.rejectedPerSecond ?? 50),
        challenge: Math.max(0, options.challengesPerSecond ?? 10),
        duplicate: Math.max(0, options.duplicatesPerSecond ?? 10),
      },
      now,
    );
    this.leaseMs = Math.max(0, options.handlingLeaseSeconds ?? 60) * 1000;
    this.inbox = new InMemoryInbox(options.inbox, now);
  }

  async release(endpoint: string, messageId: string, _reason?: string, leaseToken?: string): Promise<void> {
    const key = handlingKey(endpoint, messageId);
    // An acknowledged acceptance is never withdrawn: a copy of it may have been answered 2xx. Nor
    // is a lease a copy took over: a stale holder's failure must not undo the copy's claim.
    if (!this.holds(key, leaseToken)) return;
    this.handling.delete(key);
    this.seen.get(endpoint)?.delete(messageId);
    this.inbox.withdrawn(key);
  }

  async acknowledge(endpoint: string, messageId: string, leaseToken?: string): Promise<void> {
    const key = handlingKey(endpoint, messageId);
    if (!this.holds(key, leaseToken)) return;
    this.handling.delete(key);
    this.inbox.acknowledged(key);
  }

  async resolveDuplicate(endpoint: string, messageId: string, leaseToken?: string): Promise<DuplicateState> {
    const key = handlingKey(endpoint, messageId);
    const lease = this.handling.get(key);
    if (lease === undefined) return this.seen.get(endpoint)?.has(messageId) ? 'acknowledged' : 'in_progress';
    const now = this.now();
    if (lease.until > now) return 'in_progress';
    this.handling.set(key, { until: now + this.leaseMs, token: leaseToken });
    return 'claimed';
  }

  /** Whether the lease is in progress and, when a token is given, still held under it. */
  private holds(key: string, leaseToken: string | undefined): boolean {
    const lease = this.handling.get(key);
    return lease !== undefined && (leaseToken === undefined || lease.token === leaseToken);
  }

  async record(event: WebhookEventRecord): Promise<WebhookEventStatus> {
    const status = this.decide(event);
    this.counts.count(event.endpoint, status, event.reason, event.receivedAt);
    // Anyone can send rejections, challenges and replays: a budget of entries per second, the rest counted.
    if (this.budget.admit(event, status)) {
      this.remember(boundRecord(event, status), status);
      if (status === 'accepted' && event.work !== undefined && event.work.length > 0) {
        const awaiting = event.messageId === undefined ? undefined : handlingKey(event.endpoint, event.messageId);
        this.inbox.add(event, this.recentCapacity > 0 ? String(this.seq) : `m${++this.unlisted}`, awaiting);
      }
    } else if (!this.summaryTimer) {
      this.summaryTimer = setTimeout(() => this.flushSummaries(), 1000);
      this.summaryTimer.unref();
    }
    return status;
  }

  /** Adds one entry per endpoint, status and reason for the requests that were only counted. */
  flushSummaries(): void {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    for (const { record, status, occurrences } of this.budget.drain()) this.remember(record, status, occurrences);
  }

  async list(query: WebhookEventQuery): Promise<WebhookEventPage> {
    const limit = pageLimit(query.limit);
    let before = this.seq + 1;
    if (query.cursor !== undefined) before = Number(CURSOR.decode(query.cursor));
    const items: StoredWebhookEvent[] = [];
    let last = 0;
    // Both rings, merged newest first.
    let a = this.acceptedRing.newestBelow(before);
    let o = this.otherRing.newestBelow(before);
    while (a < this.acceptedRing.size || o < this.otherRing.size) {
      const fromAccepted =
        o >= this.otherRing.size ||
        (a < this.acceptedRing.size && this.acceptedRing.at(a).seq > this.otherRing.at(o).seq);
      const entry = fromAccepted ? this.acceptedRing.at(a++) : this.otherRing.at(o++);
      if (!matches(entry.event, query)) continue;
      if (items.length === limit) return { items, nextCursor: CURSOR.encode(last) };
      const { body: _body, ...summary } = stored(entry);
      items.push(summary);
      last = entry.seq;
    }
    return { items };
  }

  async get(id: string): Promise<StoredWebhookEvent | undefined> {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const n = Number(id);
    const entry = this.acceptedRing.find(n) ?? this.otherRing.find(n);
    return entry && stored(entry);
  }

  async activity(query: WebhookActivityQuery): Promise<readonly WebhookActivityCount[]> {
    return this.counts.activity(query);
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
    // Bounded like the ids: a lease nobody settles (verify() used without acknowledge()) is
    // forgotten oldest first, which answers its copies as duplicates.
    if (this.handling.size >= this.maxIds) this.handling.delete(this.handling.keys().next().value!);
    this.handling.set(handlingKey(event.endpoint, event.messageId), {
      until: now + this.leaseMs,
      token: event.leaseToken,
    });
    return 'accepted';
  }

  private remember(event: WebhookEventRecord, status: WebhookEventStatus, occurrences = 1): void {
    const ring = status === 'accepted' ? this.acceptedRing : this.otherRing;
    if (this.recentCapacity === 0) return;
    const body = event.body ?? Buffer.alloc(0);
    this.seq++;
    const cap = event.storeBody === false ? 0 : bodyCapOf(event, this.bodyCap);
    const truncated = body.length > cap;
    const entry: RingEvent['event'] = {
      id: String(this.seq),
      endpoint: event.endpoint,
      provider: event.provider,
      messageId: event.messageId,
      status,
      reason: event.reason,
      ...(event.eventType !== undefined ? { eventType: String(event.eventType).slice(0, 128) } : {}),
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
      ...(occurrences > 1 ? { occurrences } : {}),
    };
    ring.push({ seq: this.seq, event: entry, bodySha256: truncated ? sha256Hex(body) : undefined });
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

function handlingKey(endpoint: string, messageId: string): string {
  return `${endpoint}\n${messageId}`;
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
    (query.eventType === undefined || event.eventType === query.eventType) &&
    (query.since === undefined || event.receivedAt >= query.since) &&
    (query.until === undefined || event.receivedAt < query.until)
  );
}
