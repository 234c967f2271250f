// ListGroups: the groups of every __consumer_offsets partition (all of them on one broker). While
// a partition still loads the answer is COORDINATOR_LOAD_IN_PROGRESS with the groups of the others.
// Only groups the principal may describe are listed.
import { type ErrorFields, isWeirError, type ListedGroup, ListGroups } from '@weir/protocol'
import { permits } from './authorize.js'
import { defineHandler } from './handler.js'

export const listGroupsHandler = defineHandler({
  api: ListGroups,
  async handle(request, context) {
    const groups: ListedGroup[] = []
    let error: ErrorFields = { errorCode: 0 }
    const answers = context.groups
      .all()
      .map((partition) =>
        partition.submit('ListGroups', (coordinator, requestId) =>
          coordinator.listGroups(requestId, request),
        ),
      )
    for (const settled of await Promise.allSettled(answers)) {
      if (settled.status === 'fulfilled')
        groups.push(
          ...settled.value.groups.filter(({ groupId }) => permits(context, 'Describe', 'Group', groupId)),
        )
      else if (isWeirError(settled.reason))
        error = { errorCode: settled.reason.errorCode, errorMessage: settled.reason.message }
      else throw settled.reason
    }
    groups.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0))
    return { ...error, groups }
  },
})
