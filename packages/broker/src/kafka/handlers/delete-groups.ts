// DeleteGroups (Kafka v0-1) → the native DeleteGroups handler (Group:Delete, each group at its
// coordinator). Each group answers on its own: NON_EMPTY_GROUP while it has members,
// GROUP_ID_NOT_FOUND for a group the coordinator does not know.
import { DeleteGroups, type DeleteGroupsResponse, Kafka } from '@weir/protocol'
import { deleteGroupsHandler } from '../../handlers/delete-groups.js'
import { defineKafkaHandler } from '../kafka-handler.js'
import { kafkaCodeOf, nativeRequest } from './group-translation.js'

export function kafkaDeleteGroupsResponse(native: DeleteGroupsResponse): Kafka.DeleteGroupsResponse {
  const requestError = kafkaCodeOf(native.errorCode)
  return {
    throttleTimeMs: 0,
    results: native.groups.map(({ groupId, errorCode }) => ({
      groupId,
      errorCode: requestError || kafkaCodeOf(errorCode),
    })),
  }
}

export const kafkaDeleteGroupsHandler = defineKafkaHandler({
  api: Kafka.deleteGroupsApi,
  async handle(request, context) {
    const native = nativeRequest(DeleteGroups, { groups: request.groupsNames })
    const answer = await deleteGroupsHandler.handle(native, context.native)
    return answer === undefined ? undefined : kafkaDeleteGroupsResponse(answer)
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      results: request.groupsNames.map((groupId) => ({ groupId, errorCode })),
    }
  },
})
