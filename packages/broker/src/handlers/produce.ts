// Produce: only the partition's leader replica takes batches (others answer NOT_LEADER naming the
// leader; the client refreshes metadata and resends). Every batch of a partition is checked
// (length, magic, CRC, maxMessageBytes, no control bit) before any is proposed, so a rejected
// partition leaves its log unchanged; each batch then becomes one Raft entry, stored verbatim
// (the log patches baseOffset and term in place). acks 'all' (-1) answers once a majority holds
// the batch durably, acks 'leader' (1) once the leader does; on a broker alone the two coincide.
// acks 0 waits too, but sends no response. Batches with a producerId go through the partition's
// producer table (appendDeduplicated): a resent batch is answered with its original baseOffset.
import {
  Acks,
  type AcksValue,
  ErrorCodes,
  Produce,
  type ProducePartitionData,
  type ProducePartitionResult,
  WeirError,
} from '@weir/protocol'
import { controllerTopic } from '../cluster/controller.js'
import type { PartitionReplica } from '../cluster/partition-replica.js'
import { withTimeout } from '../environment.js'
import { isInternalTopic } from '../groups/group-records.js'
import { appendToReplica } from '../producers/replica-append.js'
import { authorize } from './authorize.js'
import { checkKeysForCompaction } from './compacted-keys.js'
import { defineHandler, errorFields, type HandlerContext } from './handler.js'
import { checkBatches, isIdempotent } from './produce-batches.js'

export const produceHandler = defineHandler({
  api: Produce,
  async handle(request, context) {
    const timeoutMs =
      request.timeoutMs > 0
        ? Math.min(request.timeoutMs, context.limits.requestTimeoutMs)
        : context.limits.requestTimeoutMs
    const topics = await Promise.all(
      request.topics.map(async (topicData) => ({
        name: topicData.name,
        partitions: await Promise.all(
          topicData.partitions.map((data) =>
            producePartition(topicData.name, data, request.acks, timeoutMs, context),
          ),
        ),
      })),
    )
    return request.acks === Acks.none ? undefined : { topics }
  },
})

async function producePartition(
  topic: string,
  data: ProducePartitionData,
  acks: AcksValue,
  timeoutMs: number,
  context: HandlerContext,
): Promise<ProducePartitionResult> {
  let replica: PartitionReplica | undefined
  try {
    authorize(context, 'Write', 'Topic', topic)
    if (isInternalTopic(topic) || topic === controllerTopic)
      throw new WeirError('INVALID_TOPIC', `${topic} is written only by the broker itself`)
    replica = context.cluster.leaderReplica(topic, data.partition)
    const appended = append(replica, data.records, acks, context)
    const timedOut = () =>
      new WeirError(
        'REQUEST_TIMED_OUT',
        `append to ${topic}/${data.partition} took longer than ${timeoutMs} ms; it may still complete`,
      )
    const baseOffset = await withTimeout(context.environment, appended, timeoutMs, timedOut)
    return { partition: data.partition, errorCode: 0, baseOffset, logStartOffset: replica.log.logStartOffset }
  } catch (error) {
    const failure = errorFields(error, context.logger, 'Produce')
    const logStartOffset = replica?.log.logStartOffset ?? -1
    const leaderId =
      failure.errorCode === ErrorCodes.NOT_LEADER.code
        ? context.cluster.leaderOf(topic, data.partition)
        : undefined
    const leader = leaderId !== undefined && leaderId > 0 ? { leaderId } : {}
    return { partition: data.partition, ...failure, baseOffset: -1, logStartOffset, ...leader }
  }
}

/** Proposes the partition's batches in the order sent; resolves with the first batch's offset. */
async function append(
  replica: PartitionReplica,
  records: Buffer,
  acks: AcksValue,
  context: HandlerContext,
): Promise<number> {
  const checked = checkBatches(records, replica.log.config.maxBatchBytes)
  checkKeysForCompaction(checked, replica.log.config, replica.group.slice(0, replica.group.lastIndexOf('/')))
  const table = checked.some(isIdempotent) ? await context.producerStates.tableFor(replica.log) : undefined
  return appendToReplica(replica, table, checked, acks === Acks.all ? 'all' : 'leader')
}
