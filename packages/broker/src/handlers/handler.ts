// What every API handler gets and returns. A handler turns a decoded request into a response
// object; the connection layer owns framing, timeouts and errors that fail the whole request.
import type { ApiDefinition, ErrorFields, ReceiveBufferPool, TopicConfig } from '@weir/protocol'
import { isWeirError } from '@weir/protocol'
import type { TopicStore } from '@weir/storage'
import type { Logger } from 'pino'
import type { AuthorizerConfig } from '../acl/authorizer.js'
import type { SaslExchange } from '../auth/sasl-exchange.js'
import type { Cluster } from '../cluster/cluster.js'
import type { BrokerEnvironment } from '../environment.js'
import type { GroupService } from '../groups/group-service.js'
import type { BrokerLimits } from '../limits.js'
import type { TrafficObserver } from '../metrics/broker-metrics.js'
import type { PartitionWatch } from '../partition-watch.js'
import type { PeerSession } from '../peer-session.js'
import type { ProducerIdAllocator } from '../producers/producer-ids.js'
import type { ProducerStateRegistry } from '../producers/producer-registry.js'
import type { RequestBudget } from '../request-budget.js'
import type { ResponseRoom } from '../response-room.js'
import type { Session } from '../session.js'
import type { WarningRateLimit } from '../warning-rate-limit.js'

export interface HandlerContext {
  readonly store: TopicStore
  readonly watch: PartitionWatch
  readonly brokerId: number
  /** Where clients reach this broker (Metadata). */
  readonly advertised: { readonly host: string; readonly port: number }
  readonly limits: BrokerLimits
  readonly topicDefaults: TopicConfig
  readonly logger: Logger
  /** True once close() began: long polls answer at once. */
  readonly isClosing: () => boolean
  /** The group coordinator: the __consumer_offsets partitions this broker leads. */
  readonly groups: GroupService
  /** Idempotent producers: ids for InitProducerId, and each partition's deduplication table. */
  readonly producerIds: () => Promise<ProducerIdAllocator>
  readonly producerStates: ProducerStateRegistry
  /** The peer's address, from the socket ('' before a connection exists). */
  readonly clientHost: string
  /** The listener the request came in on: broker-to-broker APIs are served only on 'peer'. */
  readonly listener: 'client' | 'peer'
  /** Who sent the request (per connection; changes when it authenticates). */
  readonly session: Session
  /** On the peer listener only: which broker this connection proved to be (PeerHello, PeerProof). */
  readonly peerSession?: PeerSession | undefined
  /** ACLs on or off, and the super users; checked through handlers/authorize.ts. */
  readonly authorizer: AuthorizerConfig
  /** This connection's SASL exchange; undefined when SASL is off for its listener. */
  readonly sasl?: SaslExchange
  /** This broker's part in its cluster (a cluster of one without --peers): replicas, leaders, controller. */
  readonly cluster: Cluster
  /** Clock, timers, random, network and disk: Node's, or a simulation's. */
  readonly environment: BrokerEnvironment
  /** Request bytes held over every connection (limits.queuedMaxRequestBytes). */
  readonly requestBudget: RequestBudget
  /** Malformed-request warnings, at most one line per client address per interval. */
  readonly warnings: WarningRateLimit
  /** This connection's room for Fetch responses not yet written (limits.maxWriteBufferBytes). */
  readonly responseRoom: ResponseRoom
  /**
   * Broker-wide reusable buffers Fetch reads the log into; given back once the response is written
   * (pooled-reads.ts). Absent: every read gets a fresh buffer.
   */
  readonly readBufferPool?: ReceiveBufferPool
  /** Request counts, latencies and bytes for the metrics endpoint; absent when metrics are off. */
  readonly traffic?: TrafficObserver
}

export interface Handler<Request, Response> {
  readonly api: ApiDefinition<Request, Response>
  /** Resolves with the response, or undefined when the request gets none (Produce with acks 0). */
  handle(request: Request, context: HandlerContext): Promise<Response | undefined>
  /** Time this request may spend waiting on purpose (a long poll), added to requestTimeoutMs. */
  waitMs?(request: Request, context: HandlerContext): number
}

/** Builds a Handler with its request type inferred from the API definition. */
export function defineHandler<Request, Response>(
  handler: Handler<Request, Response>,
): Handler<Request, Response> {
  return handler
}

/**
 * A per-topic or per-partition error. WeirErrors keep their code (they are operating errors:
 * a missing topic, a bad batch, a full disk); anything else is a bug, logged with its stack.
 */
export function errorFields(error: unknown, logger: Logger, what: string): ErrorFields {
  if (isWeirError(error)) return { errorCode: error.errorCode, errorMessage: error.message }
  logger.error({ err: error }, `unexpected error in ${what}`)
  return { errorCode: 1, errorMessage: `unexpected broker error in ${what}; see the broker log` }
}
