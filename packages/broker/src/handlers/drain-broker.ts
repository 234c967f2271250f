// DrainBroker: marks a broker draining (or no longer) with one controller record, so every broker
// knows it from the same point of the log and the mark survives restarts. The drained broker then
// hands every leadership away (Cluster's drain check); this answers once the answering broker
// applied the mark, not once the leaders moved: `weir broker drain` follows that through Metadata.
// Needs Cluster:Alter.
import { DrainBroker } from '@weir/protocol'
import { authorizeClusterAlter } from './authorize.js'
import { appliedHere } from './cluster-topics.js'
import { defineHandler } from './handler.js'

export const drainBrokerHandler = defineHandler({
  api: DrainBroker,
  async handle(request, context) {
    authorizeClusterAlter(context)
    const { cluster } = context
    const { brokerId, draining } = request
    await cluster.submit(
      { type: 'brokerDrainChanged', id: brokerId, draining },
      context.limits.requestTimeoutMs,
    )
    const applied = () => cluster.image.drainingBrokers().has(brokerId) === draining
    await appliedHere(
      cluster,
      applied,
      context,
      draining ? `the drain of broker ${brokerId}` : `the undrain of broker ${brokerId}`,
    )
    context.logger.info(
      { principal: context.session.principal, brokerId, draining },
      draining ? `broker ${brokerId} marked draining` : `broker ${brokerId} no longer draining`,
    )
    return { errorCode: 0 }
  },
})
