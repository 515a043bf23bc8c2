/** A fixed-size ring of entries in increasing `seq`; index 0 is the newest. @internal */
export class Ring<T extends { readonly seq: number }> {
  private readonly slots: (T | undefined)[];
  private pushed = 0;

  constructor(capacity: number) {
    this.slots = new Array(capacity);
  }

  get size(): number {
    return Math.min(this.pushed, this.slots.length);
  }

  push(entry: T): void {
    if (this.slots.length === 0) return;
    this.slots[this.pushed % this.slots.length] = entry;
    this.pushed++;
  }

  /** The i-th newest entry (0 ≤ i < size). */
  at(i: number): T {
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

  find(seq: number): T | undefined {
    const i = this.newestBelow(seq + 1);
    return i < this.size && this.at(i).seq === seq ? this.at(i) : undefined;
  }
}
