// Flushes rolled segments off the append path, one at a time in roll order (as Kafka flushes a
// rolled segment in the background). Each flush makes the segment's bytes and its successor's
// directory entry durable, writes its index files, then moves the persisted recovery point to the
// segment's end. Deleting, truncating or closing segments must wait for `idle()` first, so a flush
// never races with them; every fsync of the log waits for `synced()`, so durability stays exact.
import type { WeirError } from '@weir/protocol'
import type { FileIo } from './file-io.js'
import type { Segment } from './segment.js'

export interface FlushTarget {
  /** Everything below `endOffset` is on stable storage. */
  synced(endOffset: number): void
  /** Persists the recovery point once the segment ending at `endOffset` is fully flushed. */
  persistRecoveryPoint(endOffset: number): Promise<void>
  /** Turns a flush failure into the typed error that stops the log. */
  toError(segment: Segment, error: unknown): WeirError
  /** A flush failed: nothing written since the last good fsync can be trusted. */
  failed(error: WeirError): void
}

interface FlushJob {
  /** Settles once the segment (and every one before it) is on stable storage. */
  readonly synced: Promise<void>
  /** Resolves once the job is over, whether it succeeded or not. */
  readonly done: Promise<void>
}

export class SegmentFlusher {
  /** Jobs not yet done, oldest first; the log keeps at most `rolledSegmentsUnflushedMax`. */
  private readonly jobs: FlushJob[] = []
  private failure: WeirError | undefined

  constructor(
    private readonly io: FileIo,
    private readonly directory: string,
    private readonly target: FlushTarget,
  ) {}

  get pendingCount(): number {
    return this.jobs.length
  }

  /** Queues the flush of a segment that just rolled; it no longer changes. */
  schedule(segment: Segment): void {
    const previous = this.jobs.at(-1)?.done ?? Promise.resolve()
    let markSynced!: () => void
    let failSynced!: (error: WeirError) => void
    const synced = new Promise<void>((resolve, reject) => {
      markSynced = resolve
      failSynced = reject
    })
    // Nobody may be waiting for it; a failure is reported through `failed` and later waits.
    synced.catch(() => undefined)
    const done = previous.then(() => this.flush(segment, markSynced, failSynced))
    const job = { synced, done }
    this.jobs.push(job)
    void done.then(() => {
      this.jobs.splice(this.jobs.indexOf(job), 1)
    })
  }

  private async flush(
    segment: Segment,
    markSynced: () => void,
    failSynced: (error: WeirError) => void,
  ): Promise<void> {
    if (this.failure) return failSynced(this.failure)
    const endOffset = segment.nextOffset
    try {
      await this.io.datasync(segment.fd)
      // The roll created the next segment without syncing the directory: its entry is durable now.
      await this.io.syncDirectory(this.directory)
      this.target.synced(endOffset)
      markSynced()
      await segment.writeIndexFiles()
      await this.target.persistRecoveryPoint(endOffset)
    } catch (error) {
      this.failure = this.target.toError(segment, error)
      failSynced(this.failure)
      this.target.failed(this.failure)
    }
  }

  /** Resolves once every segment rolled so far is on stable storage; rejects if a flush failed. */
  synced(): Promise<void> {
    const last = this.jobs.at(-1)
    if (last) return last.synced
    return this.failure ? Promise.reject(this.failure) : Promise.resolve()
  }

  /** Resolves once the oldest flush in flight is done. */
  async oldestDone(): Promise<void> {
    await this.jobs[0]?.done
  }

  /** Waits for every queued flush; rejects if one failed. */
  async idle(): Promise<void> {
    while (this.jobs.length > 0) await this.jobs.at(-1)!.done
    if (this.failure) throw this.failure
  }
}
