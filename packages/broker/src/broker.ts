// The embeddable broker: a node:net server over a TopicStore. Broker.start binds and returns once
// it serves; close() stops accepting, lets in-flight requests finish (waking long polls), closes
// every connection and then the logs, so the next start skips crash recovery.
import { createServer, type Server, type Socket } from 'node:net'
import { hostname } from 'node:os'
import { WeirError } from '@weir/protocol'
import { TopicStore } from '@weir/storage'
import type { Logger } from 'pino'
import { Cluster } from './cluster/cluster.js'
import { Connection } from './connection.js'
import { GroupService } from './groups/group-service.js'
import type { HandlerContext } from './handlers/index.js'
import { createLogger } from './logger.js'
import { type BrokerOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { PartitionWatch } from './partition-watch.js'
import { lazyProducerIds } from './producers/producer-ids.js'
import { ProducerStateRegistry } from './producers/producer-registry.js'

export interface BrokerAddress {
  readonly host: string
  readonly port: number
}

export class Broker {
  private readonly connections = new Set<Connection>()
  private readonly context: HandlerContext
  private retentionTimer: NodeJS.Timeout | undefined
  private retentionRun: Promise<void> | undefined
  private closing: Promise<void> | undefined

  private constructor(
    private readonly options: ResolvedOptions,
    readonly logger: Logger,
    readonly store: TopicStore,
    /** The group coordinator; `broker.groups.loaded` resolves once every group is loaded. */
    readonly groups: GroupService,
    private readonly server: Server,
    readonly address: BrokerAddress,
    /** This broker's part in a cluster; undefined without --peers. */
    readonly cluster: Cluster | undefined,
    private readonly watch: PartitionWatch,
  ) {
    this.context = {
      store,
      watch: this.watch,
      brokerId: options.brokerId,
      advertised: { host: advertisedHost(options), port: address.port },
      limits: options.limits,
      topicDefaults: options.topicDefaults,
      logger,
      isClosing: () => this.closing !== undefined,
      groups,
      producerIds: lazyProducerIds(options.dataDir, options.brokerId),
      producerStates: new ProducerStateRegistry(),
      clientHost: '',
      cluster,
    }
    server.on('connection', (socket) => this.accept(socket))
    // A new leader rebuilds each producer table from its log: what it cached while leading before
    // missed the batches it appended as a follower.
    cluster?.onLeadershipGained((replica) => this.context.producerStates.drop(replica.log))
    this.retentionTimer = setInterval(() => this.runRetention(), options.limits.retentionCheckIntervalMs)
    this.retentionTimer.unref()
  }

  /**
   * Checks the options, opens (and recovers) the data directory and binds. Errors: INVALID_CONFIG
   * (a bad option, or the address is in use or not available), NOT_A_WEIR_LOG and the storage errors.
   */
  static async start(options: BrokerOptions): Promise<Broker> {
    const resolved = resolveOptions(options)
    const logger = options.logger ?? createLogger(resolved.logLevel)
    const store = await TopicStore.open(resolved.dataDir)
    let server: Server | undefined
    let groups: GroupService | undefined
    let cluster: Cluster | undefined
    const watch = new PartitionWatch()
    const early: Socket[] = []
    // Bounded like served connections: past connectionsMax an early one is refused (it retries).
    const holdEarly = (socket: Socket) => {
      if (early.length < resolved.limits.connectionsMax) early.push(socket)
      else socket.destroy()
    }
    try {
      // Peers dial this port as soon as they start: bind first (holding early connections,
      // unread, until the broker serves), then open the cluster.
      server = await listen(resolved.host, resolved.port)
      server.on('connection', holdEarly)
      if (resolved.peers !== undefined) {
        cluster = await Cluster.start(
          { selfId: resolved.brokerId, peers: resolved.peers, ...resolved.raft },
          store,
          watch,
          logger,
        )
      }
      groups = await GroupService.start(store, resolved.groups, logger, cluster)
    } catch (error) {
      await groups?.close()
      await cluster?.close()
      await store.close()
      for (const socket of early) socket.destroy()
      server?.close()
      throw error
    }
    const bound = server.address()
    const address = typeof bound === 'object' && bound !== null ? bound : { address: resolved.host, port: 0 }
    const broker = new Broker(
      resolved,
      logger,
      store,
      groups,
      server,
      { host: resolved.host, port: address.port },
      cluster,
      watch,
    )
    server.off('connection', holdEarly)
    for (const socket of early) broker.accept(socket)
    logger.info(
      {
        address: `${resolved.host}:${address.port}`,
        dataDir: resolved.dataDir,
        topics: store.topicNames().length,
      },
      `listening on ${resolved.host}:${address.port}`,
    )
    return broker
  }

  get brokerId(): number {
    return this.options.brokerId
  }

  get connectionCount(): number {
    return this.connections.size
  }

  /** Graceful: stop accepting, answer in-flight requests, close connections, close the logs. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    this.logger.info('closing')
    clearInterval(this.retentionTimer)
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.watch.notifyAll()
    // Before the connections drain: held JoinGroup/SyncGroup requests are answered now.
    await this.groups.close()
    const { requestTimeoutMs } = this.options.limits
    await Promise.all([...this.connections].map((connection) => connection.closeGracefully(requestTimeoutMs)))
    await serverClosed
    await this.retentionRun
    await this.cluster?.close()
    await this.store.close()
    // How well partitions shared their fsyncs (group commit across partitions) over the run.
    this.logger.info({ fsyncRounds: this.store.syncStats() }, 'closed')
    this.logger.flush()
  }

  private accept(socket: Socket): void {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`
    const logger = this.logger.child({ remote })
    if (this.closing !== undefined) {
      socket.destroy()
      return
    }
    if (this.connections.size >= this.options.limits.connectionsMax) {
      logger.warn(
        { connectionsMax: this.options.limits.connectionsMax },
        'refusing connection: limits.connectionsMax reached',
      )
      socket.destroy()
      return
    }
    const clientHost = socket.remoteAddress ?? ''
    const connection = new Connection(socket, { ...this.context, logger, clientHost }, logger)
    this.connections.add(connection)
    logger.debug('connection opened')
    void connection.closedPromise.then(() => this.connections.delete(connection))
  }

  /** Deletes old segments of every partition; one run at a time, errors logged and retried next round. */
  private runRetention(): void {
    if (this.retentionRun !== undefined || this.closing !== undefined) return
    this.retentionRun = (async () => {
      for (const name of this.store.topicNames()) {
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

function advertisedHost(options: ResolvedOptions): string {
  if (options.advertisedHost !== undefined) return options.advertisedHost
  return options.host === '0.0.0.0' || options.host === '::' ? hostname() : options.host
}

function listen(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ pauseOnConnect: false })
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, host, port)))
    server.listen({ host, port }, () => {
      server.removeAllListeners('error')
      server.on('error', () => {})
      resolve(server)
    })
  })
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === 'EADDRINUSE') {
    return new WeirError(
      'INVALID_CONFIG',
      `port ${port} on ${host} is already in use (another weir broker?); stop that process or pass --listen ${host}:<free port>`,
      { cause: error },
    )
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EACCES') {
    return new WeirError(
      'INVALID_CONFIG',
      `cannot listen on ${host}:${port} (${error.code}): ${error.message}`,
      {
        cause: error,
      },
    )
  }
  return error
}
