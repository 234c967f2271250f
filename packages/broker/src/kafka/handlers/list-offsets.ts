// ListOffsets (v1-5): the native ListOffsets (ACL Describe): -2 the log start, -1 the high
// watermark (also for read_committed: Weir has no transactions, so the last stable offset is the
// high watermark), any other timestamp the first offset whose batch holds a record at or after it
// (the high watermark with timestamp -1 when none is that new). leaderEpoch (v4+) is the leader's
// Raft term as this broker knows it.
import { Kafka, ListOffsets, type ListOffsetsPartitionResult } from '@weir/protocol'
import { listOffsetsHandler } from '../../handlers/list-offsets.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'

export const kafkaListOffsetsHandler = defineKafkaHandler({
  api: Kafka.listOffsetsApi,
  async handle(request, context) {
    // The native decoder checks the translated request as it would a Weir client's.
    const native = ListOffsets.decodeRequest({
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partitionIndex, timestamp }) => ({
          partition: partitionIndex,
          timestamp,
        })),
      })),
    })
    const response = (await listOffsetsHandler.handle(native, context.native))!
    const { cluster } = context.native
    return {
      throttleTimeMs: 0,
      topics: response.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((partition) =>
          kafkaPartition(partition, cluster.leaderEpochOf(topic.name, partition.partition)),
        ),
      })),
    }
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partitionIndex }) => ({
          partitionIndex,
          errorCode,
          timestamp: -1,
          offset: -1,
          leaderEpoch: -1,
        })),
      })),
    }
  },
})

function kafkaPartition(partition: ListOffsetsPartitionResult, leaderEpoch: number | undefined) {
  return {
    partitionIndex: partition.partition,
    errorCode: kafkaCodeOfWeirCode(partition.errorCode),
    timestamp: partition.timestamp,
    offset: partition.offset,
    leaderEpoch: leaderEpoch ?? -1,
  }
}
