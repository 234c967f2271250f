// The LOG_CORRUPTED a read (or an open) throws for a damaged batch, with where the damage starts,
// so a caller that can fetch the data again (a Raft follower) cuts the log there and re-fetches.
import { WeirError } from '@weir/protocol'

export class LogCorruption extends WeirError {
  constructor(
    detail: string,
    /** The first offset the damage covers: every batch below it was read back intact. */
    readonly offset: number,
    /** The segment file and the byte in it where the first damaged batch starts. */
    readonly segmentPath: string,
    readonly position: number,
  ) {
    super('LOG_CORRUPTED', detail)
  }
}

/** What the recovery cut when `onCorruption` is 'truncate' (RecoveryReport.corruption). */
export interface CorruptionCut {
  /** The log now ends here: the first offset of the damaged batch. */
  readonly offset: number
  /** Where the log ended before the cut (the batches the cut dropped, as far as their headers tell). */
  readonly logEndOffsetBefore: number
  readonly reason: string
}

/**
 * What to do with a damaged batch in a segment that was flushed (promised durable): 'fail' refuses
 * to open the log (LOG_CORRUPTED), 'truncate' cuts the log at that batch, dropping every later
 * segment, and reports it, for a caller that can copy the rest again (a replica with a leader).
 */
export type CorruptionPolicy = 'fail' | 'truncate'
