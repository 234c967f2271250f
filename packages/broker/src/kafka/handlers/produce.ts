// Produce (v3-8): each partition's Kafka RecordBatch v2 becomes a Weir batch (Kafka.kafkaBatchToWeir:
// one whole batch, CRC checked, magic flipped in a copy), then the native Produce handler appends
// it (ACL Write, batch checks, maxMessageBytes, idempotent-producer dedup, Raft replication).
// acks -1 waits for the in-sync majority (Weir's 'all'), 1 for the leader, 0 sends no response.
// A partition whose batch does not convert answers its own error; the others are appended.
// logAppendTimeMs is -1: Weir keeps the producer's CreateTime.
import { Kafka, Produce, type ProducePartitionResult, WeirError } from '@weir/protocol'
import { produceHandler } from '../../handlers/produce.js'
import { kafkaCodeOfError, kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'

type KafkaPartitionAnswer = Kafka.ProducePartitionResponse

const kafkaAcks = new Set([0, 1, -1])

export const kafkaProduceHandler = defineKafkaHandler({
  api: Kafka.produceApi,
  unanswered: (request) => request.acks === 0,
  async handle(request, context) {
    if (!kafkaAcks.has(request.acks))
      return everyPartition(request, Kafka.KafkaErrorCodes.INVALID_REQUIRED_ACKS.code)
    // Converted batches go to the native handler; the rest keep their conversion error.
    const failed = new Map<string, KafkaPartitionAnswer>()
    const topics = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.flatMap(({ partitionIndex, records }) => {
        try {
          if (records === null)
            throw new WeirError('INVALID_RECORD', 'records is null; send one RecordBatch (v2) per partition')
          return [{ partition: partitionIndex, records: Kafka.kafkaBatchToWeir(records) }]
        } catch (error) {
          const code = kafkaCodeOfError(error)
          failed.set(key(topic.name, partitionIndex), {
            partitionIndex,
            errorCode: code,
            baseOffset: -1,
            logAppendTimeMs: -1,
            logStartOffset: -1,
            recordErrors: [],
            errorMessage: (error as Error).message,
          })
          return []
        }
      }),
    }))
    // The native decoder checks the translated request as it would a Weir client's.
    const native = Produce.decodeRequest({
      acks: request.acks,
      timeoutMs: Math.max(0, request.timeoutMs),
      topics,
    })
    const answer = await produceHandler.handle(native, context.native)
    if (request.acks === 0) return undefined
    const appended = new Map<string, ProducePartitionResult>()
    for (const topic of answer?.topics ?? [])
      for (const partition of topic.partitions) appended.set(key(topic.name, partition.partition), partition)
    return {
      throttleTimeMs: 0,
      responses: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partitionIndex }) => {
          const own = key(topic.name, partitionIndex)
          return failed.get(own) ?? kafkaPartitionAnswer(partitionIndex, appended.get(own))
        }),
      })),
    }
  },
  errorResponse: (request, _version, errorCode) => everyPartition(request, errorCode),
})

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

function kafkaPartitionAnswer(
  partitionIndex: number,
  result: ProducePartitionResult | undefined,
): KafkaPartitionAnswer {
  if (result === undefined) {
    // The native handler answers every partition it was given; a gap would be a bug.
    return {
      ...failure(partitionIndex, Kafka.KafkaErrorCodes.UNKNOWN_SERVER_ERROR.code),
      errorMessage: 'no answer for this partition',
    }
  }
  return {
    partitionIndex,
    errorCode: kafkaCodeOfWeirCode(result.errorCode),
    baseOffset: result.baseOffset,
    logAppendTimeMs: -1,
    logStartOffset: result.logStartOffset,
    recordErrors: [],
    errorMessage: result.errorMessage ?? null,
  }
}

function failure(partitionIndex: number, errorCode: number): KafkaPartitionAnswer {
  return {
    partitionIndex,
    errorCode,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: [],
    errorMessage: null,
  }
}

function everyPartition(request: Kafka.ProduceRequest, errorCode: number): Kafka.ProduceResponse {
  return {
    throttleTimeMs: 0,
    responses: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map(({ partitionIndex }) => failure(partitionIndex, errorCode)),
    })),
  }
}
