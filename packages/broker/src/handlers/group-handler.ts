// Shared by the group API handlers: hand a request to the coordinator of its group, and turn a
// refusal of the whole request (COORDINATOR_LOAD_IN_PROGRESS while its partition loads,
// BROKER_SHUTTING_DOWN once closing, GROUP_AUTHORIZATION_FAILED when the principal may not use
// the group) into that API's own response shape with the error on it.
import { type AclOperation, type ErrorFields, isWeirError } from '@weir/protocol'
import type { GroupCoordinator } from '../groups/group-coordinator.js'
import type { RequestId } from '../groups/group-output.js'
import type { GroupApi, ResponseOf } from '../groups/response-errors.js'
import { denied, permits } from './authorize.js'
import type { HandlerContext } from './handler.js'

/** Kafka's mapping: taking part in a group or committing for it is Read; looking at it is Describe. */
const groupOperation: Readonly<Record<GroupApi, AclOperation>> = {
  JoinGroup: 'Read',
  SyncGroup: 'Read',
  Heartbeat: 'Read',
  ConsumerGroupHeartbeat: 'Read',
  LeaveGroup: 'Read',
  OffsetCommit: 'Read',
  OffsetFetch: 'Describe',
  ListGroups: 'Describe',
  DescribeGroups: 'Describe',
  DeleteGroups: 'Delete',
}

export async function submitToGroup<Api extends GroupApi>(
  context: HandlerContext,
  groupId: string,
  api: Api,
  input: (coordinator: GroupCoordinator, requestId: RequestId, nowMs: number) => void,
  refused: (error: ErrorFields) => ResponseOf<Api>,
): Promise<ResponseOf<Api>> {
  const operation = groupOperation[api]
  if (!permits(context, operation, 'Group', groupId)) {
    const error = denied(context, operation, 'Group', groupId)
    return refused({ errorCode: error.errorCode, errorMessage: error.message })
  }
  try {
    return await context.groups.submit(groupId, api, input)
  } catch (error) {
    if (!isWeirError(error)) throw error
    return refused({ errorCode: error.errorCode, errorMessage: error.message })
  }
}
