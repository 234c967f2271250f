// SyncGroup: a follower's is held until the leader's arrives, at most the rebalance timeout.
import { SyncGroup } from '@weir/protocol'
import { submitToGroup } from './group-handler.js'
import { defineHandler } from './handler.js'

export const syncGroupHandler = defineHandler({
  api: SyncGroup,
  handle(request, context) {
    return submitToGroup(
      context,
      request.groupId,
      'SyncGroup',
      (coordinator, requestId, nowMs) => coordinator.syncGroup(requestId, request, nowMs),
      (error) => ({ ...error, assignment: Buffer.alloc(0) }),
    )
  },
  waitMs(request, context) {
    return context.groups.holdMs(request.groupId, 0)
  },
})
