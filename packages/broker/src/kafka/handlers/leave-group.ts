// LeaveGroup (Kafka v0-3) → the native LeaveGroup handler. v0-2 name one member; v3 a batch, each
// answered on its own (static members may leave by instance id with an empty member id).
import { Kafka, LeaveGroup, type LeaveGroupResponse } from '@weir/protocol'
import { leaveGroupHandler } from '../../handlers/leave-group.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'
import { absentIfNull } from './group-translation.js'

/** v3 introduced the batch; before it the request names one member. */
const batchedFrom = 3

export function nativeLeaveGroupBody(request: Kafka.LeaveGroupRequest, version: number) {
  const members =
    version >= batchedFrom
      ? request.members.map(({ memberId, groupInstanceId }) => ({
          memberId,
          groupInstanceId: absentIfNull(groupInstanceId),
        }))
      : [{ memberId: request.memberId }]
  return { groupId: request.groupId, members }
}

export function kafkaLeaveGroupResponse(
  native: LeaveGroupResponse,
  version: number,
): Kafka.LeaveGroupResponse {
  const errorCode = kafkaCodeOfWeirCode(native.errorCode)
  if (version < batchedFrom)
    // One member: its own refusal (UNKNOWN_MEMBER_ID, ...) is the answer's.
    return { throttleTimeMs: 0, errorCode: errorCode || kafkaCodeOfWeirCode(native.members[0]?.errorCode) }
  return {
    throttleTimeMs: 0,
    errorCode,
    members: native.members.map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId ?? null,
      errorCode: kafkaCodeOfWeirCode(member.errorCode),
    })),
  }
}

export const kafkaLeaveGroupHandler = defineKafkaHandler({
  api: Kafka.leaveGroupApi,
  async handle(request, context) {
    const body = nativeLeaveGroupBody(request, context.version)
    const answer = await leaveGroupHandler.handle(LeaveGroup.decodeRequest(body), context.native)
    return answer === undefined ? undefined : kafkaLeaveGroupResponse(answer, context.version)
  },
  errorResponse(request, version, errorCode) {
    if (version < batchedFrom) return { throttleTimeMs: 0, errorCode }
    return {
      throttleTimeMs: 0,
      errorCode,
      members: request.members.map(({ memberId, groupInstanceId }) => ({
        memberId,
        groupInstanceId,
        errorCode,
      })),
    }
  },
})
