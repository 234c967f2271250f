// Fetch (v4-11): the native Fetch handler reads (ACL Read, the long poll on maxWaitMs/minBytes,
// only batches below the high watermark, maxBytes with the first batch always whole as in KIP-74,
// the connection's response room); each partition's Weir batches become Kafka's
// (Kafka.weirBatchesToKafka: magic 2 in a copy, Weir control batches as empty Kafka control
// batches). Weir has no transactions, so read_committed (isolationLevel 1) reads what
// read_uncommitted does and lastStableOffset is the high watermark; no fetch sessions (sessionId 0:
// every Fetch is a full one, KIP-227); currentLeaderEpoch and rackId are not checked.
import { Fetch, type FetchPartitionResult, type FetchResponse, Kafka } from '@weir/protocol'
import { fetchHandler } from '../../handlers/fetch.js'
import { pooledRelease } from '../../handlers/pooled-reads.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'

const int32Max = 2_147_483_647

export const kafkaFetchHandler = defineKafkaHandler({
  api: Kafka.fetchApi,
  waitMs: (request, context) =>
    Math.min(Math.max(0, request.maxWaitMs), context.native.limits.maxFetchWaitMs),
  async handle(request, context) {
    // The native decoder checks the translated request as it would a Weir client's.
    const native = Fetch.decodeRequest({
      maxWaitMs: Math.max(0, request.maxWaitMs),
      minBytes: Math.max(0, request.minBytes),
      maxBytes: clampBytes(request.maxBytes),
      topics: request.topics.map((topic) => ({
        name: topic.topic,
        partitions: topic.partitions.map((partition) => ({
          partition: partition.partition,
          fetchOffset: partition.fetchOffset,
          maxBytes: clampBytes(partition.partitionMaxBytes),
        })),
      })),
    })
    const response = (await fetchHandler.handle(native, context.native))!
    try {
      return kafkaFetchResponse(response)
    } finally {
      // The Kafka records are copies (the magic byte differs): the pooled reads can go back now.
      pooledRelease(response)()
    }
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode,
      sessionId: 0,
      responses: request.topics.map((topic) => ({
        topic: topic.topic,
        partitions: topic.partitions.map(({ partition }) => ({
          partitionIndex: partition,
          errorCode,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: null,
        })),
      })),
    }
  },
})

/** A Kafka byte limit of 0 or less asks for nothing useful: one byte still returns the first batch. */
function clampBytes(bytes: number): number {
  return Math.min(Math.max(1, bytes), int32Max)
}

/** The Kafka answer for a native Fetch answer. Pure. */
export function kafkaFetchResponse(response: FetchResponse): Kafka.FetchResponse {
  return {
    throttleTimeMs: 0,
    errorCode: Kafka.KafkaErrorCodes.NONE.code,
    sessionId: 0,
    responses: response.topics.map((topic) => ({
      topic: topic.name,
      partitions: topic.partitions.map(kafkaPartition),
    })),
  }
}

function kafkaPartition(partition: FetchPartitionResult): Kafka.FetchPartitionResponse {
  return {
    partitionIndex: partition.partition,
    errorCode: kafkaCodeOfWeirCode(partition.errorCode),
    highWatermark: partition.highWatermark,
    lastStableOffset: partition.highWatermark,
    logStartOffset: partition.logStartOffset,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: partition.records.length === 0 ? partition.records : Kafka.weirBatchesToKafka(partition.records),
  }
}
