// The inbox's pure decisions: which handlers an event type reaches, when a failed job runs again,
// and what state a job moves to. Storage and workers apply them; nothing here does I/O.

/** The state of one (event, handler) job. @publicApi */
export type InboxJobState = 'pending' | 'running' | 'succeeded' | 'failed' | 'dead';

/** @publicApi */
export const INBOX_JOB_STATES: readonly InboxJobState[] = ['pending', 'running', 'succeeded', 'failed', 'dead'];

/** States whose jobs are still to run (retention and the body cap keep their events). @publicApi */
export const UNFINISHED_STATES: readonly InboxJobState[] = ['pending', 'running', 'failed'];

/**
 * Thrown by a handler for an event that came too early (out of order): the job runs again after
 * `delayMs`. It counts as an attempt, so a job that is never ready still ends dead.
 * @publicApi
 */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
  constructor(
    readonly delayMs: number,
    message = `Retry in ${delayMs} ms.`,
  ) {
    super(message);
  }
}

const PATTERN = /^[\w.:/*-]{1,200}$/;

/** Refuses a handler's event-type pattern that could not match as written. @publicApi */
export function isEventTypePattern(pattern: string): boolean {
  return typeof pattern === 'string' && PATTERN.test(pattern);
}

/**
 * Whether an event type matches a handler's pattern: `*` stands for any run of characters
 * (`'invoice.*'` matches `invoice.paid` and `invoice.payment.failed`; `'*'` matches every event,
 * even one without a type). Anything else is compared exactly, case-sensitively.
 * @publicApi
 */
export function matchesEventType(pattern: string, eventType: string | undefined): boolean {
  if (pattern === '*') return true;
  if (eventType === undefined) return false;
  if (!pattern.includes('*')) return pattern === eventType;
  const parts = pattern.split('*');
  if (!eventType.startsWith(parts[0]!)) return false;
  let at = parts[0]!.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = eventType.indexOf(parts[i]!, at);
    if (found < 0) return false;
    at = found + parts[i]!.length;
  }
  const last = parts[parts.length - 1]!;
  return eventType.length - last.length >= at && eventType.endsWith(last);
}

/** Whether any of a handler's patterns matches; no patterns means every event. @publicApi */
export function handlerMatches(patterns: readonly string[] | undefined, eventType: string | undefined): boolean {
  return patterns === undefined || patterns.length === 0 || patterns.some((p) => matchesEventType(p, eventType));
}

/** @publicApi */
export interface BackoffSettings {
  /** The cap of the first retry's delay. @default 1000 */
  readonly baseMs: number;
  /** The largest delay. @default 3_600_000 */
  readonly maxMs: number;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * a uniform delay in [0, min(max, base·2^(attempt−1))), so jobs that failed together do not
 * retry together. `random` is in [0, 1).
 * @publicApi
 */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 52);
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/** What a worker writes after a failed attempt. @publicApi */
export interface FailureDecision {
  readonly state: 'failed' | 'dead';
  /** When the job runs again (the failure time for a dead job). */
  readonly runAt: number;
}

/**
 * After attempt `attempts` (1-based) failed: dead once `maxAttempts` were made, else failed and due
 * again after the handler's `RetryLater` delay, or the backoff.
 * @publicApi
 */
export function decideAfterFailure(
  error: unknown,
  attempts: number,
  maxAttempts: number,
  backoff: BackoffSettings,
  now: number,
  random: () => number = Math.random,
): FailureDecision {
  if (attempts >= maxAttempts) return { state: 'dead', runAt: now };
  const delay =
    error instanceof RetryLater && Number.isFinite(error.delayMs)
      ? Math.min(Math.max(0, error.delayMs), backoff.maxMs)
      : backoffDelay(attempts, backoff, random);
  return { state: 'failed', runAt: now + delay };
}

/** The states an operator may send back to pending, per action. @publicApi */
export function canRetry(state: InboxJobState, action: 'retry' | 'redrive' | 'replay'): boolean {
  if (action === 'replay') return state === 'succeeded' || state === 'dead';
  if (action === 'redrive') return state === 'dead';
  return state === 'failed' || state === 'dead';
}

/** Longest last error kept on a job. */
export const MAX_ERROR_LENGTH = 500;

const SECRET_LIKE = /(bearer\s+|basic\s+|(?:secret|token|password|api[_-]?key|signature)\s*[=:]\s*)[^\s,;"']+/gi;
const LONG_OPAQUE = /\b[A-Za-z0-9+/_=-]{32,}\b/g;

/**
 * A handler error as the job keeps it: its name and message, credential-like values and long
 * opaque strings replaced, control characters, line separators and bidirectional overrides removed, at most {@link MAX_ERROR_LENGTH} characters.
 * @publicApi
 */
export function describeJobError(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'non-error thrown';
  const text = `${name}: ${message}`
    .replace(SECRET_LIKE, '$1[redacted]')
    .replace(LONG_OPAQUE, '[redacted]')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g, ' ');
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
