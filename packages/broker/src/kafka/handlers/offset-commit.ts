// OffsetCommit (Kafka v2-7) → the native OffsetCommit handler (topic and group ACLs, unknown
// topics and partitions, member and generation fencing are all native). Generation -1 with an
// empty member id is a commit from outside the group (a simple consumer, an admin tool), as in
// Kafka. Not kept: retention_time_ms (v2-4; offsets live as long as the group's others do, see
// the broker README) and committed_leader_epoch (v6+; Weir answers -1 in OffsetFetch).
import { Kafka, OffsetCommit, type OffsetCommitResponse } from '@weir/protocol'
import { offsetCommitHandler } from '../../handlers/offset-commit.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'
import { absentIfNull } from './group-translation.js'

export function nativeOffsetCommitBody(request: Kafka.OffsetCommitRequest) {
  return {
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: absentIfNull(request.groupInstanceId),
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({
        partition: partition.partitionIndex,
        offset: partition.committedOffset,
        metadata: absentIfNull(partition.committedMetadata),
      })),
    })),
  }
}

/** Every partition asked, with its own code, else the answer's whole-request code. */
export function kafkaOffsetCommitResponse(
  request: Kafka.OffsetCommitRequest,
  native: OffsetCommitResponse,
): Kafka.OffsetCommitResponse {
  const whole = kafkaCodeOfWeirCode(native.errorCode)
  const codes = new Map<string, number>()
  for (const topic of native.topics)
    for (const partition of topic.partitions)
      codes.set(`${topic.name}\u0000${partition.partition}`, kafkaCodeOfWeirCode(partition.errorCode))
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map(({ partitionIndex }) => ({
        partitionIndex,
        errorCode: codes.get(`${topic.name}\u0000${partitionIndex}`) || whole,
      })),
    })),
  }
}

export const kafkaOffsetCommitHandler = defineKafkaHandler({
  api: Kafka.offsetCommitApi,
  async handle(request, context) {
    const native = OffsetCommit.decodeRequest(nativeOffsetCommitBody(request))
    const answer = await offsetCommitHandler.handle(native, context.native)
    return answer === undefined ? undefined : kafkaOffsetCommitResponse(request, answer)
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partitionIndex }) => ({ partitionIndex, errorCode })),
      })),
    }
  },
})
