// ConsumerGroupHeartbeat (key 48): the broker-driven group protocol. Answered at once when the
// member's assignment changes, else held by the coordinator up to maxWaitMs (waitMs) so the member
// hears of a freed partition within a round trip. clientHost comes from the connection.
import { ConsumerGroupHeartbeat } from '@weir/protocol'
import { submitToGroup } from './group-handler.js'
import { defineHandler } from './handler.js'

export const consumerGroupHeartbeatHandler = defineHandler({
  api: ConsumerGroupHeartbeat,
  handle(request, context) {
    return submitToGroup(
      context,
      request.groupId,
      'ConsumerGroupHeartbeat',
      (coordinator, requestId, nowMs) =>
        coordinator.consumerGroupHeartbeat(requestId, request, context.clientHost, nowMs),
      (error) => ({ ...error, memberId: request.memberId, memberEpoch: -1 }),
    )
  },
  waitMs: (request) => request.maxWaitMs ?? 0,
})
