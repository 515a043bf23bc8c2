import {
  backoffDelay,
  canRetry,
  decideAfterFailure,
  describeJobError,
  handlerMatches,
  isEventTypePattern,
  matchesEventType,
  MAX_ERROR_LENGTH,
  RetryLater,
} from './inbox-decisions';

describe('inbox decisions', () => {
  describe('matchesEventType', () => {
    it.each([
      ['*', 'invoice.paid', true],
      ['*', undefined, true],
      ['invoice.paid', 'invoice.paid', true],
      ['invoice.paid', 'invoice.paid2', false],
      ['invoice.paid', 'Invoice.paid', false],
      ['invoice.*', 'invoice.paid', true],
      ['invoice.*', 'invoice.payment.failed', true],
      ['invoice.*', 'invoice', false],
      ['invoice.*', 'customer.invoice.paid', false],
      ['*.created', 'customer.created', true],
      ['*.created', 'customer.created.x', false],
      ['orders/*', 'orders/create', true],
      ['a*b*c', 'abc', true],
      ['a*b*c', 'aXbYc', true],
      ['a*b*c', 'acb', false],
      ['ab*ba', 'aba', false],
      ['invoice.*', undefined, false],
    ])('%s vs %s → %s', (pattern, type, expected) => {
      expect(matchesEventType(pattern, type)).toBe(expected);
    });

    it('a handler without patterns takes every event; with patterns, any of them', () => {
      expect(handlerMatches(undefined, 'x')).toBe(true);
      expect(handlerMatches([], undefined)).toBe(true);
      expect(handlerMatches(['a', 'b.*'], 'b.c')).toBe(true);
      expect(handlerMatches(['a', 'b.*'], 'c')).toBe(false);
    });

    it('refuses patterns with spaces, empty ones and overlong ones', () => {
      expect(isEventTypePattern('invoice.*')).toBe(true);
      expect(isEventTypePattern('orders/create')).toBe(true);
      expect(isEventTypePattern('')).toBe(false);
      expect(isEventTypePattern('a b')).toBe(false);
      expect(isEventTypePattern('x'.repeat(201))).toBe(false);
    });
  });

  describe('backoffDelay (full jitter)', () => {
    const settings = { baseMs: 1000, maxMs: 60_000 };
    it('spans [0, base·2^(n−1)) and is capped', () => {
      expect(backoffDelay(1, settings, () => 0)).toBe(0);
      expect(backoffDelay(1, settings, () => 0.999)).toBe(999);
      expect(backoffDelay(3, settings, () => 0.5)).toBe(2000);
      expect(backoffDelay(30, settings, () => 0.5)).toBe(30_000);
      expect(backoffDelay(5000, settings, () => 0.999)).toBe(59_940);
    });
    it('spreads jobs that failed together', () => {
      const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(6, settings)));
      expect(delays.size).toBeGreaterThan(40);
    });
  });

  describe('decideAfterFailure', () => {
    const backoff = { baseMs: 100, maxMs: 10_000 };
    it('retries with backoff until maxAttempts, then dead', () => {
      expect(decideAfterFailure(new Error('x'), 1, 3, backoff, 1000, () => 0.5)).toEqual({
        state: 'failed',
        runAt: 1050,
      });
      expect(decideAfterFailure(new Error('x'), 2, 3, backoff, 1000, () => 0.5)).toEqual({
        state: 'failed',
        runAt: 1100,
      });
      expect(decideAfterFailure(new Error('x'), 3, 3, backoff, 1000, () => 0.5)).toEqual({
        state: 'dead',
        runAt: 1000,
      });
    });
    it('RetryLater sets the delay (bounded by maxMs) but still counts the attempt', () => {
      expect(decideAfterFailure(new RetryLater(2500), 1, 3, backoff, 0)).toEqual({ state: 'failed', runAt: 2500 });
      expect(decideAfterFailure(new RetryLater(1e9), 1, 3, backoff, 0)).toEqual({ state: 'failed', runAt: 10_000 });
      expect(decideAfterFailure(new RetryLater(-5), 1, 3, backoff, 0)).toEqual({ state: 'failed', runAt: 0 });
      expect(decideAfterFailure(new RetryLater(10), 3, 3, backoff, 0).state).toBe('dead');
    });
  });

  it('operators: retry failed or dead, redrive dead, replay succeeded or dead', () => {
    expect(canRetry('dead', 'retry')).toBe(true);
    expect(canRetry('running', 'retry')).toBe(false);
    expect(canRetry('succeeded', 'retry')).toBe(false);
    expect(canRetry('failed', 'redrive')).toBe(false);
    expect(canRetry('succeeded', 'replay')).toBe(true);
    expect(canRetry('pending', 'replay')).toBe(false);
  });

  describe('describeJobError', () => {
    it('keeps name and message, redacts credentials and opaque strings', () => {
      const text = describeJobError(
        new TypeError(
          'call failed: Authorization Bearer abc.def token=s3cr3t key sk_live_0123456789abcdefghijklmnopqrstuv',
        ),
      );
      expect(text).toBe('TypeError: call failed: Authorization Bearer [redacted] token=[redacted] key [redacted]');
    });
    it('is bounded and on one line', () => {
      const text = describeJobError(new Error(`a\nb ${'word '.repeat(500)}`));
      expect(text.length).toBe(MAX_ERROR_LENGTH);
      expect(text).not.toContain('\n');
      expect(describeJobError('plain')).toBe('Error: plain');
      expect(describeJobError(42)).toBe('Error: non-error thrown');
    });
    it('has no line separator nor bidirectional override (a log line or a console cell shown reordered)', () => {
      const text = describeJobError(new Error('amount \u202e001$ paid\u2028next\u2029para \u2066x\u2069'));
      expect(text).toBe('Error: amount  001$ paid next para  x ');
    });
  });
});
