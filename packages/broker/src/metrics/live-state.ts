// Reads the figures state-snapshot.ts works on from the broker's live objects, at scrape time.
import type { Cluster } from '../cluster/cluster.js'
import { topicOfGroup } from '../cluster/group-names.js'
import type { GroupService } from '../groups/group-service.js'
import type { CommittedOffsetFigure, ReplicaFigures, StateSource } from './state-snapshot.js'

export function liveState(cluster: Cluster, groups: GroupService): StateSource {
  const replicas: ReplicaFigures[] = []
  for (const replica of cluster.hosted.values()) {
    const { topic, partition } = topicOfGroup(replica.group)
    const { log } = replica
    replicas.push({
      topic,
      partition,
      logStartOffset: log.logStartOffset,
      logEndOffset: log.logEndOffset,
      highWatermark: replica.highWatermark,
      sizeBytes: log.sizeBytes,
      raftRole: replica.raftRole,
      term: replica.term,
      commitIndex: replica.commitIndex,
      isLeader: replica.isLeader,
      replicaCount: replica.voters.length,
      inSyncCount: replica.inSyncReplicas.length,
    })
  }
  const committedOffsets: CommittedOffsetFigure[] = []
  for (const coordinator of groups.all()) {
    for (const committed of coordinator.groups?.committedOffsets() ?? []) committedOffsets.push(committed)
  }
  return { replicas, committedOffsets }
}
