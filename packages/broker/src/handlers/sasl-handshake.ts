// SaslHandshake: picks this connection's mechanism. Without SASL on the listener nothing is offered.
import { SaslHandshake, WeirError } from '@weir/protocol'
import { defineHandler } from './handler.js'

export const saslHandshakeHandler = defineHandler({
  api: SaslHandshake,
  async handle(request, context) {
    const sasl = context.sasl
    if (sasl === undefined) {
      const error = new WeirError(
        'UNSUPPORTED_SASL_MECHANISM',
        'this broker does not authenticate clients (started without --sasl-mechanisms); connect without sasl',
      )
      return { errorCode: error.errorCode, errorMessage: error.message, mechanisms: [] }
    }
    try {
      sasl.handshake(request.mechanism)
      return { errorCode: 0, mechanisms: sasl.offered() }
    } catch (error) {
      if (!(error instanceof WeirError)) throw error
      return { errorCode: error.errorCode, errorMessage: error.message, mechanisms: sasl.offered() }
    }
  },
})
