// JoinGroup (Kafka v0-5) → the native JoinGroup handler, so the coordinator, its limits and the
// Group:Read ACL are the native ones. Kafka's 'consumer' protocol type is stored as
// 'kafka:consumer' (Weir's own consumers use 'consumer' with other bytes; the coordinator keeps the
// two out of one group); other types ('connect', ...) are carried as they are, and the protocols'
// metadata always as opaque bytes.
// A first join (empty member id) gets its member id in the held answer, at every version: no
// MEMBER_ID_REQUIRED (79) round, which Kafka clients treat as optional. The request is held until
// the rebalance completes, so its budget is extended by the native handler's waitMs.
import { JoinGroup, type JoinGroupResponse, Kafka } from '@weir/protocol'
import { joinGroupHandler } from '../../handlers/join-group.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'
import { absentIfNull } from './group-translation.js'

/** The native request's fields (not yet checked: `JoinGroup.decodeRequest` checks them). */
export function nativeJoinGroupBody(request: Kafka.JoinGroupRequest, clientId: string | null) {
  return {
    groupId: request.groupId,
    sessionTimeoutMs: request.sessionTimeoutMs,
    // v0 has no rebalance timeout (-1): Kafka uses the session timeout then.
    rebalanceTimeoutMs:
      request.rebalanceTimeoutMs < 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
    memberId: request.memberId,
    groupInstanceId: absentIfNull(request.groupInstanceId),
    protocolType: Kafka.weirProtocolTypeOfKafka(request.protocolType),
    protocols: request.protocols.map(({ name, metadata }) => ({ name, metadata })),
    clientId: absentIfNull(clientId),
  }
}

/**
 * The native answer in Kafka's shape. A static leader that rejoined without a rebalance gets no
 * members (the native `skipAssignment`, which Kafka only has from v9): its SyncGroup then gets the
 * stored assignment back, as Kafka brokers before KIP-814 did.
 */
export function kafkaJoinGroupResponse(native: JoinGroupResponse): Kafka.JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: kafkaCodeOfWeirCode(native.errorCode),
    generationId: native.generationId,
    protocolName: native.protocolName ?? '',
    leader: native.leader,
    memberId: native.memberId,
    members: native.members.map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId ?? null,
      metadata: member.metadata,
    })),
  }
}

export const kafkaJoinGroupHandler = defineKafkaHandler({
  api: Kafka.joinGroupApi,
  async handle(request, context) {
    const native = JoinGroup.decodeRequest(nativeJoinGroupBody(request, context.header.clientId))
    const answer = await joinGroupHandler.handle(native, context.native)
    return answer === undefined ? undefined : kafkaJoinGroupResponse(answer)
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode,
      generationId: -1,
      protocolName: '',
      leader: '',
      memberId: request.memberId,
      members: [],
    }
  },
  waitMs(request, context) {
    const body = nativeJoinGroupBody(request, context.header.clientId)
    return joinGroupHandler.waitMs?.(body, context.native) ?? 0
  },
})
