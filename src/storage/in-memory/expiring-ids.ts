/**
 * A bounded set of ids, each remembered until a second of its own, forgotten oldest first.
 *
 * A Map alone keeps insertion order, but finding its oldest entry through an iterator is not
 * O(1): V8 leaves deleted entries as holes at the front of the table until it is rehashed, and
 * every new iterator walks over them. With 100,000 ids and one eviction per insertion that walk
 * cost ~35 µs per request. The order is kept here in a queue of its own instead.
 * @internal
 */
export class ExpiringIds {
  /** id → the second (rounded up) until which it is remembered: small integers, no allocation each. */
  private readonly until = new Map<string, number>();
  /** Insertion order: ids and their seconds; `head` is the oldest not yet taken out. */
  private queueIds: string[] = [];
  private queueUntil: number[] = [];
  private head = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.until.size;
  }

  /** Whether the id is remembered at `nowMs`. */
  has(id: string, nowMs: number): boolean {
    const second = this.until.get(id);
    return second !== undefined && second * 1000 >= nowMs;
  }

  /**
   * Remembers the id until `untilMs` (whole seconds, rounded up: a copy in the extra fraction of a
   * second is still refused). First forgets the expired ids, then the oldest live ones while full;
   * returns how many live ids had to be forgotten early.
   */
  add(id: string, untilMs: number, nowMs: number): number {
    let forgottenEarly = 0;
    while (this.head < this.queueIds.length) {
      const oldest = this.queueIds[this.head];
      const second = this.queueUntil[this.head];
      // An entry deleted or re-added since it was queued is stale: the map has another value.
      if (this.until.get(oldest) !== second) {
        this.head++;
        continue;
      }
      const live = second * 1000 >= nowMs;
      if (live && this.until.size < this.max) break;
      if (live) forgottenEarly++;
      this.until.delete(oldest);
      this.head++;
    }
    this.compact();
    const second = Math.ceil(untilMs / 1000);
    this.until.delete(id);
    this.until.set(id, second);
    this.queueIds.push(id);
    this.queueUntil.push(second);
    return forgottenEarly;
  }

  delete(id: string): void {
    // Its queue entry becomes stale and is skipped when it comes up.
    this.until.delete(id);
  }

  /**
   * Drops the taken-out front of the queue once it is most of it; and when deleted ids have left
   * more stale entries than live ones behind a live head, rebuilds the queue from the map (whose
   * order is the same). Both are O(n) once per n insertions.
   */
  private compact(): void {
    const length = this.queueIds.length - this.head;
    if (length > 2 * this.until.size + 1024) {
      this.queueIds = [...this.until.keys()];
      this.queueUntil = [...this.until.values()];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queueIds.length) {
      this.queueIds = this.queueIds.slice(this.head);
      this.queueUntil = this.queueUntil.slice(this.head);
      this.head = 0;
    }
  }
}
