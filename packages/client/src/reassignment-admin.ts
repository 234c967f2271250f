// Partition reassignment (Admin.reassignPartitions, listReassignments): one request to any broker.
// The broker commits each partition's target through the controller; each partition's leader then
// moves its Raft group there one single-server change at a time, so `reassignPartitions` resolves
// once the targets are committed, not once the data has moved: follow the move with
// `listReassignments` (a partition drops out of it when its reassignment completes).
import {
  AlterPartitionReassignments,
  errorFromWire,
  ListPartitionReassignments,
  type PartitionReassignment,
  type PartitionReassignmentSpec,
} from '@weir/protocol'
import type { Cluster } from './cluster.js'

export interface ReassignPartitionsOptions {
  /** Caps the copy rate to the replicas being added, in bytes per second; absent or 0: unthrottled. */
  readonly throttleBytesPerSec?: number
}

/**
 * Sets the target replicas of each partition (first the preferred leader); a new target replaces
 * a running one. The first per-partition error is thrown after all were tried: UNKNOWN_TOPIC,
 * UNKNOWN_PARTITION, INVALID_REPLICA_ASSIGNMENT. Needs Cluster:Alter.
 */
export async function reassignPartitions(
  cluster: Cluster,
  reassignments: readonly PartitionReassignmentSpec[],
  options: ReassignPartitionsOptions = {},
): Promise<void> {
  const throttle = options.throttleBytesPerSec ?? 0
  const response = await cluster.request(AlterPartitionReassignments, {
    reassignments: reassignments.map(({ topic, partition, replicas }) => ({ topic, partition, replicas })),
    ...(throttle > 0 ? { throttleBytesPerSec: throttle } : {}),
  })
  for (const { topic } of reassignments) cluster.invalidate(topic)
  const failed = response.results.find((result) => result.errorCode !== 0)
  if (failed === undefined) return
  const error = errorFromWire(failed.errorCode, failed.errorMessage)
  if (!failed.errorMessage) error.message = `${failed.topic}/${failed.partition}: ${error.message}`
  throw error
}

/** Every running reassignment (of `topics` only, when given), sorted by topic and partition. Needs Cluster:Describe. */
export async function listReassignments(
  cluster: Cluster,
  topics?: readonly string[],
): Promise<PartitionReassignment[]> {
  const response = await cluster.request(ListPartitionReassignments, topics === undefined ? {} : { topics })
  return [...response.reassignments].sort(
    (left, right) => left.topic.localeCompare(right.topic) || left.partition - right.partition,
  )
}
