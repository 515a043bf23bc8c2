/** Rows one DELETE removes at the most, and batches one run makes (the next tick continues). @internal */
export const PRUNE_BATCH = 1000;
const PRUNE_MAX_BATCHES_PER_RUN = 50;

/** @internal */
export interface RetentionSettings {
  /** Rows older than this go; 0 keeps them forever. */
  retentionMs: number;
  intervalMs: number;
  now: () => number;
  /**
   * Deletes at most {@link PRUNE_BATCH} rows received before `cutoff` (oldest first, `FOR UPDATE
   * SKIP LOCKED` so two instances prune side by side); returns how many went.
   */
  deleteBatch(cutoff: Date, now: Date): Promise<number>;
  /** Whether the store can run statements now (initialised, not closed). */
  ready(): boolean;
  /** A failed run on the timer (the next tick tries again). */
  onError(error: unknown): void;
}

/**
 * Retention of a table in small batches, on a timer that starts with the first row rather than at
 * start-up: a store whose app failed to start (and is never closed) then leaves no timer behind.
 * One run at a time: prune() during a run returns that run.
 * @internal
 */
export class Retention {
  private timer?: NodeJS.Timeout;
  private pruning?: Promise<number>;
  private stopped = false;

  constructor(private readonly settings: RetentionSettings) {}

  start(): void {
    if (this.timer || this.stopped || this.settings.retentionMs <= 0) return;
    this.timer = setInterval(() => void this.prune().catch(this.settings.onError), this.settings.intervalMs);
    this.timer.unref();
  }

  prune(): Promise<number> {
    if (this.settings.retentionMs <= 0 || this.stopped || !this.settings.ready()) return Promise.resolve(0);
    this.pruning ??= this.run().finally(() => (this.pruning = undefined));
    return this.pruning;
  }

  /** Stops the timer and ends a run after its current batch; resolves when it ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.pruning?.catch(() => undefined);
  }

  private async run(): Promise<number> {
    const now = this.settings.now();
    const cutoff = new Date(now - this.settings.retentionMs);
    let total = 0;
    for (let i = 0; i < PRUNE_MAX_BATCHES_PER_RUN && !this.stopped; i++) {
      const deleted = await this.settings.deleteBatch(cutoff, new Date(now));
      total += deleted;
      if (deleted < PRUNE_BATCH) break;
    }
    return total;
  }
}
