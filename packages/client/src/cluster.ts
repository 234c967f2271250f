// What the client knows about the cluster: one pipelined connection per broker address (opened
// lazily, reopened with exponential backoff after a drop by protocol's Redialer) and a metadata
// cache (brokers by id, topics with their partition leaders). Callers refresh a topic after
// NOT_LEADER / UNKNOWN_TOPIC. It also carries the client's Environment: every producer, consumer
// and group member made from the client takes its clock, timers and randomness from here.
import {
  type ApiDefinition,
  type BrokerAddress,
  Connection,
  type Environment,
  errorFromWire,
  Metadata,
  type MetadataResponse,
  type MetadataTopic,
  Redialer,
  type RequestOptions,
  WeirError,
} from '@weir/protocol'
import { type SaslOptions, saslLogin } from './sasl-login.js'

/** Errors of a connection that retrying elsewhere cannot fix: the caller must see them as they are. */
const fatalDialErrors = [
  'CLIENT_CLOSED',
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
]

export interface ClusterOptions {
  readonly brokers: readonly string[]
  readonly connectTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly inFlightMax: number
  readonly frameBytesMax: number
  readonly reconnectBackoffMs: number
  readonly reconnectBackoffMsMax: number
  readonly metadataMaxAgeMs: number
  readonly environment: Environment
  /** Every new connection logs in with these before its first request. */
  readonly sasl?: SaslOptions
}

interface HostPort {
  readonly host: string
  readonly port: number
}

interface CachedTopic {
  readonly metadata: MetadataTopic
  readonly fetchedAtMs: number
}

export function parseAddress(address: string): HostPort {
  const match = /^(.+):(\d{1,5})$/.exec(address.trim())
  const port = match ? Number(match[2]) : Number.NaN
  if (!match || port < 1 || port > 65_535) {
    throw new WeirError('INVALID_CONFIG', `broker address ${JSON.stringify(address)} must be host:port`)
  }
  const host = match[1]!.replace(/^\[(.*)\]$/, '$1')
  return { host, port }
}

export class Cluster {
  private readonly bootstrap: HostPort[]
  private readonly slots = new Map<string, Redialer<Connection>>()
  private readonly brokersById = new Map<number, BrokerAddress>()
  private readonly topics = new Map<string, CachedTopic>()
  private readonly topicRefreshes = new Map<string, Promise<MetadataTopic>>()
  private closed = false

  readonly environment: Environment

  constructor(readonly options: ClusterOptions) {
    this.bootstrap = options.brokers.map(parseAddress)
    this.environment = options.environment
  }

  /** A request to any broker that answers (metadata, admin). */
  async request<Request, Response>(
    api: ApiDefinition<Request, Response>,
    body: Request,
    options?: RequestOptions,
  ): Promise<Response> {
    const connection = await this.anyConnection()
    return connection.request(api, body, options)
  }

  /** The connection to a broker by id, learning its address from metadata when unknown. */
  async connectionFor(brokerId: number): Promise<Connection> {
    if (brokerId < 0) throw new WeirError('NOT_LEADER', 'the partition has no leader right now')
    let broker = this.brokersById.get(brokerId)
    if (broker === undefined) {
      await this.metadata([])
      broker = this.brokersById.get(brokerId)
    }
    if (broker === undefined) throw new WeirError('NOT_LEADER', `broker ${brokerId} is not in the metadata`)
    // A broker that just failed is not waited for: the caller backs off and refreshes metadata,
    // and finds the partition's new leader as soon as one is elected (Kafka's sender does the same).
    return this.connectionTo(broker, { failFast: true })
  }

  async metadata(topics: readonly string[] | null): Promise<MetadataResponse> {
    const response = await this.request(Metadata, { topics })
    for (const broker of response.brokers) this.brokersById.set(broker.id, broker)
    const now = this.environment.clock.now()
    for (const topic of response.topics) {
      if (topic.errorCode === 0) this.topics.set(topic.name, { metadata: topic, fetchedAtMs: now })
      else this.topics.delete(topic.name)
    }
    return response
  }

  /** A topic's metadata, from cache unless stale or `refresh`; UNKNOWN_TOPIC (retriable) when absent. */
  async topic(name: string, options: { readonly refresh?: boolean } = {}): Promise<MetadataTopic> {
    const cached = this.topics.get(name)
    if (
      !options.refresh &&
      cached &&
      this.environment.clock.now() - cached.fetchedAtMs < this.options.metadataMaxAgeMs
    ) {
      return cached.metadata
    }
    let pending = this.topicRefreshes.get(name)
    if (pending === undefined) {
      pending = this.fetchTopic(name).finally(() => this.topicRefreshes.delete(name))
      this.topicRefreshes.set(name, pending)
    }
    return pending
  }

  /** The cached topic metadata, if any, without I/O. */
  cachedTopic(name: string): MetadataTopic | undefined {
    return this.topics.get(name)?.metadata
  }

  /**
   * The cached topic metadata without waiting; when older than metadataMaxAgeMs a refresh starts in
   * the background, so a hot path (the producer) learns of new partitions within that age.
   */
  cachedTopicRefreshingStale(name: string): MetadataTopic | undefined {
    const cached = this.topics.get(name)
    if (
      cached &&
      !this.closed &&
      this.environment.clock.now() - cached.fetchedAtMs >= this.options.metadataMaxAgeMs
    )
      this.topic(name).catch(() => undefined)
    return cached?.metadata
  }

  invalidate(name: string): void {
    this.topics.delete(name)
  }

  close(): void {
    this.closed = true
    for (const slot of this.slots.values()) slot.close()
    this.slots.clear()
  }

  private async fetchTopic(name: string): Promise<MetadataTopic> {
    const response = await this.metadata([name])
    const topic = response.topics.find((entry) => entry.name === name)
    if (topic === undefined) throw new WeirError('UNKNOWN_TOPIC', `metadata has no topic ${name}`)
    if (topic.errorCode !== 0) throw errorFromWire(topic.errorCode, topic.errorMessage)
    return topic
  }

  /** An open connection if there is one, else the first known broker or bootstrap address that answers. */
  private async anyConnection(): Promise<Connection> {
    this.assertOpen()
    for (const slot of this.slots.values()) {
      if (slot.connection !== undefined) return slot.connection
    }
    const candidates = [...this.bootstrap, ...this.brokersById.values()]
    const tried: string[] = []
    let lastError: unknown
    // Brokers reachable now first; only when none answers, wait for those backing off.
    for (const failFast of [true, false]) {
      for (const candidate of candidates) {
        const address = `${candidate.host}:${candidate.port}`
        if (tried.includes(address)) continue
        if (failFast && this.slots.get(address)?.backingOff) continue
        tried.push(address)
        try {
          return await this.connectionTo(candidate)
        } catch (error) {
          if (error instanceof WeirError && fatalDialErrors.includes(error.code)) throw error
          lastError = error
        }
      }
    }
    throw new WeirError('BROKER_UNAVAILABLE', `no broker answered; tried ${tried.join(', ')}`, {
      cause: lastError,
    })
  }

  private async connectionTo(target: HostPort, options: { failFast?: boolean } = {}): Promise<Connection> {
    this.assertOpen()
    const address = `${target.host}:${target.port}`
    let slot = this.slots.get(address)
    if (slot === undefined) {
      slot = this.redialer(target)
      this.slots.set(address, slot)
    }
    return slot.connect({ waitForBackoff: !options.failFast })
  }

  private redialer(target: HostPort): Redialer<Connection> {
    const { environment, reconnectBackoffMs, reconnectBackoffMsMax } = this.options
    return new Redialer({
      description: `broker ${target.host}:${target.port}`,
      dial: async () => {
        const connection = await Connection.open({
          ...this.options,
          host: target.host,
          port: target.port,
          transport: environment.transport,
          timers: environment.timers,
        })
        if (this.options.sasl === undefined) return connection
        try {
          await saslLogin(connection, this.options.sasl)
        } catch (error) {
          connection.close()
          throw error
        }
        return connection
      },
      clock: environment.clock,
      timers: environment.timers,
      backoffMs: reconnectBackoffMs,
      backoffMsMax: reconnectBackoffMsMax,
      closedError: () => new WeirError('CLIENT_CLOSED', 'the client is closed'),
    })
  }

  private assertOpen(): void {
    if (this.closed) throw new WeirError('CLIENT_CLOSED', 'the client is closed')
  }
}
