// InitProducerId (v0-2): an idempotent producer's id from the native allocator (unique across the
// cluster, epoch 0; ACL Write on the cluster or any topic). Only a null transactionalId: Weir has no
// transactions, and the native handler refuses one with UNSUPPORTED_VERSION (Kafka's answer from a
// broker without the transaction coordinator), so a transactional client fails at once, naming it,
// instead of producing records it believes atomic.
import { InitProducerId, Kafka } from '@weir/protocol'
import { initProducerIdHandler } from '../../handlers/init-producer-id.js'
import { defineKafkaHandler } from '../kafka-handler.js'

export const kafkaInitProducerIdHandler = defineKafkaHandler({
  api: Kafka.initProducerIdApi,
  async handle(request, context) {
    const native = InitProducerId.decodeRequest(
      request.transactionalId === null ? {} : { transactionalId: request.transactionalId },
    )
    const { producerId, producerEpoch } = (await initProducerIdHandler.handle(native, context.native))!
    return { throttleTimeMs: 0, errorCode: Kafka.KafkaErrorCodes.NONE.code, producerId, producerEpoch }
  },
  errorResponse: (_request, _version, errorCode) => ({
    throttleTimeMs: 0,
    errorCode,
    producerId: -1,
    producerEpoch: -1,
  }),
})
