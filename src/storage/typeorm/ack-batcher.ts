/** One acknowledgement waiting for its INSERT. @internal */
export interface PendingAck {
  readonly endpoint: string;
  readonly messageId: string;
  readonly token: string | null;
  readonly done: (error?: Error) => void;
}

/**
 * Acknowledgements grouped like the inserts: those of one turn of the event loop go in one
 * statement, and one statement at a time, so the acks that arrive while it runs wait for it and go
 * together in the next: under load one commit (one fsync) per group of them, not one per turn.
 * @internal
 */
export class AckBatcher {
  private queue: PendingAck[] = [];
  private writing = false;

  /** `write` settles nothing itself: it resolves when the group committed and rejects otherwise. */
  constructor(private readonly write: (acks: readonly PendingAck[]) => Promise<void>) {}

  add(endpoint: string, messageId: string, token: string | null): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => (error ? reject(error) : resolve());
      if (this.queue.push({ endpoint, messageId, token, done }) === 1 && !this.writing) {
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const acks = this.queue;
    this.queue = [];
    this.writing = true;
    try {
      await this.write(acks);
      for (const a of acks) a.done();
    } catch (error) {
      for (const a of acks) a.done(error as Error);
    }
    this.writing = false;
    if (this.queue.length > 0) void this.flush();
  }
}
