// How many topics the cluster holds and how many partition replicas each broker hosts, checked
// before a topic or partitions are proposed (limits.maxTopics, limits.maxPartitionsPerBroker):
// every replica is a Raft group with its own files and timers on its broker, so an unbounded
// CreateTopics is a way to exhaust file descriptors and memory. Pure: reads the image only.
import { WeirError } from '@weir/protocol'
import type { ClusterImage } from './cluster-image.js'

export interface PlacementLimits {
  readonly maxTopics: number
  readonly maxPartitionsPerBroker: number
}

/** Replicas each broker hosts in `image`. */
export function replicasPerBroker(image: ClusterImage): Map<number, number> {
  const counts = new Map<number, number>()
  for (const topic of image.topics())
    for (const set of topic.replicas) for (const id of set) counts.set(id, (counts.get(id) ?? 0) + 1)
  return counts
}

/**
 * POLICY_VIOLATION when adding `newReplicas` (and, for `newTopic`, one topic) would take the
 * cluster past maxTopics or a broker past maxPartitionsPerBroker.
 */
export function checkPlacement(
  image: ClusterImage,
  change: { readonly newTopic: boolean; readonly newReplicas: readonly (readonly number[])[] },
  limits: PlacementLimits,
): void {
  const topics = image.topics().length
  if (change.newTopic && topics + 1 > limits.maxTopics) {
    throw new WeirError(
      'POLICY_VIOLATION',
      `the cluster holds ${topics} topics, the most limits.maxTopics allows; delete topics or raise the limit`,
    )
  }
  const before = replicasPerBroker(image)
  const after = new Map(before)
  for (const set of change.newReplicas) for (const id of set) after.set(id, (after.get(id) ?? 0) + 1)
  for (const [id, count] of after) {
    // A broker already past the limit (it was lowered) is not made worse by changes elsewhere.
    if (count > limits.maxPartitionsPerBroker && count > (before.get(id) ?? 0)) {
      throw new WeirError(
        'POLICY_VIOLATION',
        `broker ${id} would host ${count} partition replicas, more than limits.maxPartitionsPerBroker (${limits.maxPartitionsPerBroker}); use fewer partitions or raise the limit`,
      )
    }
  }
}
