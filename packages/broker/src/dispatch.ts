// One request frame in, one response frame (or none) out. Never throws: a request that cannot be
// processed at all gets a body of only { errorCode, errorMessage } (UNKNOWN_API, UNSUPPORTED_VERSION,
// INVALID_REQUEST, REQUEST_TIMED_OUT, BROKER_SHUTTING_DOWN); a bug becomes UNKNOWN_SERVER_ERROR and
// an error log, and the connection carries on.
import {
  apiByKey,
  decodeBody,
  ErrorCodes,
  type ErrorName,
  encodeBody,
  encodeResponseFrame,
  isWeirError,
  type RequestHeader,
  WeirError,
} from '@weir/protocol'
import { refusedBeforeAuthentication } from './auth/sasl-gate.js'
import { withTimeout } from './environment.js'
import { type HandlerContext, handlerFor } from './handlers/index.js'
import { listenerRefusal } from './listener-gate.js'
import { warnLimited } from './warning-rate-limit.js'

export interface RequestError {
  readonly errorCode: number
  readonly errorMessage: string
}

export function requestError(code: ErrorName, detail: string): RequestError {
  return { errorCode: ErrorCodes[code].code, errorMessage: new WeirError(code, detail).message }
}

/** The response frame for one request, or undefined when none is sent (Produce with acks 0). */
export async function dispatch(
  header: RequestHeader,
  body: Buffer,
  context: HandlerContext,
): Promise<Buffer | undefined> {
  const response = await respond(header, body, context)
  if (response === undefined) return undefined
  return encodeResponseFrame(header.correlationId, encodeBody(response))
}

async function respond(header: RequestHeader, body: Buffer, context: HandlerContext): Promise<unknown> {
  const { apiKey, apiVersion } = header
  if (context.isClosing()) return requestError('BROKER_SHUTTING_DOWN', 'the broker is closing')
  const unauthenticated = refusedBeforeAuthentication(apiKey, context)
  if (unauthenticated !== undefined)
    return { errorCode: unauthenticated.errorCode, errorMessage: unauthenticated.message }
  const api = apiByKey(apiKey)
  const handler = handlerFor(apiKey)
  if (api === undefined || handler === undefined) {
    malformed(context, { apiKey }, 'request with an unknown API key')
    return requestError('UNKNOWN_API', `API key ${apiKey} is not one this broker serves`)
  }
  const refusal = listenerRefusal(apiKey, api.name, { ...context, clientPort: context.advertised.port })
  if (refusal !== undefined) return requestError(refusal.code, refusal.detail)
  if (apiVersion < api.versionMin || apiVersion > api.versionMax) {
    malformed(context, { api: api.name, apiVersion }, 'request with an unsupported version')
    return requestError(
      'UNSUPPORTED_VERSION',
      `${api.name} version ${apiVersion}: this broker speaks ${api.versionMin} to ${api.versionMax}`,
    )
  }
  try {
    const request = api.decodeRequest(decodeBody(body, api.name))
    const budgetMs = context.limits.requestTimeoutMs + (handler.waitMs?.(request, context) ?? 0)
    const late = () => new WeirError('REQUEST_TIMED_OUT', `${api.name} took longer than ${budgetMs} ms`)
    return await withTimeout(context.environment, handler.handle(request, context), budgetMs, late)
  } catch (error) {
    if (isWeirError(error)) {
      if (error.code === 'INVALID_REQUEST' || error.code === 'INVALID_CONFIG') {
        malformed(context, { api: api.name, reason: error.message }, 'malformed request')
      }
      return { errorCode: error.errorCode, errorMessage: error.message }
    }
    context.logger.error({ err: error, api: api.name }, 'unexpected error handling a request')
    return requestError('UNKNOWN_SERVER_ERROR', `unexpected broker error in ${api.name}`)
  }
}

/** One warning line per client address per malformedWarningIntervalMs, with the count held back. */
function malformed(context: HandlerContext, fields: object, message: string): void {
  const sink = { limiter: context.warnings, clock: context.environment.clock, logger: context.logger }
  warnLimited(sink, context.clientHost, fields, message)
}
