// DeleteGroups (Kafka v0-1) → the native DeleteGroups handler (Group:Delete, each group at its
// coordinator). Each group answers on its own: NON_EMPTY_GROUP while it has members,
// GROUP_ID_NOT_FOUND for a group the coordinator does not know.
import { DeleteGroups, type DeleteGroupsResponse, Kafka } from '@weir/protocol'
import { deleteGroupsHandler } from '../../handlers/delete-groups.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'

export function kafkaDeleteGroupsResponse(native: DeleteGroupsResponse): Kafka.DeleteGroupsResponse {
  const requestError = kafkaCodeOfWeirCode(native.errorCode)
  return {
    throttleTimeMs: 0,
    results: native.groups.map(({ groupId, errorCode }) => ({
      groupId,
      errorCode: requestError || kafkaCodeOfWeirCode(errorCode),
    })),
  }
}

export const kafkaDeleteGroupsHandler = defineKafkaHandler({
  api: Kafka.deleteGroupsApi,
  async handle(request, context) {
    const native = DeleteGroups.decodeRequest({ groups: request.groupsNames })
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
