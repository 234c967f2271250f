// Weir through its public client (@weir/client) against a broker process built from this checkout.
// Produce: producer.sendBatch in 1,000-message chunks, 20,000 messages in flight, lingerMs 2, acks
// all (e2e/produce.ts). Consume: one group-less consumer from the beginning, async iteration.
// Consumer group: members on their own Clients over 8 partitions, run({ eachBatch }) (groups.ts).
import { Client, codecs, defineTopic } from '@weir/client'
import { produceMessages } from '../e2e/produce.js'
import { groupHeartbeatIntervalMs, groupInitialRebalanceDelayMs, measureGroupThroughput } from '../groups.js'
import type { Progress } from '../measurement.js'
import type { RunningServer } from '../servers/server.js'
import { findWeir, startWeir } from '../servers/weir.js'
import {
  type GroupSpec,
  type LatencyChannel,
  type SystemConfiguration,
  type SystemSession,
  type ThroughputMeasurement,
  type ThroughputSpec,
  throttledProgress,
  throughput,
} from './system.js'

/** Weir's storage fsync policy for the topics of a run: 'always' is group commit, a number is ms. */
export type WeirFsync = 'always' | number

export const weirProduceWindowMessages = 20_000
/** The bench broker's group settings (groups.ts): members starting together join one generation. */
export const weirServerConfig = {
  groups: { limits: { initialRebalanceDelayMs: groupInitialRebalanceDelayMs } },
}

export interface WeirSession extends SystemSession {
  /** Produce into a new topic of `partitions` partitions, messages keyed evenly over them. */
  produceToPartitions(
    stream: string,
    spec: ThroughputSpec,
    partitions: number,
    progress: Progress,
  ): Promise<ThroughputMeasurement>
}

export interface WeirConfiguration extends SystemConfiguration {
  start(executable: string): Promise<WeirSession>
}

export function weirConfiguration(fsync: WeirFsync): WeirConfiguration {
  const always = fsync === 'always'
  return {
    id: always ? 'weir-fsync-always' : `weir-fsync-${fsync}ms`,
    system: 'Weir',
    label: always ? 'Weir, fsync always' : `Weir, fsync every ${fsync} ms`,
    isWeir: true,
    durability: always
      ? {
          lossWindowMs: 0,
          short: 'fsync before ack',
          description: 'fsync before every ack (group commit), acks all',
        }
      : {
          lossWindowMs: fsync,
          short: `fsync every ${fsync / 1000} s`,
          description: `fsync every ${fsync} ms (topic config fsync=${fsync}), acks all`,
        },
    method: {
      produce: `producer.sendBatch of 1,000 messages, ${weirProduceWindowMessages.toLocaleString('en-US')} in flight, lingerMs 2, 1 partition`,
      consume: 'one consumer without group, fromBeginning, async iteration',
      latency: 'producer.send per message (lingerMs 0, acks all); consumer maxWaitMs 100 (long poll)',
      consumerGroup: `4 members, each its own Client, one group over 8 partitions (keyed fill), run({ eachBatch }), autoCommit every 5 s, heartbeat ${groupHeartbeatIntervalMs} ms; timed from the first message received to the last`,
    },
    find: findWeir,
    start: async () => new WeirBenchSession(await startWeir(weirServerConfig), fsync),
  }
}

class WeirBenchSession implements WeirSession {
  private readonly client: Client

  constructor(
    private readonly server: RunningServer,
    private readonly fsync: WeirFsync,
  ) {
    this.client = new Client({ brokers: [`${server.host}:${server.port}`], clientId: 'bench-compare' })
  }

  private async createTopic(name: string, partitions: number): Promise<void> {
    await this.client
      .admin()
      .createTopic({ topic: name, partitions, replicationFactor: 1, config: { fsync: this.fsync } })
  }

  produce(stream: string, spec: ThroughputSpec, progress: Progress): Promise<ThroughputMeasurement> {
    return this.produceToPartitions(stream, spec, 1, progress)
  }

  async produceToPartitions(
    stream: string,
    spec: ThroughputSpec,
    partitions: number,
    progress: Progress,
  ): Promise<ThroughputMeasurement> {
    await this.createTopic(stream, partitions)
    const measured = await produceMessages(
      this.client,
      stream,
      { ...spec, partitions, acks: 'all', windowMessages: weirProduceWindowMessages },
      progress,
    )
    return throughput(measured.messages, spec.valueBytes, measured.seconds)
  }

  async consume(stream: string, spec: ThroughputSpec, progress: Progress): Promise<ThroughputMeasurement> {
    const topic = defineTopic<Buffer>({ name: stream, codec: codecs.raw })
    const consumer = this.client.consumer({ topics: [topic], fromBeginning: true })
    const report = throttledProgress(progress, spec.messages)
    const started = performance.now()
    let received = 0
    let finished = 0
    try {
      for await (const _message of consumer) {
        report(++received)
        if (received === spec.messages) break
      }
      // The clock stops at the last message: close() may wait for a long poll still in flight.
      finished = performance.now()
    } finally {
      await consumer.close()
    }
    if (received !== spec.messages)
      throw new Error(`Weir consumer stopped at ${received} of ${spec.messages}`)
    return throughput(received, spec.valueBytes, (finished - started) / 1000)
  }

  consumerGroup(stream: string, spec: GroupSpec, progress: Progress): Promise<ThroughputMeasurement> {
    const brokers = [`${this.server.host}:${this.server.port}`]
    const groupSpec = { ...spec, members: spec.consumers }
    return measureGroupThroughput(brokers, stream, groupSpec, progress, this.fsync).then((measured) =>
      throughput(measured.messages, spec.valueBytes, measured.seconds),
    )
  }

  async deleteStream(stream: string): Promise<void> {
    await this.client.admin().deleteTopic(stream)
  }

  async openLatencyChannel(stream: string): Promise<LatencyChannel> {
    await this.createTopic(stream, 1)
    const topic = defineTopic<Buffer>({ name: stream, codec: codecs.raw })
    const producer = this.client.producer({ acks: 'all', lingerMs: 0 })
    const consumer = this.client.consumer({ topics: [topic], fromBeginning: true, maxWaitMs: 100 })
    let failure: unknown
    let reading: Promise<void> = Promise.resolve()
    return {
      subscribe: async (onValue) => {
        reading = (async () => {
          for await (const message of consumer) onValue(message.value)
        })()
      },
      send: (value) => {
        const sending = producer.send({ topic, value })
        sending.catch((error: unknown) => (failure ??= error))
        return sending
      },
      drain: async () => {
        await producer.flush()
        if (failure !== undefined) throw failure
      },
      close: async () => {
        await producer.close()
        await consumer.close()
        await reading
      },
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.close()
    } finally {
      await this.server.stop()
    }
  }
}
