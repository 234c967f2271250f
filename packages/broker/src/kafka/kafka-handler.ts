// The contract of one Kafka API handler (handlers/*.ts, registered in kafka-handlers.ts). A handler
// translates the decoded Kafka request into Weir's native request(s), calls the native handler
// (`handlerFor(ApiKeys.X)`) or the service it uses, so validation, limits and ACLs are the native
// listener's by construction, and translates the answer back (errors through Kafka.kafkaErrorCodeOf).
//
// The dispatch (kafka-dispatch.ts) owns everything around it:
// - decoding: `request` is the typed body at `version`, within [versionMin, versionMax] of `api`;
// - order: answers leave the connection in request order, whatever order handlers finish in;
// - the deadline: limits.requestTimeoutMs plus `waitMs` (a long poll); past it, or when `handle`
//   throws a WeirError, the client gets `errorResponse(request, version, kafkaErrorCodeOf(code))`;
//   a non-WeirError is a bug: logged, answered with UNKNOWN_SERVER_ERROR (-1), the connection goes on;
// - the SASL gate: before authentication only ApiVersions, SaslHandshake and SaslAuthenticate run.
import type { Kafka } from '@weir/protocol'
import type { HandlerContext } from '../handlers/index.js'
import type { KafkaAddress } from './kafka-listen.js'

/** What a handler knows about one request besides its body. */
export interface KafkaRequestContext {
  /** The request's API version (the response is encoded at the same version). */
  readonly version: number
  /** The request header: apiKey, apiVersion, correlationId, clientId (null when the client sent none). */
  readonly header: Kafka.KafkaRequestHeader
  /**
   * The broker's native context for this connection (session, limits, cluster, ACLs, groups...):
   * pass it to native handlers. Its `listener` is 'client': the Kafka listener serves what the
   * client listener serves.
   */
  readonly native: HandlerContext
  /** What Metadata names as this broker on the Kafka listener (kafkaAdvertise, or the bound address). */
  readonly kafkaAdvertised: KafkaAddress
}

export interface KafkaHandler<Request, Response> {
  readonly api: Kafka.KafkaApi<Request, Response>
  /** The answer, or undefined when the request gets none (Produce with acks 0). */
  handle(request: Request, context: KafkaRequestContext): Promise<Response | undefined>
  /**
   * The whole-request answer carrying `errorCode` (a Kafka code): every topic, partition or group
   * named in the request gets it. Used for a WeirError thrown by `handle`, a timeout, a bug
   * (UNKNOWN_SERVER_ERROR) or a closing broker. Pure; must not throw.
   */
  errorResponse(request: Request, version: number, errorCode: number): Response
  /** Time this request may spend waiting on purpose (Fetch's maxWaitMs), added to requestTimeoutMs. */
  waitMs?(request: Request, context: KafkaRequestContext): number
  /** True when the request gets no answer even on error (Produce with acks 0). */
  unanswered?(request: Request): boolean
}

/** Builds a KafkaHandler with its types inferred from the API definition. */
export function defineKafkaHandler<Request, Response>(
  handler: KafkaHandler<Request, Response>,
): KafkaHandler<Request, Response> {
  return handler
}

// biome-ignore lint/suspicious/noExplicitAny: a registry of differently-typed handlers
export type AnyKafkaHandler = KafkaHandler<any, any>
