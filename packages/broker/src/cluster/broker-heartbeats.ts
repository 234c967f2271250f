// Broker liveness, the I/O part: every second this broker sends BrokerHeartbeat with its state to
// every peer (peer listener), and records the heartbeats peers send it in BrokerLiveness. Its own
// state comes from its hosted replicas (broker-state.ts). At most one heartbeat per peer is in
// flight: a peer that does not answer is not sent a queue of them. Heartbeats also carry each
// broker's Kafka listener address (--kafka-listen), so the Kafka listener's Metadata can name every
// broker as Kafka clients must dial it.
import { BrokerHeartbeat, type BrokerHeartbeatRequest, type Timer } from '@weir/protocol'
import type { Logger } from 'pino'
import type { BrokerEnvironment } from '../environment.js'
import { BrokerLiveness, type LivenessRow } from './broker-liveness.js'
import { brokerState, type ReplicaCatchUp, type ReportedState } from './broker-state.js'
import type { ClusterImage } from './cluster-image.js'
import { groupOf, topicOfGroup } from './group-names.js'
import type { HostedReplicas } from './hosted-replicas.js'
import type { LeaderDirectory } from './leader-directory.js'
import type { PeerLinks } from './peer-links.js'

export const brokerHeartbeatIntervalMs = 1000

export interface BrokerHeartbeatsOptions {
  readonly selfId: number
  /** Every broker of the cluster now (membership changes at runtime). */
  readonly brokerIds: () => readonly number[]
  readonly hosted: HostedReplicas
  readonly leaders: LeaderDirectory
  /** The controller's image: which replicas are assigned to this broker. */
  readonly image: ClusterImage
  readonly links: PeerLinks
  readonly environment: Pick<BrokerEnvironment, 'clock' | 'timers'>
  readonly logger: Logger
  /** Whether this broker is draining (moving its leadership away); default never. */
  readonly draining?: () => boolean
  /** This broker's advertised Kafka listener address; undefined when it has none. */
  readonly kafkaAddress?: KafkaAddress | undefined
}

export interface KafkaAddress {
  readonly host: string
  readonly port: number
}

export class BrokerHeartbeats {
  private readonly liveness: BrokerLiveness
  private readonly pending = new Set<number>()
  /** Each peer's Kafka address as its latest heartbeat gave it (removed when a heartbeat omits it). */
  private readonly kafkaAddresses = new Map<number, KafkaAddress>()
  private timer: Timer | undefined

  constructor(private readonly options: BrokerHeartbeatsOptions) {
    this.liveness = new BrokerLiveness(options.selfId, options.brokerIds)
  }

  start(): void {
    if (this.options.brokerIds().length < 2) return
    this.timer = this.options.environment.timers.setInterval(() => this.sendAll(), brokerHeartbeatIntervalMs)
    this.timer.unref()
  }

  /** This broker's state now, from its hosted replicas. */
  selfState(): ReportedState {
    const { hosted, leaders, selfId } = this.options
    const replicas: ReplicaCatchUp[] = []
    for (const replica of hosted.values()) {
      const { topic, partition } = topicOfGroup(replica.group)
      const inSync = leaders.inSyncOf(topic, partition)?.includes(selfId) ?? false
      replicas.push({ ...replica.catchUp, inSync })
    }
    // Assigned in the image but not opened yet (the image was just restored): nothing held yet.
    for (const topic of this.options.image.topics()) {
      topic.replicas.forEach((assigned, partition) => {
        if (assigned.includes(selfId) && !hosted.has(groupOf(topic.name, partition)))
          replicas.push({ heldOffsets: 0, committedOffsets: 0, inSync: false, leaderHeard: false })
      })
    }
    return brokerState({ draining: this.options.draining?.() ?? false, replicas })
  }

  /** A peer's heartbeat arrived (its connection authenticated as `request.brokerId`). */
  received(request: BrokerHeartbeatRequest): void {
    const now = this.options.environment.clock.now()
    this.liveness.heartbeat(request.brokerId, request.state, request.progressPercent, now)
    const { kafkaHost, kafkaPort } = request
    if (kafkaHost !== undefined && kafkaPort !== undefined)
      this.kafkaAddresses.set(request.brokerId, { host: kafkaHost, port: kafkaPort })
    else this.kafkaAddresses.delete(request.brokerId)
  }

  /**
   * Where Kafka clients reach broker `brokerId`: this broker's own from its options, a peer's from
   * its latest heartbeat; undefined when it has no Kafka listener or has not been heard from yet.
   */
  kafkaAddressOf(brokerId: number): KafkaAddress | undefined {
    if (brokerId === this.options.selfId) return this.options.kafkaAddress
    return this.kafkaAddresses.get(brokerId)
  }

  /** Every broker of the cluster in id order, this one as it is now. */
  rows(): LivenessRow[] {
    return this.liveness.rows(this.options.environment.clock.now(), this.selfState())
  }

  close(): void {
    if (this.timer !== undefined) this.options.environment.timers.clear(this.timer)
  }

  private sendAll(): void {
    const { state, progressPercent } = this.selfState()
    const kafka = this.options.kafkaAddress
    const request = {
      brokerId: this.options.selfId,
      state,
      progressPercent,
      ...(kafka === undefined ? {} : { kafkaHost: kafka.host, kafkaPort: kafka.port }),
    }
    for (const id of this.options.brokerIds()) {
      if (id === this.options.selfId || this.pending.has(id)) continue
      this.pending.add(id)
      this.options.links
        .request(id, BrokerHeartbeat, request)
        // A peer that is down shows as down in its own row; nothing to report here.
        .catch((error: unknown) =>
          this.options.logger.debug({ err: error, peer: id }, 'broker heartbeat not delivered'),
        )
        .finally(() => this.pending.delete(id))
    }
  }
}
