// SaslHandshake on the Kafka listener: the native handshake on this connection's SASL exchange
// (the same mechanisms and rules as the client listener: PLAIN only over TLS), its answer in
// Kafka's codes. Kafka's mechanism names are Weir's (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN).
// v0 promises raw SASL tokens without Kafka framing next, which the listener does not speak: it is
// answered UNSUPPORTED_VERSION with the mechanisms, and the exchange is not started. v0 stays
// advertised because librdkafka counts SASL as supported only when it is (and then uses v1).
import { Kafka, SaslHandshake } from '@weir/protocol'
import { saslHandshakeHandler } from '../../handlers/sasl-handshake.js'
import { kafkaErrorFields } from '../kafka-error-fields.js'
import { defineKafkaHandler } from '../kafka-handler.js'

export const kafkaSaslHandshakeHandler = defineKafkaHandler({
  api: Kafka.saslHandshakeApi,
  async handle(request, context) {
    if (context.version === 0) {
      context.native.logger.warn(
        { clientId: context.header.clientId },
        'Kafka SaslHandshake v0 (raw SASL tokens) is not supported; the client must use SaslHandshake v1 with SaslAuthenticate (Kafka clients since 1.0 do)',
      )
      return {
        errorCode: Kafka.KafkaErrorCodes.UNSUPPORTED_VERSION.code,
        mechanisms: context.native.sasl?.offered() ?? [],
      }
    }
    const native = SaslHandshake.decodeRequest({ mechanism: request.mechanism })
    const answer = await saslHandshakeHandler.handle(native, context.native)
    if (answer === undefined) throw new Error('the native SaslHandshake handler gave no answer')
    return { errorCode: kafkaErrorFields(answer).errorCode, mechanisms: answer.mechanisms }
  },
  errorResponse(_request, _version, errorCode) {
    return { errorCode, mechanisms: [] }
  },
})
