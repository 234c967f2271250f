// What the client knows about the cluster: one pipelined connection per broker address (opened
// lazily, reopened with exponential backoff after a drop by protocol's Redialer) and a metadata
// cache (brokers by id, topics with their partition leaders). No broker is trusted alone: a
// refresh asks several (see metadata-gathering.ts) and merges their answers by leader epoch, and
// a broker whose request timed out or whose connection failed is asked last until it answers
// again. Callers refresh a topic after NOT_LEADER / UNKNOWN_TOPIC, naming the broker that was
// wrong so another is asked first. It also carries the client's Environment: every producer,
// consumer and group member made from the client takes its clock, timers and randomness from here.
import {
  type ApiDefinition,
  type BrokerAddress,
  Connection,
  type Environment,
  errorFromWire,
  Metadata,
  type MetadataResponse,
  type MetadataTopic,
  ReceiveBufferPool,
  Redialer,
  type RequestOptions,
  type Transport,
  WeirError,
} from '@weir/protocol'
import { Instrumentation } from './instrumentation.js'
import {
  addressOf,
  askInTurn,
  gatherMetadata,
  type MetadataSource,
  orderSources,
} from './metadata-gathering.js'
import { metadataGap } from './metadata-merge.js'
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
  /** Where connect, disconnect and request events and log lines go. Default: nowhere. */
  readonly instrumentation?: Instrumentation
}

/** Errors that say a broker did not answer: it is asked last until it answers again. */
const unreachableErrors = ['REQUEST_TIMED_OUT', 'CONNECTION_CLOSED', 'BROKER_UNAVAILABLE']

/**
 * How long a metadata refresh waits for one broker before asking the next one too (at most
 * requestTimeoutMs). A healthy broker answers Metadata in milliseconds; a paused one never does.
 */
const metadataHedgeMsMax = 500

export interface RefreshOptions {
  /** Ask the cache's source again even when the cached copy is fresh. */
  readonly refresh?: boolean
  /** The broker whose answer just proved wrong (NOT_LEADER, no leader, timed out): asked last. */
  readonly avoid?: number
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
  /** Addresses whose last request timed out or whose connection failed; cleared by an answer. */
  private readonly unreachable = new Set<string>()
  /** The address whose metadata answer was used last: asked first next time. */
  private preferredSource: string | undefined
  private closed = false

  readonly environment: Environment
  readonly instrumentation: Instrumentation

  /** Large Fetch responses are assembled in these buffers and reused once consumed (prefetch-buffer.ts). */
  readonly receivePool = new ReceiveBufferPool({ frameBytesMin: 256 * 1024, idleBytesMax: 32 * 1024 * 1024 })

  constructor(readonly options: ClusterOptions) {
    this.bootstrap = options.brokers.map(parseAddress)
    this.environment = options.environment
    this.instrumentation = options.instrumentation ?? new Instrumentation()
  }

  /** A request to any broker that answers (metadata, admin). */
  async request<Request, Response>(
    api: ApiDefinition<Request, Response>,
    body: Request,
    options?: RequestOptions,
  ): Promise<Response> {
    const connection = await this.anyConnection()
    return this.tracked(connection.address, api.name, connection.request(api, body, options))
  }

  /**
   * A request any broker can answer and that may safely be asked of two (InitProducerId,
   * FindCoordinator): asked of one broker, and of the next too when the first has not answered
   * within the metadata hedge (a paused broker keeps its connection open and never answers) or
   * failed. The first answer wins; a request-level error from a broker counts as its answer.
   */
  async requestHedged<Request, Response>(
    api: ApiDefinition<Request, Response>,
    body: Request,
  ): Promise<Response> {
    this.assertOpen()
    const gathered = await askInTurn<Response>({
      sources: this.sources(),
      ask: async (source) => {
        const connection = await this.sourceConnection(source)
        return this.tracked(connection.address, api.name, connection.request(api, body))
      },
      merge: (current, next) => current ?? next,
      gap: () => undefined,
      // A broker's refusal is an answer (it is there): the caller sees it, no other broker is asked.
      fatal: (error) => error instanceof WeirError && !unreachableErrors.includes(error.code),
      hedgeMs: this.hedgeMs,
      timers: this.environment.timers,
      what: api.name,
    })
    return gathered.response
  }

  /**
   * A request to broker `brokerId` (its address learned from metadata): a timeout or a dropped
   * connection marks that broker unreachable, any answer (an error code too) marks it reachable.
   */
  async requestTo<Request, Response>(
    brokerId: number,
    api: ApiDefinition<Request, Response>,
    body: Request,
    options?: RequestOptions,
  ): Promise<Response> {
    const connection = await this.connectionFor(brokerId)
    return this.tracked(connection.address, api.name, connection.request(api, body, options))
  }

  /** Whether broker `brokerId`'s last request timed out or its connection failed (and nothing answered since). */
  isUnreachable(brokerId: number): boolean {
    const broker = this.brokersById.get(brokerId)
    return broker !== undefined && this.unreachable.has(addressOf(broker))
  }

  /** `broker 2 at 127.0.0.1:7172`, for error messages. */
  describeBroker(brokerId: number): string {
    const broker = this.brokersById.get(brokerId)
    return broker === undefined ? `broker ${brokerId}` : `broker ${brokerId} at ${addressOf(broker)}`
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
    try {
      return await this.connectionTo(broker, { failFast: true })
    } catch (error) {
      this.noteFailure(addressOf(broker), error)
      throw error
    }
  }

  /**
   * Metadata merged from as many brokers as it takes (see metadata-gathering.ts): the first one
   * whose answer names a reachable leader for every partition asked, or all of them.
   */
  async metadata(
    topics: readonly string[] | null,
    options: { readonly avoid?: number } = {},
  ): Promise<MetadataResponse> {
    this.assertOpen()
    const gathered = await gatherMetadata({
      sources: this.sources(options.avoid),
      ask: async (source) => {
        const connection = await this.sourceConnection(source)
        return this.tracked(connection.address, Metadata.name, connection.request(Metadata, { topics }))
      },
      // A partition the avoided broker still leads per this answer may be stale news: ask the others
      // too, but not that broker itself (it would only repeat it, or not answer at all).
      gap: (response) =>
        metadataGap(response, topics, (id) => this.isUnreachable(id) || id === options.avoid),
      skip: (source, merged) =>
        merged !== undefined &&
        source.id !== undefined &&
        source.id === options.avoid &&
        metadataGap(merged, topics, (id) => this.isUnreachable(id)) === undefined,
      fatal: (error) => error instanceof WeirError && fatalDialErrors.includes(error.code),
      hedgeMs: this.hedgeMs,
      timers: this.environment.timers,
    })
    const response = gathered.response
    if (gathered.gap === undefined) this.preferredSource = gathered.firstAnswer
    for (const broker of response.brokers) this.brokersById.set(broker.id, broker)
    const now = this.environment.clock.now()
    for (const topic of response.topics) {
      if (topic.errorCode === 0) this.topics.set(topic.name, { metadata: topic, fetchedAtMs: now })
      else this.topics.delete(topic.name)
    }
    return response
  }

  /** A topic's metadata, from cache unless stale or `refresh`; UNKNOWN_TOPIC (retriable) when absent. */
  async topic(name: string, options: RefreshOptions = {}): Promise<MetadataTopic> {
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
      pending = this.fetchTopic(name, options.avoid).finally(() => this.topicRefreshes.delete(name))
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

  private async fetchTopic(name: string, avoid: number | undefined): Promise<MetadataTopic> {
    const response = await this.metadata([name], avoid === undefined ? {} : { avoid })
    const topic = response.topics.find((entry) => entry.name === name)
    if (topic === undefined) throw new WeirError('UNKNOWN_TOPIC', `metadata has no topic ${name}`)
    if (topic.errorCode !== 0) throw errorFromWire(topic.errorCode, topic.errorMessage)
    return topic
  }

  /** Every known broker and bootstrap address, in the order to ask them (see orderSources). */
  private sources(avoid?: number): MetadataSource[] {
    const candidates: MetadataSource[] = [...this.brokersById.values(), ...this.bootstrap]
    return orderSources(candidates, {
      unreachable: (address) => this.unreachable.has(address),
      avoid,
      preferred: this.preferredSource,
    })
  }

  private get hedgeMs(): number {
    return Math.min(metadataHedgeMsMax, this.options.requestTimeoutMs)
  }

  /** A metadata source's connection; a failed connect marks it unreachable. */
  private async sourceConnection(source: MetadataSource): Promise<Connection> {
    try {
      return await this.connectionTo(source, { failFast: true })
    } catch (error) {
      this.noteFailure(addressOf(source), error)
      throw error
    }
  }

  /** Settles as `request` does, noting on the way whether `address` answered. */
  private async tracked<Response>(
    address: string,
    api: string,
    request: Promise<Response>,
  ): Promise<Response> {
    // Called in the same tick as connection.request: the clock read here is when the request began.
    const startedMs = this.environment.clock.now()
    try {
      const response = await request
      this.unreachable.delete(address)
      this.reportRequest('request', api, address, startedMs)
      return response
    } catch (error) {
      this.noteFailure(address, error)
      if (error instanceof WeirError && error.code === 'REQUEST_TIMED_OUT')
        this.reportRequest('request_timeout', api, address, startedMs)
      // A broker's refusal (an error code in its answer) is still an answer.
      else if (
        error instanceof WeirError &&
        !unreachableErrors.includes(error.code) &&
        error.code !== 'CLIENT_CLOSED'
      )
        this.reportRequest('request', api, address, startedMs)
      throw error
    }
  }

  private reportRequest(
    event: 'request' | 'request_timeout',
    api: string,
    broker: string,
    startedMs: number,
  ): void {
    if (!this.instrumentation.wants(event)) return
    this.instrumentation.emit(event, { api, broker, durationMs: this.environment.clock.now() - startedMs })
  }

  private noteFailure(address: string, error: unknown): void {
    if (error instanceof WeirError && unreachableErrors.includes(error.code)) this.unreachable.add(address)
    // Any other error is an answer: the broker is there.
    else this.unreachable.delete(address)
  }

  /**
   * An open connection to a broker that answers if there is one, else the first known broker or
   * bootstrap address that answers (brokers that lately did not are tried last).
   */
  private async anyConnection(): Promise<Connection> {
    this.assertOpen()
    for (const slot of this.slots.values()) {
      if (slot.connection !== undefined && !this.unreachable.has(slot.connection.address))
        return slot.connection
    }
    const candidates = orderSources([...this.bootstrap, ...this.brokersById.values()], {
      unreachable: (address) => this.unreachable.has(address),
    })
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
          this.noteFailure(address, error)
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
          receivePool: this.receivePool,
          host: target.host,
          port: target.port,
          transport: this.reportingClose(environment.transport),
          timers: environment.timers,
        })
        if (this.options.sasl !== undefined) {
          try {
            await saslLogin(connection, this.options.sasl)
          } catch (error) {
            connection.close()
            throw error
          }
        }
        this.instrumentation.emit('connect', { broker: connection.address })
        return connection
      },
      clock: environment.clock,
      timers: environment.timers,
      backoffMs: reconnectBackoffMs,
      backoffMsMax: reconnectBackoffMsMax,
      closedError: () => new WeirError('CLIENT_CLOSED', 'the client is closed'),
    })
  }

  /** The same transport, whose sockets report `disconnect` when they close, from either side. */
  private reportingClose(transport: Transport): Transport {
    return {
      connect: async (address, timeoutMs) => {
        const socket = await transport.connect(address, timeoutMs)
        const broker = `${address.host}:${address.port}`
        socket.on('close', () => this.instrumentation.emit('disconnect', { broker }))
        return socket
      },
      listen: (address, accept) => transport.listen(address, accept),
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new WeirError('CLIENT_CLOSED', 'the client is closed')
  }
}
