// DescribeBrokers: every broker of the cluster with its state (alive, catching-up with progress,
// draining, down) and how long ago its last heartbeat reached this broker. Cluster:Describe.
import { DescribeBrokers } from '@weir/protocol'
import { authorizeClusterDescribe } from './authorize.js'
import { defineHandler } from './handler.js'

export const describeBrokersHandler = defineHandler({
  api: DescribeBrokers,
  async handle(_request, context) {
    authorizeClusterDescribe(context)
    const { cluster } = context
    const address = new Map(
      cluster.peers.map((peer) => [
        peer.id,
        peer.id === context.brokerId ? context.advertised : { host: peer.host, port: peer.port },
      ]),
    )
    const brokers = cluster.heartbeats.rows().map((row) => {
      const { host, port } = address.get(row.id) ?? context.advertised
      return { ...row, host, port }
    })
    return { errorCode: 0, brokers }
  },
})
