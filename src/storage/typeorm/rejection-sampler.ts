import { Logger } from '@nestjs/common';
import type { WebhookEventRecord, WebhookEventStatus } from '../event-log.interface';
import { boundRecord, type FloodBudget } from '../flood-control';
import type { EventRow } from './event-log-rows';

/**
 * The rows of requests anyone can send (rejections, challenges, copies of accepted deliveries):
 * stored under the flood budget, the rest counted in one summary row per endpoint, status and
 * reason, written within a second.
 * @internal
 */
export class RejectionSampler {
  private readonly logger = new Logger('Hookwarden');
  private summaryTimer?: NodeJS.Timeout;
  /** Summary rows being written. */
  private readonly writing = new Set<Promise<unknown>>();

  constructor(
    private readonly budget: FloodBudget,
    private readonly toRow: (event: WebhookEventRecord, status: WebhookEventStatus) => EventRow,
    private readonly enqueue: (row: EventRow) => Promise<WebhookEventStatus>,
  ) {}

  /** Whether the request gets a row of its own; if not, it was counted in the next summary. */
  admit(event: WebhookEventRecord): boolean {
    if (this.budget.admit(event)) return true;
    this.scheduleSummaries();
    return false;
  }

  /**
   * The row of a copy of an accepted delivery: under the duplicates' budget (else counted in a
   * summary row), bounded like an unauthenticated row and without its body (size and SHA-256 say
   * it was the same bytes). Resolves once that row is written, so the copy's row is there when it
   * is answered, like every other row; a failed write loses only this row, never the answer.
   */
  async recordDuplicate(event: WebhookEventRecord | undefined): Promise<void> {
    if (!event) return;
    if (!this.budget.admit(event, 'duplicate')) {
      this.scheduleSummaries();
      return;
    }
    await this.enqueue(this.toRow(boundRecord(event, 'duplicate'), 'duplicate')).catch(() =>
      this.logger.warn('Could not record a duplicate delivery.'),
    );
  }

  /**
   * Writes one row per endpoint, status and reason for the requests that were only counted; resolves
   * once they are written, and those of a flush still in flight (the timer's) too, so that a caller
   * never reads the log before summaries that were already drained.
   */
  flushSummaries(): Promise<void> {
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    for (const { record, status, occurrences } of this.budget.drain()) {
      const row = this.toRow(record, status);
      row.occurrences = occurrences;
      const write: Promise<unknown> = this.enqueue(row)
        .catch(() =>
          this.logger.warn(
            `Could not record ${occurrences} ${record.status} requests (${record.reason ?? 'no reason'}).`,
          ),
        )
        .finally(() => this.writing.delete(write));
      this.writing.add(write);
    }
    return Promise.all([...this.writing]).then(() => undefined);
  }

  private scheduleSummaries(): void {
    if (this.summaryTimer) return;
    this.summaryTimer = setTimeout(() => void this.flushSummaries(), 1000);
    this.summaryTimer.unref();
  }
}
