// FindCoordinator: on one broker this broker leads every __consumer_offsets partition, so it is
// every group's coordinator; the answer is its advertised address (as in Metadata).
import { FindCoordinator } from '@weir/protocol'
import { defineHandler } from './handler.js'

export const findCoordinatorHandler = defineHandler({
  api: FindCoordinator,
  async handle(_request, context) {
    const { host, port } = context.advertised
    return { errorCode: 0, nodeId: context.brokerId, host, port }
  },
})
