// SaslAuthenticate: one step of the exchange. On success the connection's session becomes the
// user's; on failure the answer is SASL_AUTHENTICATION_FAILED and the connection closes after it
// is sent (the exchange reports `failed`, which the connection checks).
import { SaslAuthenticate, WeirError } from '@weir/protocol'
import { defineHandler } from './handler.js'

export const saslAuthenticateHandler = defineHandler({
  api: SaslAuthenticate,
  async handle(request, context) {
    const sasl = context.sasl
    if (sasl === undefined)
      throw new WeirError(
        'ILLEGAL_SASL_STATE',
        'this broker does not authenticate clients; connect without sasl',
      )
    try {
      const step = sasl.authenticate(request.authBytes)
      if (step.username !== undefined) {
        context.session.principal = `User:${step.username}`
        context.session.authenticated = true
        context.logger.debug({ principal: context.session.principal }, 'authenticated')
      }
      return { errorCode: 0, authBytes: step.reply, sessionLifetimeMs: 0 }
    } catch (error) {
      if (!(error instanceof WeirError)) throw error
      if (error.code === 'SASL_AUTHENTICATION_FAILED')
        context.logger.info({ client: context.clientHost }, 'SASL authentication failed')
      return {
        errorCode: error.errorCode,
        errorMessage: error.message,
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0,
      }
    }
  },
})
