import type { WebhookEventRecord, WebhookEventStatus } from './event-log.interface';

/**
 * What the event logs do with requests anyone can send as fast as they like: rejections,
 * challenges, and duplicates (a captured signed delivery, sent again). Each one must not cost a full
 * row: they are stored under a budget per endpoint and second (the rest counted in one summary row
 * per endpoint, status and reason), and what such a row keeps of the request is bounded (a
 * duplicate keeps no body at all: its size and SHA-256 are those of the accepted copy).
 * @internal
 */

/** Statuses written under a budget. */
export type BudgetedStatus = 'rejected' | 'challenge' | 'duplicate';

/** Bounds of what an unauthenticated row keeps (path and headers in characters, body in bytes). */
export const UNAUTHENTICATED_ROW = {
  path: 512,
  headerName: 64,
  headerValue: 512,
  headers: 32,
  /** The headers' names and values together. */
  headerChars: 4096,
  body: 4096,
} as const;

/**
 * The default of `floodBytesPerSecond`: ~1.4 GB a day per instance of the rows anyone can make
 * (each charged its request's bytes and a fixed 256 for its other columns; a rejection of ~2 KB
 * gets ~7 rows a second), plus one row a minute per endpoint and status beyond it.
 */
export const FLOOD_BYTES_PER_SECOND = 16 * 1024;

/** Header that names what a bounded row left out. */
export const TRUNCATED_HEADER = 'x-hookwarden-truncated';
/** Header of a summary row: how many requests it counts, and when they came. */
export const SUMMARY_HEADER = 'x-hookwarden-summary';
/** Hookwarden's own notes in stored headers: incoming headers with this prefix are never stored. */
const OWN_HEADER_PREFIX = 'x-hookwarden-';

/** Whether a record comes from a request no secret vouched for: a rejection or an unsigned challenge. */
export function isUnauthenticated(event: WebhookEventRecord): boolean {
  return event.status === 'rejected' || (event.status === 'challenge' && event.secretVersion === undefined);
}

/**
 * The record as a store keeps it, whatever its status: without incoming headers named like
 * Hookwarden's own notes (anyone could send `x-hookwarden-summary: 48211 rejected requests`); and
 * when anyone could have sent it (unauthenticated, or a duplicate: a replay of a captured delivery),
 * its attacker-chosen parts cut to {@link UNAUTHENTICATED_ROW}, and for a duplicate without its
 * body. The body's size and digest are still of the whole body (the stores compute them).
 */
export function boundRecord(event: WebhookEventRecord, status: WebhookEventStatus = event.status): WebhookEventRecord {
  const bounded = status === 'duplicate' || isUnauthenticated(event);
  // The common case, an authenticated record without Hookwarden-named headers, is kept as it is.
  if (!bounded && !hasOwnHeader(event.headers)) return event;
  const limits = UNAUTHENTICATED_ROW;
  const headers: Record<string, string> = {};
  let chars = 0;
  let dropped = 0;
  let own = 0;
  let cut = false;
  for (const [name, raw] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase().startsWith(OWN_HEADER_PREFIX)) {
      own++;
      continue;
    }
    if (!bounded) {
      headers[name] = raw;
      continue;
    }
    const value = String(raw);
    const n = name.slice(0, limits.headerName);
    const v = value.slice(0, limits.headerValue);
    if (Object.keys(headers).length >= limits.headers || chars + n.length + v.length > limits.headerChars) {
      dropped++;
      continue;
    }
    cut ||= n.length < name.length || v.length < value.length;
    headers[n] = v;
    chars += n.length + v.length;
  }
  const path = String(event.path ?? '');
  const pathCut = bounded && path.length > limits.path;
  const notes = [
    ...(dropped > 0 ? [`${dropped} headers`] : []),
    ...(cut ? ['long header names or values'] : []),
    ...(pathCut ? ['the path'] : []),
    ...(own > 0 ? [`${own} incoming ${OWN_HEADER_PREFIX}* headers`] : []),
  ];
  if (notes.length > 0) headers[TRUNCATED_HEADER] = `cut: ${notes.join(', ')}`;
  if (!bounded && notes.length === 0) return event;
  // The body is cut by the store (see bodyCapOf), which keeps the whole body's size and SHA-256.
  return {
    ...event,
    path: pathCut ? path.slice(0, limits.path) : path,
    headers,
    ...(status === 'duplicate' ? { storeBody: false } : {}),
  };
}

function hasOwnHeader(headers: WebhookEventRecord['headers'] | undefined): boolean {
  for (const name in headers) {
    if (name.length >= OWN_HEADER_PREFIX.length && name.toLowerCase().startsWith(OWN_HEADER_PREFIX)) return true;
  }
  return false;
}

/** The bytes of the body a store keeps: its own cap, and at most the bound for unauthenticated rows. */
export function bodyCapOf(event: WebhookEventRecord, storeCap: number): number {
  // The inbox's handlers run on the stored body: an event with work keeps all of it.
  if (event.status === 'accepted' && event.work !== undefined && event.work.length > 0) return Infinity;
  return isUnauthenticated(event) ? Math.min(storeCap, UNAUTHENTICATED_ROW.body) : storeCap;
}

/** The requests of one endpoint, status and reason that were counted instead of stored. */
export interface FloodSummary {
  readonly endpoint: string;
  readonly provider: string;
  readonly status: BudgetedStatus;
  readonly reason?: string;
  count: number;
  readonly firstAt: number;
  lastAt: number;
  readonly method: string;
  readonly path: string;
}

/**
 * Admits `perSecond[status]` rows per endpoint, status and second; counts the others in summaries
 * that the store writes as one row each (`drain()`, on a one-second timer the store runs).
 */
export class FloodBudget {
  private readonly windows = new Map<string, { second: number; rows: number }>();
  private readonly summaries = new Map<string, FloodSummary>();
  /** Attacker-chosen bytes kept this second over all endpoints (rows per endpoint add up with their number). */
  private bytes = { second: -1, kept: 0 };
  /** The minute in which each endpoint and status last had a row beyond the byte budget. */
  private readonly floorRows = new Map<string, number>();

  /**
   * @param bytesPerSecond what the rows anyone could send (rejections, unsigned challenges,
   *   duplicates) may keep of the request in one second, over all endpoints; the first such row of
   *   a second is kept whatever its size.
   */
  constructor(
    private readonly perSecond: Readonly<Record<BudgetedStatus, number>>,
    private readonly now: () => number,
    private readonly bytesPerSecond = Infinity,
  ) {}

  /**
   * Whether to store the record as a row of its own; `false`: it was counted in a summary.
   * `status` is the one the log decided (`duplicate` for an accepted copy of a known id).
   */
  admit(event: WebhookEventRecord, status: WebhookEventStatus = event.status): boolean {
    if (status === 'accepted') return true;
    const now = this.now();
    const second = Math.floor(now / 1000);
    const windowKey = `${status}\n${event.endpoint}`;
    let window = this.windows.get(windowKey);
    if (!window || window.second !== second) {
      window = { second, rows: 0 };
      this.windows.set(windowKey, window);
    }
    if (window.rows < this.perSecond[status] && this.keep(event, status, second, windowKey)) {
      window.rows++;
      return true;
    }
    const reason = event.reason === undefined ? undefined : String(event.reason).slice(0, 128);
    const key = `${status}\n${event.endpoint}\n${reason ?? ''}`;
    const summary = this.summaries.get(key);
    if (summary) {
      summary.count++;
      summary.lastAt = now;
    } else {
      this.summaries.set(key, {
        endpoint: event.endpoint,
        provider: event.provider,
        status,
        reason,
        count: 1,
        firstAt: now,
        lastAt: now,
        method: event.method,
        path: String(event.path ?? '').slice(0, UNAUTHENTICATED_ROW.path),
      });
    }
    return false;
  }

  /**
   * Whether the second's byte budget takes the row; if it does, the row's bytes are counted. One
   * sender using the budget up must not leave every other endpoint with summaries only: each
   * endpoint and status also gets one row a minute outside it (a bound of one row per endpoint a
   * minute, where a budget per endpoint alone multiplied by the endpoints).
   */
  private keep(event: WebhookEventRecord, status: WebhookEventStatus, second: number, windowKey: string): boolean {
    if (status !== 'duplicate' && !isUnauthenticated(event)) return true;
    if (this.bytes.second !== second) this.bytes = { second, kept: 0 };
    const bytes = keptBytes(event, status);
    if (this.bytes.kept === 0 || this.bytes.kept + bytes <= this.bytesPerSecond) {
      this.bytes.kept += bytes;
      return true;
    }
    const minute = Math.floor(second / 60);
    if (this.floorRows.get(windowKey) === minute) return false;
    this.floorRows.set(windowKey, minute);
    return true;
  }

  /** Whether summaries wait to be written. */
  get pending(): boolean {
    return this.summaries.size > 0;
  }

  /** The summaries so far, as records to store (with their status and count), and forgets them. */
  drain(): Array<{ record: WebhookEventRecord; status: BudgetedStatus; occurrences: number }> {
    const out = [...this.summaries.values()].map((s) => ({
      occurrences: s.count,
      status: s.status,
      record: {
        endpoint: s.endpoint,
        provider: s.provider,
        // A record's status is never `duplicate` (the log decides it): the store writes `status`.
        status: s.status === 'duplicate' ? ('accepted' as const) : s.status,
        reason: s.reason,
        receivedAt: new Date(s.firstAt),
        replayWindowEndsAt: new Date(s.firstAt),
        method: s.method,
        path: s.path,
        headers: {
          [SUMMARY_HEADER]: `${s.count} ${s.status} requests from ${new Date(s.firstAt).toISOString()} to ${new Date(s.lastAt).toISOString()}`,
        },
        body: Buffer.alloc(0),
      } satisfies WebhookEventRecord,
    }));
    this.summaries.clear();
    return out;
  }
}

/**
 * A row's own columns besides the request's bytes (ids, times, provider, reason, digest, index
 * entries, the truncation note): charged per row, so that many small rows cost what they weigh.
 */
const ROW_OVERHEAD = 256;

/** What a bounded row keeps of the request (as {@link boundRecord} cuts it), counted before it is built. */
function keptBytes(event: WebhookEventRecord, status: WebhookEventStatus): number {
  const limits = UNAUTHENTICATED_ROW;
  let headers = 0;
  let count = 0;
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase().startsWith(OWN_HEADER_PREFIX)) continue;
    const n = Math.min(name.length, limits.headerName);
    const v = Math.min(String(value).length, limits.headerValue);
    if (count >= limits.headers || headers + n + v > limits.headerChars) continue;
    count++;
    headers += n + v;
  }
  const body = status === 'duplicate' || event.storeBody === false ? 0 : Math.min(event.body?.length ?? 0, limits.body);
  return ROW_OVERHEAD + Math.min(String(event.path ?? '').length, limits.path) + headers + body;
}
