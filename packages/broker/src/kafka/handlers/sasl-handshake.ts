// SaslHandshake (v1) on the Kafka listener: the native handshake on this connection's SASL
// exchange (the same mechanisms and rules as the client listener: PLAIN only over TLS), its answer
// in Kafka's codes. Kafka's mechanism names are Weir's (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN). v0,
// after which raw SASL tokens replace Kafka framing, is not spoken (the API file starts at v1):
// every client we target uses v1 with SaslAuthenticate.
import { Kafka, SaslHandshake } from '@weir/protocol'
import { saslHandshakeHandler } from '../../handlers/sasl-handshake.js'
import { kafkaErrorFields } from '../kafka-error-fields.js'
import { defineKafkaHandler } from '../kafka-handler.js'

export const kafkaSaslHandshakeHandler = defineKafkaHandler({
  api: Kafka.saslHandshakeApi,
  async handle(request, context) {
    const native = SaslHandshake.decodeRequest({ mechanism: request.mechanism })
    const answer = await saslHandshakeHandler.handle(native, context.native)
    if (answer === undefined) throw new Error('the native SaslHandshake handler gave no answer')
    return { errorCode: kafkaErrorFields(answer).errorCode, mechanisms: answer.mechanisms }
  },
  errorResponse(_request, _version, errorCode) {
    return { errorCode, mechanisms: [] }
  },
})
