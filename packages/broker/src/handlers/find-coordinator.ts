// FindCoordinator: the coordinator of group G is the leader of __consumer_offsets partition
// murmur3(G) % n: whichever broker leads that partition now (always this one for a broker alone;
// COORDINATOR_LOAD_IN_PROGRESS, retriable, while none does).
import { FindCoordinator, WeirError } from '@weir/protocol'
import { offsetsPartitionFor, offsetsTopic } from '../groups/group-records.js'
import { denied, permits } from './authorize.js'
import { defineHandler } from './handler.js'

export const findCoordinatorHandler = defineHandler({
  api: FindCoordinator,
  async handle(request, context) {
    if (!permits(context, 'Describe', 'Group', request.key)) {
      const error = denied(context, 'Describe', 'Group', request.key)
      return { errorCode: error.errorCode, errorMessage: error.message, nodeId: -1, host: '', port: 0 }
    }
    const cluster = context.cluster
    const partitions = cluster.image.topic(offsetsTopic)?.replicas.length ?? 0
    const leader =
      partitions === 0 ? -1 : cluster.leaderOf(offsetsTopic, offsetsPartitionFor(request.key, partitions))
    const peer = cluster.peers.find((candidate) => candidate.id === leader)
    if (peer === undefined) {
      const error = new WeirError(
        'COORDINATOR_LOAD_IN_PROGRESS',
        `group ${request.key} has no coordinator yet (no leader for its __consumer_offsets partition); retry shortly`,
      )
      return { errorCode: error.errorCode, errorMessage: error.message, nodeId: -1, host: '', port: 0 }
    }
    const self = peer.id === context.brokerId
    return {
      errorCode: 0,
      nodeId: peer.id,
      host: self ? context.advertised.host : peer.host,
      port: self ? context.advertised.port : peer.port,
    }
  },
})
