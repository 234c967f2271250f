// ControllerPropose: a peer forwards a metadata change; the controller leader commits it.
import { ControllerPropose, decodeBody, WeirError } from '@weir/protocol'
import { checkMetadataRecord } from '../cluster/controller.js'
import { defineHandler } from './handler.js'

export const controllerProposeHandler = defineHandler({
  api: ControllerPropose,
  async handle(request, context) {
    const cluster = context.cluster
    if (cluster.alone) {
      throw new WeirError(
        'INVALID_REQUEST',
        `broker ${context.brokerId} is not in a cluster (started without --peers); only peers propose metadata changes`,
      )
    }
    const record = checkMetadataRecord(decodeBody(request.record, 'ControllerPropose.record'))
    await cluster.proposeHere(record)
    return { errorCode: 0, leaderId: cluster.controllerId }
  },
})
