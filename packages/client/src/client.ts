// The entry point: holds the cluster view (connections and metadata) shared by the admin, every
// producer and every consumer made from it, and closes them all.
import {
  type Environment,
  frameBytesMaxDefault,
  nodeEnvironment,
  type TlsOptions,
  tlsTransport,
  WeirError,
} from '@weir/protocol'
import { Admin } from './admin.js'
import { Cluster, parseAddress } from './cluster.js'
import { Consumer, type ConsumerOptions } from './consumer.js'
import { GroupConsumer, type GroupConsumerOptions } from './group-consumer.js'
import { GroupMembership, type GroupMembershipOptions } from './groups/group-membership.js'
import {
  type ClientEventName,
  type ClientEvents,
  Instrumentation,
  isLogger,
  type Logger,
} from './instrumentation.js'
import { integerOption, renamedOption } from './limits.js'
import { BrokerOffsetStore } from './offsets/broker-offset-store.js'
import { Producer, type ProducerOptions } from './producer.js'
import { checkSaslOptions, type SaslOptions } from './sasl-login.js'
import type { TopicRef, ValueOf } from './topic.js'

/** TLS to the brokers: PEM strings or Buffers, as node:tls takes them. */
export interface ClientTlsOptions {
  /** CA bundle the broker certificates must chain to (default: Node's public roots). */
  readonly ca?: string | Buffer
  /** Client certificate and key, for brokers that require them (mTLS). */
  readonly cert?: string | Buffer
  readonly key?: string | Buffer
  /** Name checked against the broker certificate (default: the host connected to). */
  readonly servername?: string
}

export interface ClientOptions {
  /** Bootstrap addresses, `host:port`; tried in order until one answers. */
  readonly brokers: readonly string[]
  /** Names this client in broker logs. Default 'weir-client'. */
  readonly clientId?: string
  /** Default 10 000. */
  readonly connectTimeoutMs?: number
  /** A request without a response this long fails with REQUEST_TIMED_OUT (retriable). Default 30 000. */
  readonly requestTimeoutMs?: number
  /** Requests in flight per connection; more wait for a slot. Default 64. */
  readonly maxInFlight?: number
  /** @deprecated Use maxInFlight (the new name wins when both are given). */
  readonly inFlightMax?: number
  /** Largest response frame accepted. Default 16 MiB. */
  readonly maxFrameBytes?: number
  /** @deprecated Use maxFrameBytes (the new name wins when both are given). */
  readonly frameBytesMax?: number
  /** Reconnect backoff after a failed connect, doubling up to maxReconnectBackoffMs. Defaults 100 and 5000. */
  readonly reconnectBackoffMs?: number
  readonly maxReconnectBackoffMs?: number
  /** @deprecated Use maxReconnectBackoffMs (the new name wins when both are given). */
  readonly reconnectBackoffMsMax?: number
  /** Topic metadata older than this is fetched again before use (the producer refreshes it in the
   *  background, so it sees partitions added by another client within this age). Default 300 000. */
  readonly maxMetadataAgeMs?: number
  /** @deprecated Use maxMetadataAgeMs (the new name wins when both are given). */
  readonly metadataMaxAgeMs?: number
  /**
   * Where the client takes time, timers, randomness and connections from. Default: Node's clock and
   * timers, Math.random and TCP. Tests and the seeded simulation hand in virtual time and an
   * in-memory network (protocol's SimulatedTime and MemoryNetwork).
   */
  readonly environment?: Environment
  /** Connect over TLS (1.2 at least, 1.3 when the broker has it). Default: plain TCP. */
  readonly tls?: ClientTlsOptions
  /** Log every connection in with SASL before its first request. Default: no authentication. */
  readonly sasl?: SaslOptions
  /**
   * A pino-compatible logger (`debug`, `info`, `warn`, `error`, each taking an object and/or a
   * message): the client logs its retries, reconnects and rebalances through it. Default: silent.
   */
  readonly logger?: Logger
}

function clientEnvironment(options: ClientOptions): Environment {
  const environment = options.environment ?? nodeEnvironment
  if (options.tls === undefined) return environment
  const { ca, cert, key, servername } = options.tls
  const tls: TlsOptions = {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(servername === undefined ? {} : { servername }),
  }
  return { ...environment, transport: tlsTransport(tls) }
}

export class Client {
  readonly clientId: string
  private readonly cluster: Cluster
  private readonly instrumentation: Instrumentation
  private readonly producers = new Set<Producer>()
  private readonly consumers = new Set<{ close(): Promise<void> }>()
  private readonly memberships = new Set<GroupMembership>()
  private closed = false

  constructor(options: ClientOptions) {
    const owner = 'client'
    if (!Array.isArray(options?.brokers) || options.brokers.length === 0) {
      throw new WeirError('INVALID_CONFIG', 'client option brokers must list at least one host:port')
    }
    options.brokers.forEach(parseAddress)
    if (options.logger !== undefined && !isLogger(options.logger))
      throw new WeirError(
        'INVALID_CONFIG',
        'client option logger must have debug, info, warn and error methods (pino, or an object of four functions)',
      )
    this.instrumentation = new Instrumentation(options.logger)
    this.clientId = options.clientId ?? 'weir-client'
    this.cluster = new Cluster({
      brokers: options.brokers,
      connectTimeoutMs: integerOption(owner, 'connectTimeoutMs', options.connectTimeoutMs, 10_000, 1),
      requestTimeoutMs: integerOption(owner, 'requestTimeoutMs', options.requestTimeoutMs, 30_000, 1),
      inFlightMax: integerOption(
        owner,
        ...renamedOption(options, 'maxInFlight', 'inFlightMax'),
        64,
        1,
        65_536,
      ),
      frameBytesMax: integerOption(
        owner,
        ...renamedOption(options, 'maxFrameBytes', 'frameBytesMax'),
        frameBytesMaxDefault,
        65_536,
      ),
      reconnectBackoffMs: integerOption(owner, 'reconnectBackoffMs', options.reconnectBackoffMs, 100, 1),
      reconnectBackoffMsMax: integerOption(
        owner,
        ...renamedOption(options, 'maxReconnectBackoffMs', 'reconnectBackoffMsMax'),
        5000,
        1,
      ),
      metadataMaxAgeMs: integerOption(
        owner,
        ...renamedOption(options, 'maxMetadataAgeMs', 'metadataMaxAgeMs'),
        300_000,
        0,
      ),
      environment: clientEnvironment(options),
      instrumentation: this.instrumentation,
      ...(options.sasl === undefined ? {} : { sasl: checkSaslOptions(options.sasl) }),
    })
  }

  /**
   * Instrumentation events of every connection and request this client makes: `connect`,
   * `disconnect` (`{ broker }`), `request` and `request_timeout` (`{ api, broker, durationMs }`).
   * Group consumers add their own (`rebalancing`, `group_join`, `crash`) on the consumer.
   */
  on<E extends ClientEventName>(event: E, listener: (payload: ClientEvents[E]) => void): this {
    this.instrumentation.on(event, listener)
    return this
  }

  off<E extends ClientEventName>(event: E, listener: (payload: ClientEvents[E]) => void): this {
    this.instrumentation.off(event, listener)
    return this
  }

  admin(): Admin {
    this.assertOpen()
    return new Admin(this.cluster, () => this.assertOpen())
  }

  producer(options: ProducerOptions = {}): Producer {
    this.assertOpen()
    const producer = new Producer(this.cluster, options)
    this.producers.add(producer)
    return producer
  }

  /** Without `groupId`: reads every partition itself. With it: a member of that consumer group. */
  consumer<R extends TopicRef<unknown>>(options: GroupConsumerOptions<R>): GroupConsumer<ValueOf<R>>
  consumer<R extends TopicRef<unknown>>(options: ConsumerOptions<R>): Consumer<ValueOf<R>>
  consumer<R extends TopicRef<unknown>>(
    options: ConsumerOptions<R> | GroupConsumerOptions<R>,
  ): Consumer<ValueOf<R>> | GroupConsumer<ValueOf<R>> {
    this.assertOpen()
    if (options.groupId !== undefined) {
      const consumer = new GroupConsumer<ValueOf<R>>(
        this.cluster,
        options as GroupConsumerOptions<R>,
        this.clientId,
      )
      this.consumers.add(consumer)
      return consumer
    }
    const consumer = new Consumer<ValueOf<R>>(this.cluster, options as ConsumerOptions<R>)
    this.consumers.add(consumer)
    return consumer
  }

  /**
   * A member of consumer group `options.groupId` (join, sync, heartbeat, leave), not yet started:
   * the building block of the group consumer. Call `start()`; `close()` leaves the group.
   */
  groupMembership(options: GroupMembershipOptions): GroupMembership {
    this.assertOpen()
    const membership = new GroupMembership(this.cluster, { clientId: this.clientId, ...options })
    this.memberships.add(membership)
    return membership
  }

  /** The default offset store: OffsetCommit/OffsetFetch to each group's coordinator. */
  brokerOffsetStore(): BrokerOffsetStore {
    this.assertOpen()
    return new BrokerOffsetStore(this.cluster)
  }

  /** Flushes and closes every producer, closes every consumer and group member, then the connections. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.allSettled([...this.producers].map((producer) => producer.close()))
    await Promise.allSettled([...this.consumers].map((consumer) => consumer.close()))
    await Promise.allSettled([...this.memberships].map((membership) => membership.close()))
    this.cluster.close()
  }

  private assertOpen(): void {
    if (this.closed) throw new WeirError('CLIENT_CLOSED', 'the client is closed')
  }
}
