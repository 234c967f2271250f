// A __consumer_offsets partition's replica seen as the log a group coordinator writes: an append
// is a Raft proposal that resolves once a majority has it durably, so a commit answered to a
// consumer survives the loss of the coordinator's broker. Compaction cuts the prefix through Raft
// too: a committed log-start marker makes every replica drop what lies below.
import { offsetCountAt } from '@weir/protocol'
import type { GroupLog } from '../groups/group-log.js'
import type { PartitionReplica } from './partition-replica.js'

export function replicatedGroupLog(replica: PartitionReplica): GroupLog {
  const log = replica.log
  return {
    async append(batch) {
      const span = offsetCountAt(batch)
      const { baseOffset, done } = replica.propose([batch], 'all')
      await done
      return { baseOffset, lastOffset: baseOffset + span - 1, maxTimestamp: 0 }
    },
    read: (offset, maxBytes) => log.read(offset, maxBytes),
    get logStartOffset() {
      return log.logStartOffset
    },
    get logEndOffset() {
      return log.logEndOffset
    },
    truncatePrefix: (offset) => replica.truncatePrefix(offset),
  }
}
