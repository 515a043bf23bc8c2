import {
  activityRange,
  MAX_ACTIVITY_MINUTES,
  type WebhookActivityCount,
  type WebhookActivityQuery,
  type WebhookEventStatus,
} from '../event-log.interface';

/** Distinct (endpoint, status, reason) kept per minute; more are dropped, so memory stays bounded. */
const MAX_KEYS_PER_MINUTE = 1000;

/**
 * Requests per minute, endpoint, status and rejection code for the last day: counted apart from the
 * ring of recent events, so the console's chart stays exact when a flood has pushed events out.
 * @internal
 */
export class MinuteCounts {
  /** minute number → `endpoint\nstatus\nreason` → count; minutes in increasing order. */
  private readonly minutes = new Map<number, Map<string, number>>();

  count(endpoint: string, status: WebhookEventStatus, reason: string | undefined, at: Date, n = 1): void {
    const minute = Math.floor(at.getTime() / 60_000);
    let counts = this.minutes.get(minute);
    if (!counts) {
      counts = new Map();
      this.minutes.set(minute, counts);
      for (const old of this.minutes.keys()) {
        if (old > minute - MAX_ACTIVITY_MINUTES) break;
        this.minutes.delete(old);
      }
    }
    const key = `${endpoint}\n${status}\n${status === 'rejected' ? (reason ?? '') : ''}`;
    const current = counts.get(key);
    if (current === undefined && counts.size >= MAX_KEYS_PER_MINUTE) return;
    counts.set(key, (current ?? 0) + n);
  }

  activity(query: WebhookActivityQuery): WebhookActivityCount[] {
    const { since, until } = activityRange(query);
    const out: WebhookActivityCount[] = [];
    for (const [minute, counts] of this.minutes) {
      if (minute * 60_000 < since || minute * 60_000 >= until) continue;
      for (const [key, count] of counts) {
        const [endpoint, status, reason] = key.split('\n');
        if (query.endpoint !== undefined && endpoint !== query.endpoint) continue;
        out.push({
          endpoint,
          minute: new Date(minute * 60_000),
          status: status as WebhookEventStatus,
          ...(reason ? { reason } : {}),
          count,
        });
      }
    }
    return out;
  }
}
