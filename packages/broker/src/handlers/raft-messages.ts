// RaftMessages: a peer's coalesced Raft traffic. Each message is stepped into its group's node;
// the node's answers go back through this broker's own links, not in this response.
import { RaftMessages, type RaftMessagesRequest, type RaftMessagesResponse } from '@weir/protocol'
import { defineHandler, type Handler } from './handler.js'

export const raftMessagesHandler: Handler<RaftMessagesRequest, RaftMessagesResponse> = defineHandler({
  api: RaftMessages,
  async handle(request, context) {
    context.cluster.receive(request)
    return { errorCode: 0 }
  },
})
