// AddBroker and RemoveBroker: served by the controller leader (others answer NOT_LEADER naming
// it). Changing the brokers needs Cluster:Alter (with ACLs on; open otherwise).
import { AddBroker, RemoveBroker, WeirError } from '@weir/protocol'
import type { Cluster } from '../cluster/cluster.js'
import { addBroker, type MembershipHost, removeBroker } from '../cluster/membership-change.js'
import { authorizeClusterAlter } from './authorize.js'
import { defineHandler, type HandlerContext } from './handler.js'

export const addBrokerHandler = defineHandler({
  api: AddBroker,
  async handle(request, context) {
    authorizeClusterAlter(context)
    const { brokerId: id, host, port, peerPort } = request
    await addBroker(membershipHost(context), { id, host, port, peerPort }, context.limits.requestTimeoutMs)
    context.logger.info({ broker: id, host, port, peerPort }, `broker ${id} added to the cluster`)
    return { errorCode: 0, controllerId: context.cluster.controllerId }
  },
})

export const removeBrokerHandler = defineHandler({
  api: RemoveBroker,
  async handle(request, context) {
    authorizeClusterAlter(context)
    await removeBroker(membershipHost(context), request.brokerId, context.limits.requestTimeoutMs)
    context.logger.info({ broker: request.brokerId }, `broker ${request.brokerId} removed from the cluster`)
    return { errorCode: 0, controllerId: context.cluster.controllerId }
  },
})

function membershipHost(context: HandlerContext): MembershipHost {
  const cluster: Cluster = context.cluster
  if (cluster.alone) {
    throw new WeirError(
      'INVALID_MEMBERSHIP_CHANGE',
      `broker ${cluster.selfId} runs alone (started without --peers), so it has no peer listener to admit brokers; start brokers with --peers and a cluster secret to grow a cluster`,
    )
  }
  return {
    selfId: cluster.selfId,
    image: cluster.image,
    controllerRaft: cluster.controllerRaft,
    environment: context.environment,
    brokers: () => cluster.brokers(),
    proposeHere: (record) => cluster.proposeHere(record),
  }
}
