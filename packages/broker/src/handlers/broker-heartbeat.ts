// BrokerHeartbeat: a peer's state, each second, into this broker's liveness table. Only the broker
// the connection authenticated as may speak for itself.
import { BrokerHeartbeat, WeirError } from '@weir/protocol'
import { defineHandler } from './handler.js'

export const brokerHeartbeatHandler = defineHandler({
  api: BrokerHeartbeat,
  async handle(request, context) {
    const peerId = context.peerSession?.peerId
    if (peerId !== request.brokerId) {
      throw new WeirError(
        'CLUSTER_AUTHORIZATION_FAILED',
        `this connection authenticated as broker ${peerId ?? 'none'} but its BrokerHeartbeat claims to come from broker ${request.brokerId}`,
      )
    }
    context.cluster.heartbeats.received(request)
    return { errorCode: 0 }
  },
})
