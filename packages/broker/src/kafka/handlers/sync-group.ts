// SyncGroup (Kafka v0-3) → the native SyncGroup handler: a follower's is held until the leader's
// arrives (budget extended by the native waitMs); assignments are opaque bytes both ways.
import { Kafka, SyncGroup, type SyncGroupResponse } from '@weir/protocol'
import { syncGroupHandler } from '../../handlers/sync-group.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'
import { absentIfNull } from './group-translation.js'

export function nativeSyncGroupBody(request: Kafka.SyncGroupRequest) {
  return {
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: absentIfNull(request.groupInstanceId),
    assignments: request.assignments.map(({ memberId, assignment }) => ({ memberId, assignment })),
  }
}

export function kafkaSyncGroupResponse(native: SyncGroupResponse): Kafka.SyncGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: kafkaCodeOfWeirCode(native.errorCode),
    assignment: native.assignment,
  }
}

export const kafkaSyncGroupHandler = defineKafkaHandler({
  api: Kafka.syncGroupApi,
  async handle(request, context) {
    const answer = await syncGroupHandler.handle(
      SyncGroup.decodeRequest(nativeSyncGroupBody(request)),
      context.native,
    )
    return answer === undefined ? undefined : kafkaSyncGroupResponse(answer)
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, assignment: Buffer.alloc(0) }
  },
  waitMs(request, context) {
    return syncGroupHandler.waitMs?.(nativeSyncGroupBody(request), context.native) ?? 0
  },
})
