// SaslAuthenticate (v0-1) on the Kafka listener: one step of the native exchange (SCRAM's two
// rounds, PLAIN's one). On success the connection's session is the user's; a failed step answers
// SASL_AUTHENTICATION_FAILED with the native message and the connection closes once it is sent
// (the exchange reports `failed`, which the connection checks, as on the client listener).
import { Kafka } from '@weir/protocol'
import { saslAuthenticateHandler } from '../../handlers/sasl-authenticate.js'
import { kafkaErrorFields } from '../kafka-error-fields.js'
import { defineKafkaHandler } from '../kafka-handler.js'

export const kafkaSaslAuthenticateHandler = defineKafkaHandler({
  api: Kafka.saslAuthenticateApi,
  async handle(request, context) {
    const answer = await saslAuthenticateHandler.handle({ authBytes: request.authBytes }, context.native)
    if (answer === undefined) throw new Error('the native SaslAuthenticate handler gave no answer')
    return {
      ...kafkaErrorFields(answer),
      authBytes: answer.authBytes,
      // 0: no re-authentication (KIP-368) is asked for, as natively.
      sessionLifetimeMs: answer.sessionLifetimeMs,
    }
  },
  errorResponse(_request, _version, errorCode) {
    return { errorCode, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 }
  },
})
