// RaftMessages: a peer's coalesced Raft traffic. Each message is stepped into its group's node;
// the node's answers go back through this broker's own links, not in this response.
import { RaftMessages, type RaftMessagesRequest, type RaftMessagesResponse, WeirError } from '@weir/protocol'
import { defineHandler, type Handler } from './handler.js'

export const raftMessagesHandler: Handler<RaftMessagesRequest, RaftMessagesResponse> = defineHandler({
  api: RaftMessages,
  async handle(request, context) {
    if (context.cluster === undefined) {
      throw new WeirError(
        'INVALID_REQUEST',
        `broker ${context.brokerId} is not in a cluster (started without --peers)`,
      )
    }
    context.cluster.receive(request)
    return { errorCode: 0 }
  },
})
