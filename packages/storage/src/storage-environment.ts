// What the storage engine takes from the world outside the program: file I/O, the clock, timers and
// randomness, in one optional options object. The defaults wrap Node; a seeded simulation hands in a
// MemoryFileIo disk, a virtual clock and timers and a seeded random, so a data directory behaves
// the same on every replay. Nothing else in this package reads Date.now, timers or Math.random.
import { type Clock, nodeClock, nodeTimers, type Timers } from '@weir/protocol'
import { type FileIo, nodeFileIo } from './file-io.js'

export interface StorageEnvironment {
  /** Every file operation; default nodeFileIo. */
  readonly io?: FileIo
  /** Segment age (segmentMs) and retention by age; default nodeClock. */
  readonly clock?: Clock
  /** The interval fsync policy's timer and the turn that gathers a sync round; default nodeTimers. */
  readonly timers?: Timers
  /** Where a topic's keyless records start (sticky partitioner); uniform in [0, 1), default Math.random. */
  readonly random?: () => number
}

export interface ResolvedStorageEnvironment {
  readonly io: FileIo
  readonly clock: Clock
  readonly timers: Timers
  readonly random: () => number
}

/**
 * Fills in Node's defaults. `now` is the older spelling of the clock (a bare function); `clock`
 * wins when both are given.
 */
export function resolveStorageEnvironment(
  given: StorageEnvironment & { readonly now?: (() => number) | undefined },
): ResolvedStorageEnvironment {
  const now = given.now
  return {
    io: given.io ?? nodeFileIo,
    clock: given.clock ?? (now ? { now } : nodeClock),
    timers: given.timers ?? nodeTimers,
    random: given.random ?? Math.random,
  }
}
