import { InMemoryInbox, type InMemoryInboxOptions } from './in-memory-inbox';
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { bodyCapOf, boundRecord, FLOOD_BYTES_PER_SECOND, FloodBudget } from '../flood-control';
import { pageLimit, PageCursor } from '../page-cursor';
import {
  type DuplicateState,
  type EventLog,
  type EventLogReader,
  type EventSealCheck,
  type StoredWebhookEvent,
  type WebhookActivityCount,
  type WebhookActivityQuery,
  type WebhookEventPage,
  type WebhookEventQuery,
  type WebhookEventRecord,
  type WebhookEventStatus,
} from '../event-log.interface';
import { InMemoryEventSeals, type InMemorySeal } from './in-memory-event-seals';
import { ExpiringIds } from './expiring-ids';
import { MinuteCounts } from './minute-counts';
import { Ring } from './ring';

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
   * hung, say) before a copy of it may take it over and be handled, and its inbox jobs run without
   * the acknowledgement, in seconds.
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
  /**
   * What the rows anyone could send — rejections, unsigned challenges, duplicates — may weigh in one
   * second over all endpoints (their requests' bytes and 256 per row); beyond, they are counted in
   * summary rows, but for one row a minute per endpoint and status.
   * @default 16384
   */
  floodBytesPerSecond?: number;
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
  /** The seal of an accepted event with inbox work (see `checkSeal`). */
  readonly seal?: InMemorySeal;
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
  /** endpoint → the message ids accepted there, each until its replay window ends. */
  private readonly seen = new Map<string, ExpiringIds>();
  private readonly maxIds: number;
  private warnedFull = false;
  /** Accepted events, apart from what anyone can send (see `recentEvents`). */
  private readonly acceptedRing: Ring<RingEvent>;
  private readonly otherRing: Ring<RingEvent>;
  private readonly recentCapacity: number;
  private readonly bodyCap: number;
  /**
   * endpoint → (message id → until when (ms) its acceptance is in progress, not yet acknowledged;
   * the token of the request that holds it; whether inbox jobs wait for it). Entries go when
   * acknowledged, so this holds about as many as there are requests in flight.
   */
  private readonly handling = new Map<string, Map<string, Lease>>();
  private handlingSize = 0;
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
  private readonly seals = new InMemoryEventSeals();

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
      // NaN (a bad setting) is 0, one row a second, rather than no bound.
      Math.max(0, options.floodBytesPerSecond ?? FLOOD_BYTES_PER_SECOND) || 0,
    );
    this.leaseMs = Math.max(0, options.handlingLeaseSeconds ?? 60) * 1000;
    this.inbox = new InMemoryInbox(options.inbox, now, (key) => {
      const newline = key.indexOf('\n');
      const lease = this.handling.get(key.slice(0, newline))?.get(key.slice(newline + 1));
      if (lease !== undefined && lease.until > this.now()) return true;
      if (lease !== undefined) lease.jobsStarted = true;
      return false;
    });
  }

  async release(endpoint: string, messageId: string, _reason?: string, leaseToken?: string): Promise<void> {
    const lease = this.leaseOf(endpoint, messageId, leaseToken);
    // An acknowledged acceptance is never withdrawn: a copy of it may have been answered 2xx. Nor
    // is a lease a copy took over: a stale holder's failure must not undo the copy's claim.
    if (!lease) return;
    // Nor once one of its jobs started (its lease ran out unacknowledged): the provider's retry, a
    // new acceptance, would run a second job beside it.
    if (lease.jobsStarted) return;
    this.settle(endpoint, messageId);
    this.seen.get(endpoint)?.delete(messageId);
    if (lease.work) this.inbox.withdrawn(handlingKey(endpoint, messageId));
  }

  /** Settles at once: the guard's 2xx then goes out without waiting for a promise. */
  acknowledge(endpoint: string, messageId: string, leaseToken?: string): void {
    const lease = this.leaseOf(endpoint, messageId, leaseToken);
    if (!lease) return;
    this.settle(endpoint, messageId);
    if (lease.work) this.inbox.acknowledged(handlingKey(endpoint, messageId));
  }

  async resolveDuplicate(endpoint: string, messageId: string, leaseToken?: string): Promise<DuplicateState> {
    const lease = this.handling.get(endpoint)?.get(messageId);
    if (lease === undefined) {
      return this.seen.get(endpoint)?.has(messageId, -Infinity) ? 'acknowledged' : 'in_progress';
    }
    const now = this.now();
    if (lease.until > now) return 'in_progress';
    lease.until = now + this.leaseMs;
    lease.token = leaseToken;
    return 'claimed';
  }

  /** The lease in progress, when held under `leaseToken` (or any lease without one). */
  private leaseOf(endpoint: string, messageId: string, leaseToken: string | undefined): Lease | undefined {
    const lease = this.handling.get(endpoint)?.get(messageId);
    return lease !== undefined && (leaseToken === undefined || lease.token === leaseToken) ? lease : undefined;
  }

  /**
   * Forgets the older half of every endpoint's leases at once: taking the oldest one by one would
   * walk a Map's deleted entries each time (see ExpiringIds).
   */
  private forgetOldestLeases(): void {
    for (const [endpoint, leases] of this.handling) {
      const kept = [...leases].slice(Math.floor(leases.size / 2));
      this.handlingSize -= leases.size - kept.length;
      this.handling.set(endpoint, new Map(kept));
    }
  }

  private settle(endpoint: string, messageId: string): void {
    if (this.handling.get(endpoint)?.delete(messageId)) this.handlingSize--;
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

  async checkSeal(id: string): Promise<EventSealCheck | undefined> {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const entry = this.acceptedRing.find(Number(id)) ?? this.otherRing.find(Number(id));
    return entry && this.seals.check(entry.event, entry.seal);
  }

  private decide(event: WebhookEventRecord): WebhookEventStatus {
    if (event.status !== 'accepted' || event.messageId === undefined) return event.status;
    let ids = this.seen.get(event.endpoint);
    if (!ids) {
      ids = new ExpiringIds(this.maxIds);
      this.seen.set(event.endpoint, ids);
    }
    const now = this.now();
    // Judged at the copy's arrival, the instant its timestamp was checked at: verifying and building
    // the record took time, and a key expiring meanwhile let a copy that verified be accepted again.
    if (ids.has(event.messageId, Math.min(now, event.receivedAt.getTime()))) return 'duplicate';
    const forgottenEarly = ids.add(event.messageId, Math.max(event.replayWindowEndsAt.getTime(), now), now);
    if (forgottenEarly > 0 && !this.warnedFull) {
      this.warnedFull = true;
      this.logger.warn(
        `The in-memory duplicate filter is full (${this.maxIds} ids per endpoint); the oldest ids are forgotten early. Use the TypeORM event log in production.`,
      );
    }
    // Bounded like the ids: leases nobody settles (verify() used without acknowledge()) are
    // forgotten oldest first, which answers their copies as duplicates.
    if (this.handlingSize >= this.maxIds) this.forgetOldestLeases();
    let leases = this.handling.get(event.endpoint);
    if (!leases) {
      leases = new Map();
      this.handling.set(event.endpoint, leases);
    }
    leases.set(event.messageId, {
      until: now + this.leaseMs,
      token: event.leaseToken,
      work: event.work !== undefined && event.work.length > 0,
    });
    this.handlingSize++;
    return 'accepted';
  }

  /** `occurrences`: given for a summary row only (it may count one request). */
  private remember(event: WebhookEventRecord, status: WebhookEventStatus, occurrences?: number): void {
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
      ...(occurrences !== undefined ? { occurrences } : {}),
    };
    const seal = this.seals.sealOf(event, status, entry, body);
    ring.push({ seq: this.seq, event: entry, bodySha256: truncated ? sha256Hex(body) : undefined, seal });
  }
}

/** An acceptance in progress. */
interface Lease {
  until: number;
  /** The token of the request that holds it. */
  token?: string;
  /** Whether inbox jobs wait for its acknowledgement. */
  readonly work: boolean;
  /** Its jobs were released to run when the lease ran out: it is no longer withdrawn. */
  jobsStarted?: boolean;
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
