// The log a group coordinator reads and writes.
import type { PartitionLog } from '@weir/storage'

/**
 * What a coordinator needs of its partition's log: a view of the partition's Raft replica (appends
 * resolve once committed by a majority; a broker alone is that majority), or a plain PartitionLog
 * in unit tests.
 */
export type GroupLog = Pick<
  PartitionLog,
  'append' | 'read' | 'logStartOffset' | 'logEndOffset' | 'truncatePrefix'
>
