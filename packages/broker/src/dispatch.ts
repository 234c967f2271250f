// One request frame in, one response frame (or none) out. Never throws: a request that cannot be
// processed at all gets a body of only { errorCode, errorMessage } (UNKNOWN_API, UNSUPPORTED_VERSION,
// INVALID_REQUEST, REQUEST_TIMED_OUT, BROKER_SHUTTING_DOWN); a bug becomes UNKNOWN_SERVER_ERROR and
// an error log, and the connection carries on.
import {
  apiByKey,
  decodeApiBody,
  ErrorCodes,
  type ErrorName,
  encodeApiResponseFrame,
  isWeirError,
  parseRequestFrame,
  type RequestHeader,
  requestHeaderBytes,
  WeirError,
} from '@weir/protocol'
import { refusedBeforeAuthentication } from './auth/sasl-gate.js'
import { withTimeout } from './environment.js'
import { type HandlerContext, handlerFor } from './handlers/index.js'
import { pooledRelease } from './handlers/pooled-reads.js'
import { listenerRefusal } from './listener-gate.js'
import { warnLimited } from './warning-rate-limit.js'

export interface RequestError {
  readonly errorCode: number
  readonly errorMessage: string
}

export function requestError(code: ErrorName, detail: string): RequestError {
  return { errorCode: ErrorCodes[code].code, errorMessage: new WeirError(code, detail).message }
}

/** A response frame as buffers to write in order (writeFrame), and what to call once it is written (or dropped). */
export interface ResponseFrame {
  readonly parts: Buffer[]
  /** Gives back the pooled read buffers the parts are views of (pooled-reads.ts); call exactly once. */
  readonly written: () => void
}

/**
 * What a connection does with each complete frame (connection.ts): the answer to write, undefined
 * for none (Produce with acks 0), or 'close' once the dispatcher logged why the stream cannot go
 * on (a Kafka request at a layout we do not speak). Answers are written as their promises settle,
 * so a dispatcher that must answer in request order (Kafka) settles them in that order.
 */
export interface FrameDispatcher {
  /** The shortest frame this protocol allows; a shorter declared length closes the connection. */
  readonly frameBytesMin: number
  /** The `listener` label of this connection's byte counters; default the context's listener. */
  readonly trafficListener?: string
  dispatch(payload: Buffer): Promise<ResponseFrame | undefined | 'close'>
}

/** Weir's own protocol: answers go out as they are ready (clients match them by correlation id). */
export function weirFrameDispatcher(context: HandlerContext): FrameDispatcher {
  return {
    frameBytesMin: requestHeaderBytes,
    async dispatch(payload) {
      // The reader's minimum frame size is the request header, so this cannot throw.
      const { header, body } = parseRequestFrame(payload)
      const { traffic, listener } = context
      const startedMs = traffic?.now()
      const frame = await dispatch(header, body, context)
      if (traffic !== undefined && startedMs !== undefined)
        traffic.requestAnswered(listener, header.apiKey, traffic.now() - startedMs)
      return frame
    },
  }
}

/**
 * The response frame for one request, or undefined when none is sent (Produce with acks 0). Every
 * answer to a version with a segmented response (Fetch v1), refusals included, has that version's
 * body shape: the client decodes by the version it sent.
 */
export async function dispatch(
  header: RequestHeader,
  body: Buffer,
  context: HandlerContext,
): Promise<ResponseFrame | undefined> {
  const response = await respond(header, body, context)
  if (response === undefined) return undefined
  const written = pooledRelease(response)
  const api = apiByKey(header.apiKey)
  const spoken =
    api !== undefined && header.apiVersion >= api.versionMin && header.apiVersion <= api.versionMax
  try {
    const parts = encodeApiResponseFrame(
      spoken ? api : undefined,
      header.apiVersion,
      header.correlationId,
      response,
    )
    return { parts, written }
  } catch (error) {
    written()
    throw error
  }
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
    const request = api.decodeRequest(decodeApiBody(api, 'request', apiVersion, body))
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
