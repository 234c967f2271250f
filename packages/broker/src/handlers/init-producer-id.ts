// InitProducerId: a new producer id, unique across the cluster (see producers/producer-ids.ts),
// epoch 0. Transactions are not supported: a transactionalId is refused. Needs Write on the
// cluster or on any topic (an idempotent producer writes somewhere).
import { clusterResourceName, InitProducerId, WeirError } from '@weir/protocol'
import { denied, permits, permitsAny } from './authorize.js'
import { defineHandler } from './handler.js'

export const initProducerIdHandler = defineHandler({
  api: InitProducerId,
  async handle(request, context) {
    if (!permits(context, 'Write', 'Cluster', clusterResourceName) && !permitsAny(context, 'Write', 'Topic'))
      throw denied(context, 'Write', 'Cluster', clusterResourceName)
    if (request.transactionalId !== undefined) {
      throw new WeirError(
        'UNSUPPORTED_VERSION',
        'transactions are not supported by this broker; leave transactionalId out',
      )
    }
    const allocator = await context.producerIds()
    return { errorCode: 0, producerId: await allocator.allocate(), producerEpoch: 0 }
  },
})
