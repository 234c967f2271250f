// Heartbeat (Kafka v0-3) → the native Heartbeat handler, answered at once (Kafka has no held
// heartbeat: a member learns of a rebalance from REBALANCE_IN_PROGRESS at its next one).
import { Heartbeat, Kafka } from '@weir/protocol'
import { heartbeatHandler } from '../../handlers/heartbeat.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'
import { absentIfNull } from './group-translation.js'

export function nativeHeartbeatBody(request: Kafka.HeartbeatRequest) {
  return {
    groupId: request.groupId,
    generationId: request.generationId,
    memberId: request.memberId,
    groupInstanceId: absentIfNull(request.groupInstanceId),
  }
}

export const kafkaHeartbeatHandler = defineKafkaHandler({
  api: Kafka.heartbeatApi,
  async handle(request, context) {
    const answer = await heartbeatHandler.handle(
      Heartbeat.decodeRequest(nativeHeartbeatBody(request)),
      context.native,
    )
    return answer === undefined
      ? undefined
      : { throttleTimeMs: 0, errorCode: kafkaCodeOfWeirCode(answer.errorCode) }
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode }
  },
})
