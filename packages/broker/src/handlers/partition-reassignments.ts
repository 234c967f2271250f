// AlterPartitionReassignments and ListPartitionReassignments, answered by any broker. Alter
// checks each partition against this broker's image and the cluster's brokers, then commits a
// partitionReassigned record through the controller (which checks it again against the newest
// image) and answers once this broker applied it. The partition's leader does the rest
// (cluster/reassignment-engine.ts). List reads the running targets from this broker's image;
// progress comes from the partition's leader: this broker's own numbers when it leads, else what
// the leader last announced with its leadership news (every 2 s). Needs Cluster:Alter / Describe.
import {
  AlterPartitionReassignments,
  ListPartitionReassignments,
  type PartitionReassignment,
  type PartitionReassignmentSpec,
  type ReassignmentResult,
  WeirError,
} from '@weir/protocol'
import type { Cluster } from '../cluster/cluster.js'
import { controllerTopic } from '../cluster/controller.js'
import { groupOf } from '../cluster/group-names.js'
import type { PartitionTarget } from '../cluster/partition-targets.js'
import { checkKnownBrokers, checkReplicaList, sameList } from '../cluster/reassignment-records.js'
import { authorizeClusterAlter, authorizeClusterDescribe } from './authorize.js'
import { appliedHere } from './cluster-topics.js'
import { defineHandler, errorFields, type HandlerContext } from './handler.js'

export const alterPartitionReassignmentsHandler = defineHandler({
  api: AlterPartitionReassignments,
  async handle(request, context) {
    authorizeClusterAlter(context)
    const results: ReassignmentResult[] = []
    // One at a time: the controller commits them one at a time anyway.
    for (const spec of request.reassignments) {
      const { topic, partition } = spec
      try {
        await reassign(spec, request.throttleBytesPerSec, context)
        results.push({ topic, partition, errorCode: 0 })
      } catch (error) {
        results.push({
          topic,
          partition,
          ...errorFields(error, context.logger, 'AlterPartitionReassignments'),
        })
      }
    }
    return { errorCode: 0, results }
  },
})

async function reassign(
  spec: PartitionReassignmentSpec,
  throttleBytesPerSec: number | undefined,
  context: HandlerContext,
): Promise<void> {
  const { cluster } = context
  const { topic, partition, replicas } = spec
  const what = `${topic}/${partition}`
  const image = cluster.image.topic(topic)
  if (image === undefined || topic === controllerTopic)
    throw new WeirError(
      'UNKNOWN_TOPIC',
      `topic ${topic} does not exist; list topics with \`weir topics list\``,
    )
  if (partition >= image.replicas.length)
    throw new WeirError(
      'UNKNOWN_PARTITION',
      `topic ${topic} has partitions 0 to ${image.replicas.length - 1}`,
    )
  checkReplicaList(replicas, what)
  checkKnownBrokers(replicas, cluster.brokerIds(), what)
  const record = {
    type: 'partitionReassigned' as const,
    name: topic,
    partition,
    replicas,
    ...(throttleBytesPerSec ? { throttleBytesPerSec } : {}),
  }
  await cluster.submit(record, context.limits.requestTimeoutMs)
  const applied = (target: PartitionTarget | undefined, current: readonly number[] | undefined) =>
    (target !== undefined && sameList(target.replicas, replicas)) ||
    // Already there, or the move was so quick it completed before this broker looked.
    (current !== undefined && sameList(current, replicas))
  await appliedHere(
    cluster,
    () =>
      applied(cluster.image.targets.of(topic, partition), cluster.image.topic(topic)?.replicas[partition]),
    context,
    `the reassignment of ${what}`,
  )
}

export const listPartitionReassignmentsHandler = defineHandler({
  api: ListPartitionReassignments,
  async handle(request, context) {
    authorizeClusterDescribe(context)
    const topics = request.topics === undefined ? undefined : new Set(request.topics)
    const reassignments = context.cluster.image.targets
      .all()
      .filter(({ topic }) => topics === undefined || topics.has(topic))
      .flatMap(({ topic, partition, target }) => describe(context.cluster, topic, partition, target))
    return { errorCode: 0, reassignments }
  },
})

function describe(
  cluster: Cluster,
  topic: string,
  partition: number,
  target: PartitionTarget,
): PartitionReassignment[] {
  const replicas = cluster.image.topic(topic)?.replicas[partition]
  if (replicas === undefined) return []
  const progress =
    cluster.reassignments.progressOf(groupOf(topic, partition)) ??
    cluster.leaders.announcedProgressOf(topic, partition) ??
    []
  return [
    {
      topic,
      partition,
      replicas,
      target: target.replicas,
      adding: target.replicas.filter((id) => !replicas.includes(id)),
      removing: replicas.filter((id) => !target.replicas.includes(id)),
      leader: cluster.leaderOf(topic, partition),
      progress,
      ...(target.throttleBytesPerSec ? { throttleBytesPerSec: target.throttleBytesPerSec } : {}),
    },
  ]
}
