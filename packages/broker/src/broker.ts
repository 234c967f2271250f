// The embeddable broker: a listener over a cluster of replicas (a cluster of one without --peers).
// In a cluster a second listener, the peer listener, takes broker-to-broker traffic only; its
// connections must authenticate (mutual TLS or the cluster secret) before anything is served.
// Broker.start binds and returns once it serves; close() stops accepting, lets in-flight requests
// finish (waking long polls), closes every connection and then the logs, so the next start skips
// crash recovery. Everything it takes from the world (clock, timers, random, network, disk) comes
// from one BrokerEnvironment: Node's by default, a simulation's in the seeded multi-broker tests.
import { hostname } from 'node:os'
import {
  ReceiveBufferPool,
  settlesWithin,
  type Timer,
  type TransportListener,
  type TransportSocket,
} from '@weir/protocol'
import { SyncRounds, TopicStore } from '@weir/storage'
import type { Logger } from 'pino'
import { openBrokerWarning } from './acl/authorizer-options.js'
import { ClientSecurity } from './auth/client-security.js'
import { Cluster } from './cluster/cluster.js'
import { controllerTopic } from './cluster/controller.js'
import {
  loadPeerSecurity,
  type PeerSecurity,
  peerAuthenticationTimeoutMs,
  peerTransport,
} from './cluster/peer-security.js'
import { Connection } from './connection.js'
import { weirFrameDispatcher } from './dispatch.js'
import { type BrokerEnvironment, nodeBrokerEnvironment } from './environment.js'
import { GroupService } from './groups/group-service.js'
import type { HandlerContext } from './handlers/index.js'
import { KafkaDispatcher } from './kafka/kafka-dispatch.js'
import { type KafkaListening, openKafkaListener } from './kafka/kafka-listener.js'
import { LogCleaning } from './log-cleaning.js'
import { createLogger } from './logger.js'
import { BrokerMetrics } from './metrics/broker-metrics.js'
import { MetricsEndpoint } from './metrics/metrics-endpoint.js'
import { type BrokerOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { PartitionWatch } from './partition-watch.js'
import { closeUnlessAuthenticated, newPeerSession } from './peer-session.js'
import { lazyProducerIds } from './producers/producer-ids.js'
import { ProducerStateRegistry } from './producers/producer-registry.js'
import { RequestBudget } from './request-budget.js'
import { ResponseRoom } from './response-room.js'
import { anonymousSession } from './session.js'
import { WarningRateLimit, warnLimited } from './warning-rate-limit.js'

export interface BrokerAddress {
  readonly host: string
  readonly port: number
}

type ListenerName = 'client' | 'peer' | 'kafka'

export class Broker {
  private readonly connections = new Set<Connection>()
  /** Open connections per remote IP address (limits.maxConnectionsPerIp). */
  private readonly connectionsPerIp = new Map<string, number>()
  private readonly context: HandlerContext
  private retentionTimer: Timer | undefined
  private retentionRun: Promise<void> | undefined
  /** The log cleaner of compacted topics (cleanup.policy=compact). */
  private readonly cleaning: LogCleaning
  private closing: Promise<void> | undefined
  /** close() under way: the leadership hand-off, then `closing`. */
  private stopping: Promise<void> | undefined

  private constructor(
    private readonly options: ResolvedOptions,
    readonly logger: Logger,
    readonly store: TopicStore,
    /** The group coordinator; `broker.groups.loaded` resolves once the groups led here are loaded. */
    readonly groups: GroupService,
    private readonly listener: TransportListener,
    readonly address: BrokerAddress,
    /** The peer listener's bound address; undefined for a broker alone (it opens no peer port). */
    readonly peerAddress: BrokerAddress | undefined,
    private readonly peerListener: TransportListener | undefined,
    /** This broker's part in its cluster (of one, without --peers): replicas, leaders, controller. */
    readonly cluster: Cluster,
    private readonly watch: PartitionWatch,
    private readonly environment: BrokerEnvironment,
    accepting: { accept: (socket: TransportSocket, listener: ListenerName) => void },
    private readonly security: ClientSecurity,
    private readonly metricsEndpoint: MetricsEndpoint | undefined,
    /** The Kafka-protocol listener (--kafka-listen); undefined when off. */
    private readonly kafka: KafkaListening | undefined,
  ) {
    this.context = {
      ...(metricsEndpoint === undefined ? {} : { traffic: metricsEndpoint.metrics }),
      store,
      watch: this.watch,
      brokerId: options.brokerId,
      advertised: { host: advertisedHost(options), port: address.port },
      limits: options.limits,
      topicDefaults: options.topicDefaults,
      logger,
      isClosing: () => this.closing !== undefined,
      groups,
      producerIds: lazyProducerIds(options.dataDir, options.brokerId, environment.files),
      producerStates: new ProducerStateRegistry(),
      clientHost: '',
      listener: 'client',
      session: anonymousSession(),
      authorizer: options.authorizer,
      cluster,
      environment,
      requestBudget: new RequestBudget(options.limits.queuedMaxRequestBytes),
      warnings: new WarningRateLimit(options.limits.malformedWarningIntervalMs),
      // Replaced per connection; this one serves no socket.
      responseRoom: new ResponseRoom(options.limits.maxWriteBufferBytes, () => 0),
      // Fresh read buffers fault in every page (measured as the Fetch path's largest cost after
      // the copies); reads of 64 KiB or more reuse these instead.
      readBufferPool: new ReceiveBufferPool({ frameBytesMin: 64 * 1024, idleBytesMax: 64 * 1024 * 1024 }),
    }
    accepting.accept = (socket, listener) => this.accept(socket, listener)
    // A new leader rebuilds each producer table from its log: what it cached while leading before
    // missed the batches it appended as a follower.
    cluster.onLeadershipGained((replica) => this.context.producerStates.drop(replica.log))
    // A deleted user is logged out everywhere: its open connections close, and logging in again
    // fails. (An mTLS principal is a certificate subject, never a SCRAM user's name.)
    cluster.onUserDeleted((name) => {
      for (const connection of this.connections) {
        if (connection.principal === `User:${name}`) connection.drop(`user ${name} was deleted`)
      }
    })
    this.retentionTimer = environment.timers.setInterval(
      () => this.runRetention(),
      options.limits.retentionCheckIntervalMs,
    )
    this.retentionTimer.unref()
    this.cleaning = new LogCleaning(store, cluster, options.limits, environment.timers, logger)
    this.cleaning.start()
  }

  /**
   * Checks the options, opens (and recovers) the data directory and binds. Errors: INVALID_CONFIG
   * (a bad option, or the address is in use or not available), NOT_A_WEIR_LOG and the storage errors.
   */
  static async start(options: BrokerOptions): Promise<Broker> {
    const resolved = resolveOptions(options)
    const environment = options.environment ?? nodeBrokerEnvironment
    const logger = options.logger ?? createLogger(resolved.logLevel)
    const security = await ClientSecurity.load(resolved.security)
    // Bound first: /health answers while the logs recover.
    const metricsEndpoint =
      resolved.metricsListen === undefined
        ? undefined
        : await MetricsEndpoint.open(resolved.metricsListen, new BrokerMetrics(resolved.brokerId), logger)
    const syncObserver = metricsEndpoint?.metrics.syncObserver
    const store = await TopicStore.open(resolved.dataDir, {
      io: environment.files,
      clock: environment.clock,
      timers: environment.timers,
      random: environment.random,
      // In a cluster a damaged segment is cut and copied again from the leader (RaftReplica.open);
      // a broker alone has no other copy and refuses to start, naming the file.
      onCorruption: (resolved.peers?.length ?? 1) > 1 ? 'truncate' : 'fail',
      ...(syncObserver === undefined ? {} : { syncRounds: new SyncRounds(environment.timers, syncObserver) }),
    }).catch(async (error: unknown) => {
      await metricsEndpoint?.close()
      throw error
    })
    let listener: TransportListener | undefined
    let peerListener: TransportListener | undefined
    let kafka: KafkaListening | undefined
    let groups: GroupService | undefined
    let cluster: Cluster | undefined
    const watch = new PartitionWatch()
    const early: [TransportSocket, ListenerName][] = []
    // Until the broker serves, connections are held unread (bounded like served connections:
    // past maxConnections an early one is refused, and retries).
    const accepting = {
      accept: (socket: TransportSocket, name: ListenerName) => {
        if (early.length < resolved.limits.maxConnections) early.push([socket, name])
        else socket.destroy()
      },
    }
    try {
      let peerSecurity: PeerSecurity | undefined
      if (resolved.peerListen !== undefined) {
        peerSecurity = await loadPeerSecurity(resolved.peerSecurity)
        // Peers dial this port as soon as they start: bind first, then open the cluster.
        peerListener = await peerTransport(peerSecurity, environment.transport).listen(
          resolved.peerListen,
          (socket) => accepting.accept(socket, 'peer'),
        )
      }
      listener = await security
        .listenTransport(environment.transport)
        .listen({ host: resolved.host, port: resolved.port }, (socket) => accepting.accept(socket, 'client'))
      if (resolved.kafkaListen !== undefined)
        kafka = await openKafkaListener(
          security.listenTransport(environment.transport),
          resolved.kafkaListen,
          resolved.kafkaAdvertise,
          (socket) => accepting.accept(socket, 'kafka'),
        )
      const self = { id: resolved.brokerId, host: advertisedHost(resolved), port: listener.port, peerPort: 0 }
      cluster = await Cluster.start(
        {
          selfId: resolved.brokerId,
          peers: resolved.peers ?? [self],
          security: peerSecurity,
          placement: resolved.limits,
          kafkaAddress: kafka?.advertised,
          ...resolved.raft,
        },
        store,
        watch,
        logger,
        environment,
      )
      groups = GroupService.start(cluster, resolved.groups, logger, environment)
      security.start(cluster, logger)
      // A broker alone hosts every group: it serves once they are loaded (its first start also
      // creates __consumer_offsets), so the first clients neither wait on nor compete with that
      // work. Bounded: a slow disk delays serving, never prevents it.
      if (cluster.alone) await readyWithin(environment, groups.loaded, groupsLoadWaitMs, logger)
    } catch (error) {
      await groups?.close()
      await cluster?.close()
      await store.close()
      for (const [socket] of early) socket.destroy()
      await listener?.close()
      await kafka?.listener.close()
      await peerListener?.close()
      await metricsEndpoint?.close()
      throw error
    }
    const address = { host: resolved.host, port: listener.port }
    const peerAddress =
      peerListener === undefined ? undefined : { host: resolved.peerListen!.host, port: peerListener.port }
    const broker = new Broker(
      resolved,
      logger,
      store,
      groups,
      listener,
      address,
      peerAddress,
      peerListener,
      cluster,
      watch,
      environment,
      accepting,
      security,
      metricsEndpoint,
      kafka,
    )
    metricsEndpoint?.attach({
      cluster,
      groups,
      connectionCount: () => broker.connectionCount,
      isClosing: () => broker.stopping !== undefined,
    })
    for (const [socket, name] of early) broker.accept(socket, name)
    if (peerAddress !== undefined) {
      const how = cluster.security?.kind === 'tls' ? 'mutual TLS' : 'the cluster secret'
      logger.info(
        { peerAddress: `${peerAddress.host}:${peerAddress.port}`, peerAuthentication: how },
        `listening for brokers on ${peerAddress.host}:${peerAddress.port} (peers authenticate with ${how})`,
      )
    }
    logger.info(
      {
        address: `${resolved.host}:${address.port}`,
        dataDir: resolved.dataDir,
        topics: store.topicNames().length,
      },
      `listening on ${resolved.host}:${address.port}`,
    )
    if (kafka !== undefined) {
      const { address: bound, advertised } = kafka
      logger.info(
        {
          kafkaAddress: `${bound.host}:${bound.port}`,
          kafkaAdvertised: `${advertised.host}:${advertised.port}`,
        },
        `listening for Kafka clients on ${bound.host}:${bound.port}`,
      )
    }
    const open = openBrokerWarning(resolved.authorizer, options)
    if (open !== undefined) logger.warn(open)
    return broker
  }

  get brokerId(): number {
    return this.options.brokerId
  }

  /** Where /metrics, /health and /ready are served; undefined when off (or the default port was busy). */
  get metricsAddress(): BrokerAddress | undefined {
    const port = this.metricsEndpoint?.port
    return port === undefined ? undefined : { host: this.options.metricsListen!.host, port }
  }

  /** Where the Kafka-protocol listener is bound (port 0 resolved); undefined when kafkaListen is off. */
  get kafkaAddress(): BrokerAddress | undefined {
    return this.kafka?.address
  }

  get connectionCount(): number {
    return this.connections.size
  }

  /**
   * Graceful: hand every group this broker leads to a follower (at most handOffBoundMs), then stop
   * accepting, answer in-flight requests, close connections, close the logs. Idempotent.
   */
  close(): Promise<void> {
    this.stopping ??= this.handOffThenShutdown()
    return this.stopping
  }

  private async handOffThenShutdown(): Promise<void> {
    // Everything stays up meanwhile: the peer listener and links carry the transfer, and clients
    // asking this broker get NOT_LEADER for the groups that moved and look for the new leaders.
    await this.cluster
      .handOffLeadership(handOffBoundMs)
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'leadership hand-off failed; closing anyway'),
      )
    this.closing = this.shutdown()
    await this.closing
  }

  private async shutdown(): Promise<void> {
    this.logger.info('closing')
    this.environment.timers.clear(this.retentionTimer)
    const listenerClosed = Promise.all([
      this.listener.close(),
      this.peerListener?.close(),
      this.kafka?.listener.close(),
    ])
    this.watch.notifyAll()
    // Before the connections drain: held JoinGroup/SyncGroup requests are answered now.
    await this.groups.close()
    const { requestTimeoutMs } = this.options.limits
    await Promise.all([...this.connections].map((connection) => connection.closeGracefully(requestTimeoutMs)))
    await listenerClosed
    await this.retentionRun
    await this.cleaning.stop()
    await this.cluster.close()
    await this.store.close()
    // Last: /ready says 503 (shutting down) until the process is gone.
    await this.metricsEndpoint?.close()
    // How well partitions shared their fsyncs (group commit across partitions) over the run.
    this.logger.info({ fsyncRounds: this.store.syncStats() }, 'closed')
    this.logger.flush()
  }

  private accept(socket: TransportSocket, listener: ListenerName): void {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`
    const logger = this.logger.child({ remote })
    if (this.closing !== undefined) {
      socket.destroy()
      return
    }
    if (this.connections.size >= this.options.limits.maxConnections) {
      const sink = { limiter: this.context.warnings, clock: this.environment.clock, logger }
      const { maxConnections } = this.options.limits
      warnLimited(
        sink,
        socket.remoteAddress ?? '',
        { maxConnections },
        'refusing connection: limits.maxConnections reached',
      )
      socket.destroy()
      return
    }
    const clientHost = socket.remoteAddress ?? ''
    const fromHost = this.connectionsPerIp.get(clientHost) ?? 0
    if (fromHost >= this.options.limits.maxConnectionsPerIp) {
      const { maxConnectionsPerIp } = this.options.limits
      const sink = { limiter: this.context.warnings, clock: this.environment.clock, logger }
      warnLimited(
        sink,
        clientHost,
        { maxConnectionsPerIp },
        'refusing connection: limits.maxConnectionsPerIp reached',
      )
      socket.destroy()
      return
    }
    this.connectionsPerIp.set(clientHost, fromHost + 1)
    const responseRoom = new ResponseRoom(
      this.options.limits.maxWriteBufferBytes,
      () => socket.writableLength,
    )
    const peerSession = listener === 'peer' ? newPeerSession() : undefined
    if (peerSession !== undefined) {
      closeUnlessAuthenticated(socket, peerSession, this.environment.timers, peerAuthenticationTimeoutMs)
    }
    // A Kafka connection is a client connection speaking another protocol: same security, same APIs.
    const served = listener === 'kafka' ? 'client' : listener
    const { session, sasl } = this.security.forConnection(socket, this.cluster, served)
    const context: HandlerContext = {
      ...this.context,
      logger,
      clientHost,
      session,
      listener: served,
      peerSession,
      responseRoom,
      ...(sasl === undefined ? {} : { sasl }),
    }
    const dispatcher =
      listener === 'kafka' && this.kafka !== undefined
        ? new KafkaDispatcher(context, this.kafka.advertised)
        : weirFrameDispatcher(context)
    const connection = new Connection(socket, context, logger, dispatcher)
    this.connections.add(connection)
    logger.debug({ principal: session.principal }, 'connection opened')
    void connection.closedPromise.then(() => {
      this.connections.delete(connection)
      const left = (this.connectionsPerIp.get(clientHost) ?? 1) - 1
      if (left > 0) this.connectionsPerIp.set(clientHost, left)
      else this.connectionsPerIp.delete(clientHost)
    })
  }

  /** Deletes old segments of every partition; one run at a time, errors logged and retried next round. */
  private runRetention(): void {
    if (this.retentionRun !== undefined || this.closing !== undefined) return
    this.retentionRun = (async () => {
      for (const name of this.store.topicNames()) {
        // The controller log is the cluster's metadata, replayed whole at start: never cut by age.
        if (name === controllerTopic) continue
        try {
          const deleted = await this.store.topic(name).applyRetention()
          if (deleted > 0)
            this.logger.info({ topic: name, deletedSegments: deleted }, 'retention deleted segments')
        } catch (error) {
          this.logger.error({ err: error, topic: name }, 'retention failed')
        }
      }
    })().finally(() => {
      this.retentionRun = undefined
    })
  }
}

/**
 * How long a stopping broker spends handing its leaderships over, in all: a transfer takes a round
 * trip or two, plus catching the target up; what has not moved by then fails over by election.
 */
const handOffBoundMs = 5000

/** How long a broker alone waits for its groups to load before it serves anyway. */
const groupsLoadWaitMs = 10_000

async function readyWithin(
  environment: BrokerEnvironment,
  loaded: Promise<void>,
  waitMs: number,
  logger: Logger,
): Promise<void> {
  if (!(await settlesWithin(environment.timers, loaded, waitMs)))
    logger.warn({ waitMs }, 'consumer groups are still loading; serving anyway (groups answer when loaded)')
}

function advertisedHost(options: ResolvedOptions): string {
  if (options.advertisedHost !== undefined) return options.advertisedHost
  return options.host === '0.0.0.0' || options.host === '::' ? hostname() : options.host
}
