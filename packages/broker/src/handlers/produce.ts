// Produce: checks every batch of a partition (length, magic, CRC, maxMessageBytes) before
// appending any, so a rejected partition leaves its log unchanged; then appends the batches
// verbatim (storage patches baseOffset and term in place). acks 1 and -1 both wait for the append,
// which resolves per the topic's fsync policy: on a single broker "in the leader's log" and
// "committed" coincide until Raft lands. acks 0 waits too, but sends no response. Batches with a
// producerId are deduplicated against the partition's producer table (appendDeduplicated): a resent
// batch is answered with its original baseOffset and errorCode 0.
import {
  Acks,
  type AcksValue,
  ErrorCodes,
  type ErrorFields,
  Produce,
  type ProducePartitionData,
  type ProducePartitionResult,
  WeirError,
} from '@weir/protocol'
import type { Topic } from '@weir/storage'
import { controllerTopic } from '../cluster/controller.js'
import { isInternalTopic } from '../groups/group-records.js'
import { appendDeduplicated } from '../producers/append-deduplicated.js'
import { defineHandler, errorFields, type HandlerContext } from './handler.js'
import { checkBatches, isIdempotent } from './produce-batches.js'
import { produceReplicated } from './produce-replicated.js'

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
  topicName: string,
  data: ProducePartitionData,
  acks: AcksValue,
  timeoutMs: number,
  context: HandlerContext,
): Promise<ProducePartitionResult> {
  let topic: Topic | undefined
  try {
    if (isInternalTopic(topicName) || topicName === controllerTopic)
      throw new WeirError('INVALID_TOPIC', `${topicName} is written only by the broker itself`)
    if (context.cluster !== undefined) {
      const produced = produceReplicated(context.cluster, topicName, data, acks, context)
      const result = await withTimeout(produced, timeoutMs, topicName, data.partition)
      return { partition: data.partition, errorCode: 0, ...result }
    }
    topic = context.store.topic(topicName)
    const log = topic.partition(data.partition)
    const batches = checkBatches(data.records, log.config.maxBatchBytes)
    const table = batches.some(isIdempotent) ? await context.producerStates.tableFor(log) : undefined
    // Appends queue in call order, so the batches land back to back in the order sent.
    const appends = appendDeduplicated(table, batches, (batch) => log.append(batch))
    const results = await withTimeout(appends, timeoutMs, topicName, data.partition)
    context.watch.notify(topicName, data.partition)
    return {
      partition: data.partition,
      errorCode: 0,
      baseOffset: results[0]!.baseOffset,
      logStartOffset: log.logStartOffset,
    }
  } catch (error) {
    const failure: ErrorFields = errorFields(error, context.logger, 'Produce')
    const logStartOffset = logStartOf(topic, data.partition)
    const leaderId =
      failure.errorCode === ErrorCodes.NOT_LEADER.code
        ? context.cluster?.leaderOf(topicName, data.partition)
        : undefined
    const leader = leaderId !== undefined && leaderId > 0 ? { leaderId } : {}
    return { partition: data.partition, ...failure, baseOffset: -1, logStartOffset, ...leader }
  }
}

function logStartOf(topic: Topic | undefined, partition: number): number {
  try {
    return topic ? topic.partition(partition).logStartOffset : -1
  } catch {
    return -1
  }
}

function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  topic: string,
  partition: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new WeirError(
            'REQUEST_TIMED_OUT',
            `append to ${topic}/${partition} took longer than ${timeoutMs} ms; it may still complete`,
          ),
        ),
      timeoutMs,
    )
  })
  // A late append failure after the timeout answered must not become an unhandled rejection.
  promise.catch(() => {})
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
