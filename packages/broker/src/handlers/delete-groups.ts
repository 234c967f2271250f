// DeleteGroups: each group deleted at its own coordinator partition (its offsets and metadata get
// tombstones); answered once the tombstones are durable. NON_EMPTY_GROUP while it has members,
// GROUP_ID_NOT_FOUND for a group the coordinator does not know.
import { type DeleteGroupResult, DeleteGroups } from '@weir/protocol'
import { submitToGroup } from './group-handler.js'
import { defineHandler } from './handler.js'

export const deleteGroupsHandler = defineHandler({
  api: DeleteGroups,
  async handle(request, context) {
    const groups = await Promise.all(
      request.groups.map(async (groupId): Promise<DeleteGroupResult> => {
        const answer = await submitToGroup(
          context,
          groupId,
          'DeleteGroups',
          (coordinator, requestId) => coordinator.deleteGroups(requestId, { groups: [groupId] }),
          (error) => ({ errorCode: 0, groups: [{ groupId, ...error }] }),
        )
        return answer.groups[0]!
      }),
    )
    for (const group of groups)
      if (group.errorCode === 0) context.logger.info({ groupId: group.groupId }, 'group deleted')
    return { errorCode: 0, groups }
  },
})
