// LeaveGroup: removes the members at once, so the others rebalance without waiting for a timeout.
import { LeaveGroup } from '@weir/protocol'
import { submitToGroup } from './group-handler.js'
import { defineHandler } from './handler.js'

export const leaveGroupHandler = defineHandler({
  api: LeaveGroup,
  handle(request, context) {
    return submitToGroup(
      context,
      request.groupId,
      'LeaveGroup',
      (coordinator, requestId, nowMs) => coordinator.leaveGroup(requestId, request, nowMs),
      (error) => ({
        ...error,
        members: request.members.map(({ memberId, groupInstanceId }) => ({
          memberId,
          ...(groupInstanceId === undefined ? {} : { groupInstanceId }),
          ...error,
        })),
      }),
    )
  },
})
