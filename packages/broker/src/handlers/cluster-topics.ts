// Topic changes: each is one record committed to the controller log (by whichever
// broker leads it), then applied by every broker. The answer waits until this broker applied it
// too, so a Metadata request sent next to the same broker already sees the change.
import { randomId, WeirError } from '@weir/protocol'
import { checkTopicName } from '@weir/storage'
import type { Cluster } from '../cluster/cluster.js'
import { controllerTopic } from '../cluster/controller.js'
import { checkPlacement } from '../cluster/placement-limits.js'
import { mergeTopicConfig } from '../topic-config.js'
import type { HandlerContext } from './handler.js'

function timeoutOf(context: HandlerContext): number {
  return context.limits.requestTimeoutMs
}

export async function appliedHere(
  cluster: Cluster,
  check: () => boolean,
  context: HandlerContext,
  what: string,
): Promise<void> {
  if (!(await cluster.caughtUp(check, timeoutOf(context)))) {
    throw new WeirError(
      'REQUEST_TIMED_OUT',
      `${what} is committed but broker ${cluster.selfId} has not applied it yet; it will shortly`,
    )
  }
  // The image has it; so do the local replicas (a broker alone then leads them already).
  await cluster.settled()
}

export async function createTopicInCluster(
  cluster: Cluster,
  topic: {
    name: string
    partitions: number
    replicationFactor: number
    config: Parameters<typeof mergeTopicConfig>[1]
  },
  validateOnly: boolean,
  context: HandlerContext,
): Promise<void> {
  checkTopicName(topic.name)
  if (topic.name === controllerTopic)
    throw new WeirError('INVALID_TOPIC', `${topic.name} is the cluster's own metadata log`)
  const config = mergeTopicConfig(context.topicDefaults, topic.config)
  const replicas = cluster.assign(0, topic.partitions, Math.max(1, topic.replicationFactor))
  checkPlacement(cluster.image, { newTopic: true, newReplicas: replicas }, context.limits)
  if (validateOnly) {
    if (cluster.image.topic(topic.name) !== undefined)
      throw new WeirError('TOPIC_ALREADY_EXISTS', `topic ${topic.name} already exists`)
    return
  }
  // The controller leader checks existence against its image: this broker's may lag.
  const record = {
    type: 'topicCreated',
    name: topic.name,
    id: randomId(context.environment.random),
    config,
    replicas,
  } as const
  await cluster.submit(record, timeoutOf(context))
  await appliedHere(
    cluster,
    () => cluster.image.topic(topic.name) !== undefined,
    context,
    `topic ${topic.name}`,
  )
  context.logger.info({ topic: topic.name, partitions: topic.partitions, replicas }, 'topic created')
}

export async function deleteTopicInCluster(
  cluster: Cluster,
  name: string,
  context: HandlerContext,
): Promise<void> {
  if (name === controllerTopic)
    throw new WeirError('INVALID_TOPIC', `${name} is the cluster's own metadata log`)
  // No local existence check: this broker's image may lag; the controller leader checks.
  await cluster.submit({ type: 'topicDeleted', name }, timeoutOf(context))
  await appliedHere(cluster, () => cluster.image.topic(name) === undefined, context, `deleting ${name}`)
  context.watch.notifyTopic(name)
  context.logger.info({ topic: name }, 'topic deleted')
}

export async function createPartitionsInCluster(
  cluster: Cluster,
  name: string,
  count: number,
  context: HandlerContext,
  validateOnly = false,
): Promise<void> {
  const topic = cluster.image.topic(name)
  if (topic === undefined) throw new WeirError('UNKNOWN_TOPIC', `topic ${name} does not exist`)
  const before = topic.replicas.length
  if (count <= before) {
    throw new WeirError(
      'INVALID_CONFIG',
      `topic ${name} has ${before} partitions; the new count must be larger (partitions only grow)`,
    )
  }
  const replicationFactor = topic.replicas[0]?.length ?? 1
  const replicas = cluster.assign(before, count - before, replicationFactor)
  checkPlacement(cluster.image, { newTopic: false, newReplicas: replicas }, context.limits)
  if (validateOnly) return
  await cluster.submit({ type: 'partitionsCreated', name, first: before, replicas }, timeoutOf(context))
  await appliedHere(
    cluster,
    () => (cluster.image.topic(name)?.replicas.length ?? 0) >= count,
    context,
    `new partitions of ${name}`,
  )
}
