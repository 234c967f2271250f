// DescribeGroups: each group asked of its own coordinator partition, answers in request order. A
// group whose partition is loading gets COORDINATOR_LOAD_IN_PROGRESS on its entry.
import { type DescribedGroup, DescribeGroups } from '@weir/protocol'
import { submitToGroup } from './group-handler.js'
import { defineHandler } from './handler.js'

export const describeGroupsHandler = defineHandler({
  api: DescribeGroups,
  async handle(request, context) {
    const described = await Promise.all(
      request.groups.map(async (groupId): Promise<DescribedGroup> => {
        const answer = await submitToGroup(
          context,
          groupId,
          'DescribeGroups',
          (coordinator, requestId) => coordinator.describeGroups(requestId, { groups: [groupId] }),
          (error) => ({
            errorCode: 0,
            groups: [
              {
                ...error,
                groupId,
                state: 'dead',
                protocolType: '',
                protocolName: '',
                generationId: -1,
                members: [],
              },
            ],
          }),
        )
        return answer.groups[0]!
      }),
    )
    return { errorCode: 0, groups: described }
  },
})
