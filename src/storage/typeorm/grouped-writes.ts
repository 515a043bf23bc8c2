/**
 * Writes grouped like the inserts: the items of one turn of the event loop go in one statement,
 * and one statement at a time, so the items that arrive while it runs wait for it and go together
 * in the next: under load one commit (one fsync) per group, not one per turn. Used for the
 * event log's acknowledgements and the inbox's completions.
 * @internal
 */
export class GroupedWrites<T, R = void> {
  private queue: Array<{ item: T; resolve: (result: R) => void; reject: (error: Error) => void }> = [];
  private writing = false;

  /**
   * `write` resolves once the group committed, with each item's result in the items' order (nothing
   * for results of type void), and rejects otherwise: every item of the group then rejects with that error.
   */
  constructor(private readonly write: (items: readonly T[]) => Promise<readonly R[] | void>) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.queue.push({ item, resolve, reject }) === 1 && !this.writing) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const group = this.queue;
    this.queue = [];
    this.writing = true;
    try {
      const results = await this.write(group.map((g) => g.item));
      group.forEach((g, i) => g.resolve(results?.[i] as R));
    } catch (error) {
      for (const g of group) g.reject(error as Error);
    }
    this.writing = false;
    if (this.queue.length > 0) void this.flush();
  }
}
