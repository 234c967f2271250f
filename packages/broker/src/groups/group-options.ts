// How the group coordinator lays out __consumer_offsets and bounds its groups.
import { type GroupLimits, resolveGroupLimits } from './group-limits.js'

export interface GroupOptions {
  /** Partitions of __consumer_offsets when it is created (an existing topic keeps its count). */
  readonly offsetsPartitions: number
  /** Segment size of __consumer_offsets: compaction frees disk a whole segment at a time. */
  readonly offsetsSegmentBytes: number
  /** Dead records a partition may hold before it is compacted (and more than its live keys). */
  readonly compactionRecordsMin: number
  readonly limits: GroupLimits
}

export const defaultGroupOptions: GroupOptions = {
  offsetsPartitions: 16,
  offsetsSegmentBytes: 8 * 1024 * 1024,
  compactionRecordsMin: 10_000,
  limits: resolveGroupLimits(),
}
