// Heartbeat: answered at once (REBALANCE_IN_PROGRESS tells the member to rejoin), or with maxWaitMs
// held by the coordinator until the group starts a rebalance or the hold runs out (waitMs), so the
// members learn of a leave or a join within a round trip.
import { Heartbeat, type HeartbeatRequest, type HeartbeatResponse } from '@weir/protocol'
import { submitToGroup } from './group-handler.js'
import { defineHandler, type Handler } from './handler.js'

export const heartbeatHandler: Handler<HeartbeatRequest, HeartbeatResponse> = defineHandler({
  api: Heartbeat,
  handle(request, context) {
    return submitToGroup(
      context,
      request.groupId,
      'Heartbeat',
      (coordinator, requestId, nowMs) => coordinator.heartbeat(requestId, request, nowMs),
      (error) => error,
    )
  },
  waitMs: (request) => request.maxWaitMs ?? 0,
})
