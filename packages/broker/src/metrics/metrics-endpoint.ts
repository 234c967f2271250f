// Wires the metrics registry and the HTTP listener to a broker. The listener binds while the broker
// starts (so /health answers during a long recovery) and learns the broker's parts once it serves:
// until then /ready is 503 "starting" and /metrics shows only the counters and process figures.
import type { Logger } from 'pino'
import type { Cluster } from '../cluster/cluster.js'
import type { GroupService } from '../groups/group-service.js'
import type { BrokerMetrics } from './broker-metrics.js'
import { liveState } from './live-state.js'
import { defaultMetricsListen } from './metrics-listen.js'
import { listenMetrics, type MetricsListener } from './metrics-server.js'
import { type Readiness, readiness } from './readiness.js'
import { takeSnapshot } from './state-snapshot.js'

/** The broker's live parts the gauges and /ready are read from. */
export interface MetricsSources {
  readonly cluster: Cluster
  readonly groups: GroupService
  connectionCount(): number
  isClosing(): boolean
}

const starting: Readiness = {
  ready: false,
  reasons: ['the broker is starting (recovering its logs or joining the cluster)'],
}

export class MetricsEndpoint {
  private sources: MetricsSources | undefined

  private constructor(
    readonly metrics: BrokerMetrics,
    private listener: MetricsListener | undefined,
  ) {}

  /**
   * Binds `address`. A busy default address (two brokers on one host, the second left at the
   * default) is a warning, not a failed start; any other address that cannot be bound is
   * INVALID_CONFIG.
   */
  static async open(
    address: { readonly host: string; readonly port: number },
    metrics: BrokerMetrics,
    logger: Logger,
  ): Promise<MetricsEndpoint> {
    const endpoint = new MetricsEndpoint(metrics, undefined)
    const onError = (error: unknown) => logger.error({ err: error }, 'metrics scrape failed')
    try {
      endpoint.listener = await listenMetrics(address, endpoint.endpoints(), onError)
    } catch (error) {
      if (`${address.host}:${address.port}` !== defaultMetricsListen) throw error
      logger.warn(
        `${(error as Error).message}: this broker serves no metrics (another broker on this host has the default port; set --metrics-listen per broker)`,
      )
      return endpoint
    }
    const where = `${endpoint.listener.host}:${endpoint.listener.port}`
    logger.info({ metricsAddress: where }, `serving metrics on http://${where}/metrics (and /health, /ready)`)
    return endpoint
  }

  /** The bound port; undefined when the default address was busy. */
  get port(): number | undefined {
    return this.listener?.port
  }

  attach(sources: MetricsSources): void {
    this.sources = sources
  }

  readiness(): Readiness {
    const sources = this.sources
    if (sources === undefined) return starting
    const { cluster } = sources
    const self = cluster.heartbeats.selfState()
    return readiness({
      brokerId: cluster.selfId,
      brokerIds: cluster.brokerIds(),
      controllerId: cluster.controllerId,
      state: self.state,
      catchUpPercent: self.progressPercent,
      closing: sources.isClosing(),
    })
  }

  async close(): Promise<void> {
    await this.listener?.close()
  }

  private endpoints() {
    return {
      readiness: () => this.readiness(),
      metrics: async () => {
        const sources = this.sources
        if (sources !== undefined) {
          this.metrics.refresh(takeSnapshot(liveState(sources.cluster, sources.groups)), {
            connections: sources.connectionCount(),
            controllerId: sources.cluster.controllerId,
            readiness: this.readiness(),
          })
        }
        const registry = this.metrics.registry
        return { contentType: registry.contentType, text: await registry.metrics() }
      },
    }
  }
}
