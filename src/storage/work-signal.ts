/**
 * How an inbox's workers wait for work: `wait` resolves on a wake or after its time. A wake heard
 * while no one waits (work made ready during a claim's round trip, after its snapshot) is kept for
 * the next wait; lost, that work waited for the poll. A claim calls `claiming` first: wakes before
 * it are what it will see. Shared by both inbox stores.
 * @internal
 */
export class WorkSignal {
  private waiters: Array<() => void> = [];
  private woken = false;

  claiming(): void {
    this.woken = false;
  }

  wait(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      const waiters = this.waiters;
      function done() {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  wake(): void {
    this.woken = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const done of waiters) done();
  }
}
