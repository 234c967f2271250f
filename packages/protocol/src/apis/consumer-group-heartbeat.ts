// ConsumerGroupHeartbeat (key 48), v0: the broker-driven group protocol in the spirit of Kafka's
// KIP-848. There is no JoinGroup/SyncGroup barrier and no client-side leader: each member sends
// its subscription and the partitions it owns, and the coordinator answers with the partitions the
// member should own now. A partition moving from A to B is first dropped from A's answer; B gets it
// only once A has reported that it no longer owns it, so no partition is owned twice.
//   request  = { groupId, memberId, memberEpoch, rebalanceTimeoutMs?, sessionTimeoutMs?,
//                subscribedTopicNames?, ownedPartitions?: [{ name, partitions: [int] }], maxWaitMs?,
//                clientId? }
//   response = { errorCode?, errorMessage?, memberId, memberEpoch, assignment?: [{ name, partitions }] }
// memberEpoch: 0 to join (memberId ''), -1 to leave, else the epoch of the last answer the member
// acted on. subscribedTopicNames is required to join and optional after (unchanged when absent);
// ownedPartitions likewise. maxWaitMs: hold the answer up to that long unless the member's
// assignment changes (at most heartbeatWaitMsMax).
// Errors: UNKNOWN_MEMBER_ID (join again with epoch 0, dropping partitions as lost),
// FENCED_MEMBER_EPOCH (the same), INCONSISTENT_GROUP_PROTOCOL (the group has classic members).
import {
  array,
  integer,
  object,
  optionalInteger,
  optionalString,
  type ResponseError,
  responseError,
  stringItem,
} from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import {
  groupId,
  memberId,
  type TopicPartitionNumbers,
  topicPartitionNumbers,
  withOptional,
} from './group-fields.js'
import { heartbeatWaitMsMax } from './heartbeat.js'

/** memberEpoch values with a meaning of their own. */
export const MemberEpochs = { join: 0, leave: -1 } as const

export interface ConsumerGroupHeartbeatRequest {
  readonly groupId: string
  readonly memberId: string
  readonly memberEpoch: number
  readonly clientId?: string
  readonly rebalanceTimeoutMs?: number
  readonly sessionTimeoutMs?: number
  readonly subscribedTopicNames?: readonly string[]
  readonly ownedPartitions?: readonly TopicPartitionNumbers[]
  readonly maxWaitMs?: number
}

export interface ConsumerGroupHeartbeatResponse extends ResponseError {
  readonly memberId: string
  readonly memberEpoch: number
  /** The partitions the member should own from now on; absent on errors. */
  readonly assignment?: readonly TopicPartitionNumbers[]
}

export const ConsumerGroupHeartbeat: ApiDefinition<
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse
> = {
  name: 'ConsumerGroupHeartbeat',
  apiKey: ApiKeys.ConsumerGroupHeartbeat,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'ConsumerGroupHeartbeat'
    const fields = object(body, path)
    let request: ConsumerGroupHeartbeatRequest = {
      groupId: groupId(fields, 'groupId', path),
      memberId: memberId(fields, path),
      memberEpoch: integer(fields, 'memberEpoch', path, -1, 2_147_483_647),
    }
    request = withOptional(request, 'clientId', optionalString(fields, 'clientId', path))
    for (const name of ['rebalanceTimeoutMs', 'sessionTimeoutMs'] as const)
      if (fields[name] !== undefined)
        request = { ...request, [name]: integer(fields, name, path, 1, 2 ** 31 - 1) }
    if (fields.subscribedTopicNames !== undefined)
      request = {
        ...request,
        subscribedTopicNames: array(fields, 'subscribedTopicNames', path, stringItem, 10_000),
      }
    if (fields.ownedPartitions !== undefined)
      request = { ...request, ownedPartitions: topicPartitionNumbers(fields, 'ownedPartitions', path) }
    const maxWaitMs = optionalInteger(fields, 'maxWaitMs', path, 0, 0, heartbeatWaitMsMax)
    return maxWaitMs === 0 ? request : { ...request, maxWaitMs }
  },
  decodeResponse(body) {
    const path = 'ConsumerGroupHeartbeat'
    const fields = object(body, path)
    const response = {
      ...responseError(fields, path),
      memberId: memberId(fields, path),
      memberEpoch: integer(fields, 'memberEpoch', path, -1, 2_147_483_647),
    }
    return fields.assignment === undefined
      ? response
      : { ...response, assignment: topicPartitionNumbers(fields, 'assignment', path) }
  },
}
