/**
 * Group commit: items that arrive while a commit is in flight share the next one, and each caller
 * is answered when the commit that holds its item is durable. At low load a commit holds one
 * item (no added latency); under load the batch grows by itself, which is how one PostgreSQL
 * fsync serves hundreds of acknowledgements (issue 2: one commit per message stops near 4,500/s).
 */
export class CommitBatcher<TIn, TOut> {
  private queue: { item: TIn; resolve: (out: TOut) => void; reject: (err: unknown) => void }[] = [];
  private inFlight = 0;

  /**
   * One commit in flight by default: commits then land in arrival order, so a worker never sees a
   * patient's later message before an earlier one that is still being committed.
   */
  constructor(
    private readonly flush: (items: TIn[]) => Promise<TOut[]>,
    private readonly opts: { maxBatch: number; maxConcurrentCommits: number } = { maxBatch: 500, maxConcurrentCommits: 1 },
  ) {}

  submit(item: TIn): Promise<TOut> {
    return new Promise<TOut>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.inFlight < this.opts.maxConcurrentCommits) {
        // Let frames decoded from the same socket read join this commit.
        setImmediate(() => this.drain());
      }
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private drain(): void {
    while (this.queue.length > 0 && this.inFlight < this.opts.maxConcurrentCommits) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.inFlight++;
      this.flush(batch.map((b) => b.item))
        .then(
          (outs) => batch.forEach((b, i) => b.resolve(outs[i] as TOut)),
          (err) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          this.drain();
        });
    }
  }
}
