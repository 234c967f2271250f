// Shared by the group API handlers: hand a request to the coordinator of its group, and turn a
// refusal of the whole request (COORDINATOR_LOAD_IN_PROGRESS while its partition loads,
// BROKER_SHUTTING_DOWN once closing) into that API's own response shape with the error on it.
import { type ErrorFields, isWeirError } from '@weir/protocol'
import type { GroupCoordinator } from '../groups/group-coordinator.js'
import type { RequestId } from '../groups/group-output.js'
import type { GroupApi, ResponseOf } from '../groups/response-errors.js'
import type { HandlerContext } from './handler.js'

export async function submitToGroup<Api extends GroupApi>(
  context: HandlerContext,
  groupId: string,
  api: Api,
  input: (coordinator: GroupCoordinator, requestId: RequestId, nowMs: number) => void,
  refused: (error: ErrorFields) => ResponseOf<Api>,
): Promise<ResponseOf<Api>> {
  try {
    return await context.groups.submit(groupId, api, input)
  } catch (error) {
    if (!isWeirError(error)) throw error
    return refused({ errorCode: error.errorCode, errorMessage: error.message })
  }
}
