// One Kafka connection's frames → answers, in request order (Kafka clients match answers to
// requests by position as well as correlation id). Requests run concurrently (the connection caps
// them at limits.maxInFlightRequests); each answer waits for the one before it.
//
// What cannot be answered closes the connection, with a rate-limited log line naming why: bytes
// that do not parse, an API or version we do not speak (the client would read any answer at a
// layout we do not know), a request before SASL authentication. ApiVersions at a newer version is
// the exception Kafka defines (KIP-511): a v0 answer with UNSUPPORTED_VERSION and our range.
// A handler's WeirError becomes its Kafka code in the API's own answer; a bug becomes
// UNKNOWN_SERVER_ERROR and an error log, and the connection carries on.
import { isWeirError, Kafka, WeirError } from '@weir/protocol'
import type { FrameDispatcher, ResponseFrame } from '../dispatch.js'
import { withTimeout } from '../environment.js'
import type { HandlerContext } from '../handlers/index.js'
import { pooledRelease } from '../handlers/pooled-reads.js'
import { warnLimited } from '../warning-rate-limit.js'
import { kafkaRefusedBeforeAuthentication } from './kafka-gate.js'
import type { AnyKafkaHandler, KafkaRequestContext } from './kafka-handler.js'
import { kafkaHandlerFor } from './kafka-handlers.js'
import type { KafkaAddress } from './kafka-listen.js'

/** api_key INT16, api_version INT16, correlation_id INT32, client_id length INT16: the least header. */
export const kafkaRequestHeaderBytesMin = 10

type Outcome = ResponseFrame | undefined | 'close'

export class KafkaDispatcher implements FrameDispatcher {
  readonly frameBytesMin = kafkaRequestHeaderBytesMin
  readonly trafficListener = 'kafka'
  /** Settles once every answer before the newest request is settled (never rejects). */
  private previous: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly context: HandlerContext,
    private readonly kafkaAdvertised: KafkaAddress,
    private readonly lookup: (apiKey: number) => AnyKafkaHandler | undefined = kafkaHandlerFor,
  ) {}

  dispatch(payload: Buffer): Promise<Outcome> {
    // Started now, released in order.
    const answer = this.answer(payload)
    const ordered = this.previous.then(() => answer)
    this.previous = ordered.catch(() => undefined)
    return ordered
  }

  private async answer(payload: Buffer): Promise<Outcome> {
    let decoded: Kafka.DecodedKafkaRequest
    try {
      decoded = Kafka.decodeKafkaRequest(payload)
    } catch (error) {
      if (!isWeirError(error))
        this.context.logger.error({ err: error }, 'unexpected error decoding a Kafka request')
      return this.close({ reason: (error as Error).message }, 'closing Kafka connection: malformed request')
    }
    const { header } = decoded
    if (decoded.kind === 'unsupported-version' && header.apiKey === Kafka.KafkaApiKeys.ApiVersions) {
      return { parts: [Kafka.unsupportedApiVersionsResponse(header.correlationId)], written: () => {} }
    }
    const handler = this.lookup(header.apiKey)
    if (decoded.kind !== 'request' || handler === undefined || handler.api !== decoded.api) {
      const known = Kafka.kafkaApiFor(header.apiKey)
      const what =
        known === undefined
          ? 'an unknown API'
          : `${known.name} at a version or API this listener does not serve`
      return this.close(
        { apiKey: header.apiKey, apiVersion: header.apiVersion, clientId: header.clientId },
        `closing Kafka connection: ${what} (ApiVersions lists what is served; see docs/kafka.md)`,
      )
    }
    const refusal = kafkaRefusedBeforeAuthentication(header.apiKey, this.context)
    if (refusal !== undefined)
      return this.close({ apiKey: header.apiKey }, `closing Kafka connection: ${refusal}`)
    const request: unknown = decoded.body
    const context: KafkaRequestContext = {
      version: header.apiVersion,
      header,
      native: this.context,
      kafkaAdvertised: this.kafkaAdvertised,
    }
    const { traffic } = this.context
    const startedMs = traffic?.now()
    const response = await this.run(handler, request, context)
    if (traffic !== undefined && startedMs !== undefined)
      traffic.kafkaRequestAnswered(handler.api.name, traffic.now() - startedMs)
    if (response === undefined) return undefined
    const written = pooledRelease(response)
    try {
      const parts = Kafka.encodeKafkaResponseParts(
        handler.api,
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

  /** The handler's answer, or its errorResponse for a closing broker, a WeirError, a timeout or a bug. */
  private async run(
    handler: AnyKafkaHandler,
    request: unknown,
    context: KafkaRequestContext,
  ): Promise<object | undefined> {
    const { api } = handler
    const version = context.version
    const failed = (code: number) =>
      handler.unanswered?.(request) ? undefined : handler.errorResponse(request, version, code)
    if (this.context.isClosing()) return failed(Kafka.kafkaErrorCodeOf('BROKER_SHUTTING_DOWN'))
    const { limits, environment } = this.context
    const budgetMs = limits.requestTimeoutMs + (handler.waitMs?.(request, context) ?? 0)
    const late = () => new WeirError('REQUEST_TIMED_OUT', `Kafka ${api.name} took longer than ${budgetMs} ms`)
    try {
      return await withTimeout(environment, handler.handle(request, context), budgetMs, late)
    } catch (error) {
      if (isWeirError(error)) {
        if (error.code === 'INVALID_REQUEST')
          this.warn({ api: api.name, reason: error.message }, 'malformed Kafka request')
        return failed(Kafka.kafkaErrorCodeOf(error.code))
      }
      this.context.logger.error({ err: error, api: api.name }, 'unexpected error handling a Kafka request')
      return failed(Kafka.KafkaErrorCodes.UNKNOWN_SERVER_ERROR.code)
    }
  }

  private close(fields: object, message: string): 'close' {
    this.warn(fields, message)
    return 'close'
  }

  /** One warning line per client address per malformedWarningIntervalMs, with the count held back. */
  private warn(fields: object, message: string): void {
    const { warnings, environment, logger, clientHost } = this.context
    warnLimited({ limiter: warnings, clock: environment.clock, logger }, clientHost, fields, message)
  }
}
