// OffsetFetch (Kafka v1-5) → the native OffsetFetch handler (Group:Describe and Topic:Describe
// ACLs are native). Null topics (v2+) is every committed partition. A partition with nothing
// committed is offset -1, as in Kafka; the leader epoch is always -1 (Weir does not keep it).
import { Kafka, OffsetFetch, type OffsetFetchResponse } from '@weir/protocol'
import { offsetFetchHandler } from '../../handlers/offset-fetch.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'

export function nativeOffsetFetchBody(request: Kafka.OffsetFetchRequest) {
  return {
    groupId: request.groupId,
    topics:
      request.topics === null
        ? null
        : request.topics.map(({ name, partitionIndexes }) => ({ name, partitions: partitionIndexes })),
  }
}

export function kafkaOffsetFetchResponse(native: OffsetFetchResponse): Kafka.OffsetFetchResponse {
  const errorCode = kafkaCodeOfWeirCode(native.errorCode)
  return {
    throttleTimeMs: 0,
    topics: native.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({
        partitionIndex: partition.partition,
        committedOffset: partition.offset,
        committedLeaderEpoch: -1,
        metadata: partition.metadata,
        // v1 has no whole-request code: a refused group shows on each partition.
        errorCode: kafkaCodeOfWeirCode(partition.errorCode) || errorCode,
      })),
    })),
    errorCode,
  }
}

export const kafkaOffsetFetchHandler = defineKafkaHandler({
  api: Kafka.offsetFetchApi,
  async handle(request, context) {
    const native = OffsetFetch.decodeRequest(nativeOffsetFetchBody(request))
    const answer = await offsetFetchHandler.handle(native, context.native)
    return answer === undefined ? undefined : kafkaOffsetFetchResponse(answer)
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: (request.topics ?? []).map((topic) => ({
        name: topic.name,
        partitions: topic.partitionIndexes.map((partitionIndex) => ({
          partitionIndex,
          committedOffset: -1,
          committedLeaderEpoch: -1,
          metadata: '',
          errorCode,
        })),
      })),
      errorCode,
    }
  },
})
