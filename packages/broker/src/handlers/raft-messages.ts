// RaftMessages: a peer's coalesced Raft traffic. Each message is stepped into its group's node;
// the node's answers go back through this broker's own links, not in this response. Only the
// broker the connection authenticated as may speak: a peer claiming another's `from` is refused.
import { RaftMessages, type RaftMessagesRequest, type RaftMessagesResponse, WeirError } from '@weir/protocol'
import { defineHandler, type Handler } from './handler.js'

export const raftMessagesHandler: Handler<RaftMessagesRequest, RaftMessagesResponse> = defineHandler({
  api: RaftMessages,
  async handle(request, context) {
    const peerId = context.peerSession?.peerId
    if (peerId !== request.from) {
      throw new WeirError(
        'CLUSTER_AUTHORIZATION_FAILED',
        `this connection authenticated as broker ${peerId ?? 'none'} but its RaftMessages claim to come from broker ${request.from}`,
      )
    }
    context.cluster.receive(request)
    return { errorCode: 0 }
  },
})
