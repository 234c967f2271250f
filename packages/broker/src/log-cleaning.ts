// Runs the storage log cleaner over the compacted topics this broker hosts, on a timer: every
// replica cleans its own copy up to the high watermark it knows (as in Kafka: the same committed
// input gives the same output on every replica, and nothing a new leader could still truncate is
// rewritten). One partition at a time, paced by limits.cleanerBytesPerSec; errors are logged and
// the partition is tried again next round.
import { isCompacted, isWeirError, type Timer, type Timers } from '@weir/protocol'
import type { TopicStore } from '@weir/storage'
import type { Logger } from 'pino'
import { controllerTopic } from './cluster/controller.js'
import type { PartitionReplica } from './cluster/partition-replica.js'
import type { BrokerLimits } from './limits.js'

export interface CleanerReplicas {
  replicaOf(topic: string, partition: number): PartitionReplica | undefined
}

type CleanerLimits = Pick<BrokerLimits, 'cleanerIntervalMs' | 'cleanerBytesPerSec' | 'cleanerKeysMax'>

export class LogCleaning {
  private timer: Timer | undefined
  private running: Promise<void> | undefined
  private stopped = false

  constructor(
    private readonly store: TopicStore,
    private readonly replicas: CleanerReplicas,
    private readonly limits: CleanerLimits,
    private readonly timers: Timers,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = this.timers.setInterval(() => void this.runOnce(), this.limits.cleanerIntervalMs)
    this.timer.unref()
  }

  /** One round over every compacted partition hosted here; a round already running is joined. */
  runOnce(): Promise<void> {
    if (this.stopped) return Promise.resolve()
    this.running ??= this.cleanAll().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  /** No new round starts; resolves when the one running (if any) ends. */
  async stop(): Promise<void> {
    this.stopped = true
    this.timers.clear(this.timer)
    await this.running
  }

  private async cleanAll(): Promise<void> {
    for (const topic of this.store.topicNames()) {
      if (topic === controllerTopic) continue
      const partitions = this.partitionCountOf(topic)
      for (let partition = 0; partition < partitions && !this.stopped; partition++) {
        const replica = this.replicas.replicaOf(topic, partition)
        if (replica === undefined || !isCompacted(replica.log.config.cleanupPolicy)) continue
        await this.cleanOne(topic, partition, replica)
      }
    }
  }

  /** 0 for a topic deleted since the names were listed. */
  private partitionCountOf(topic: string): number {
    try {
      return this.store.topic(topic).partitionCount
    } catch {
      return 0
    }
  }

  private async cleanOne(topic: string, partition: number, replica: PartitionReplica): Promise<void> {
    try {
      const result = await replica.log.clean({
        cleanableEndOffset: replica.highWatermark,
        bytesPerSecond: this.limits.cleanerBytesPerSec,
        keysMax: this.limits.cleanerKeysMax,
      })
      if (result.cleanedSegments > 0)
        this.logger.info({ topic, partition, ...result }, 'log cleaner compacted segments')
    } catch (error) {
      // A log closed under the clean (topic deleted, replica moved away) is not a fault.
      if (this.stopped || isWeirError(error, 'LOG_CLOSED')) return
      this.logger.error({ err: error, topic, partition }, 'log cleaner failed; trying again next round')
    }
  }
}
