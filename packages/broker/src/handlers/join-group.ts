// JoinGroup: held by the coordinator until the rebalance completes, so it may take up to the
// group's rebalance timeout (waitMs); clientHost comes from the connection. An answer for a
// connection that closed meanwhile is dropped by the connection.
import { JoinGroup } from '@weir/protocol'
import { submitToGroup } from './group-handler.js'
import { defineHandler } from './handler.js'

export const joinGroupHandler = defineHandler({
  api: JoinGroup,
  handle(request, context) {
    const client = { clientHost: context.clientHost }
    return submitToGroup(
      context,
      request.groupId,
      'JoinGroup',
      (coordinator, requestId, nowMs) => coordinator.joinGroup(requestId, request, client, nowMs),
      (error) => ({ ...error, generationId: -1, leader: '', memberId: request.memberId, members: [] }),
    )
  },
  waitMs(request, context) {
    return context.groups.holdMs(request.groupId, request.rebalanceTimeoutMs)
  },
})
