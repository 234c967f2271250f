// NATS JetStream through the official nats.js client (package `nats`) against nats-server with
// JetStream file storage. Produce: js.publish without waiting, a window of 20,000 outstanding
// acknowledgements (the async-publish pattern). Consume: an ordered consumer (ephemeral pull
// consumer, no acks) with consume() pulling 10,000 messages per request. Consumer group: one
// durable pull consumer (explicit acks) shared by 4 clients on their own connections.
import {
  AckPolicy,
  connect,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  StorageType,
} from 'nats'
import type { Progress } from '../measurement.js'
import { findNats, startNats } from '../servers/nats.js'
import type { RunningServer } from '../servers/server.js'
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

export const natsPublishWindowMessages = 20_000
export const natsPullBatchMessages = 10_000
export const natsGroupPullBatchMessages = 1_000
/** Unacknowledged messages the shared durable consumer may hand out (server default: 1,000 in 2.9). */
const natsGroupMaxAckPending = 100_000

export function natsConfiguration(): SystemConfiguration {
  return {
    id: 'nats-jetstream-file',
    system: 'NATS JetStream',
    label: 'NATS JetStream, file storage',
    isWeir: false,
    durability: {
      lossWindowMs: 60_000,
      short: 'fsync every 60 s',
      description:
        'file storage, 1 replica; nats-server 2.9 writes through the OS page cache and fsyncs every 60 s (fixed: sync_interval only exists from 2.10, where the default is 2 min)',
    },
    method: {
      produce: `js.publish without waiting, ${natsPublishWindowMessages.toLocaleString('en-US')} acks outstanding, one connection`,
      consume: `ordered consumer (ephemeral pull, no acks), consume() with max_messages ${natsPullBatchMessages.toLocaleString('en-US')}`,
      latency: 'js.publish per message (ack awaited in the background); ordered consumer consume()',
      consumerGroup: `one durable pull consumer (explicit ack per message, max_ack_pending ${natsGroupMaxAckPending.toLocaleString('en-US')}) shared by 4 clients on their own connections, consume() with max_messages ${natsGroupPullBatchMessages.toLocaleString('en-US')}`,
    },
    find: findNats,
    start: async (executable) => {
      const server = await startNats(executable)
      try {
        const connection = await connect({ servers: `${server.host}:${server.port}` })
        return new NatsSession(server, connection, await connection.jetstreamManager())
      } catch (error) {
        await server.stop()
        throw error
      }
    },
  }
}

class NatsSession implements SystemSession {
  private readonly js: JetStreamClient
  private readonly extraConnections: NatsConnection[] = []

  constructor(
    private readonly server: RunningServer,
    private readonly connection: NatsConnection,
    private readonly jsm: JetStreamManager,
  ) {
    this.js = connection.jetstream()
  }

  private async createStream(stream: string): Promise<void> {
    await this.jsm.streams.add({
      name: stream,
      subjects: [stream],
      storage: StorageType.File,
      num_replicas: 1,
    })
  }

  async produce(stream: string, spec: ThroughputSpec, progress: Progress): Promise<ThroughputMeasurement> {
    await this.createStream(stream)
    const started = performance.now()
    await publishAll(this.js, stream, spec, progress)
    return throughput(spec.messages, spec.valueBytes, (performance.now() - started) / 1000)
  }

  async consume(stream: string, spec: ThroughputSpec, progress: Progress): Promise<ThroughputMeasurement> {
    const report = throttledProgress(progress, spec.messages)
    const started = performance.now()
    const consumer = await this.js.consumers.get(stream)
    const messages = await consumer.consume({ max_messages: natsPullBatchMessages })
    let received = 0
    let finished = 0
    try {
      for await (const _message of messages) {
        report(++received)
        if (received === spec.messages) break
      }
      finished = performance.now()
    } finally {
      messages.stop()
    }
    if (received !== spec.messages)
      throw new Error(`NATS consumer stopped at ${received} of ${spec.messages}`)
    return throughput(received, spec.valueBytes, (finished - started) / 1000)
  }

  async deleteStream(stream: string): Promise<void> {
    await this.jsm.streams.delete(stream)
  }

  async openLatencyChannel(stream: string): Promise<LatencyChannel> {
    await this.createStream(stream)
    const pending = new Set<Promise<unknown>>()
    let failure: unknown
    let reading: Promise<void> = Promise.resolve()
    let stop: () => void = () => {}
    return {
      subscribe: async (onValue) => {
        const consumer = await this.js.consumers.get(stream)
        const messages = await consumer.consume({ max_messages: natsPullBatchMessages })
        stop = () => messages.stop()
        reading = (async () => {
          for await (const message of messages) onValue(message.data)
        })()
      },
      send: (value) => {
        const publishing = this.js.publish(stream, value)
        pending.add(publishing)
        publishing.then(
          () => pending.delete(publishing),
          (error: unknown) => (failure ??= error),
        )
        return publishing
      },
      drain: async () => {
        await Promise.all(pending)
        if (failure !== undefined) throw failure
      },
      close: async () => {
        stop()
        await reading
        await this.deleteStream(stream)
      },
    }
  }

  async consumerGroup(stream: string, spec: GroupSpec, progress: Progress): Promise<ThroughputMeasurement> {
    await this.createStream(stream)
    await publishAll(this.js, stream, spec, () => {})
    await this.jsm.consumers.add(stream, {
      durable_name: 'group',
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: natsGroupMaxAckPending,
    })
    const clients = await Promise.all(
      Array.from({ length: spec.consumers }, async () => {
        const connection = await connect({ servers: `${this.server.host}:${this.server.port}` })
        this.extraConnections.push(connection)
        return connection.jetstream()
      }),
    )
    const report = throttledProgress(progress, spec.messages)
    let received = 0
    let finished = 0
    const stops: (() => void)[] = []
    const started = performance.now()
    await Promise.all(
      clients.map(async (js) => {
        const consumer = await js.consumers.get(stream, 'group')
        const messages = await consumer.consume({ max_messages: natsGroupPullBatchMessages })
        stops.push(() => messages.stop())
        if (received >= spec.messages) messages.stop()
        for await (const message of messages) {
          message.ack()
          report(++received)
          if (received === spec.messages) {
            finished = performance.now()
            // The others wait in a pull request: stop them all.
            for (const stopConsumer of stops) stopConsumer()
          }
        }
      }),
    )
    // Every ack delivered to the server before the next workload.
    await Promise.all(clients.map((_, index) => this.extraConnections[index]!.flush()))
    return throughput(received, spec.valueBytes, (finished - started) / 1000)
  }

  async close(): Promise<void> {
    try {
      for (const connection of this.extraConnections) await connection.close()
      await this.connection.close()
    } finally {
      await this.server.stop()
    }
  }
}

/** js.publish of `spec.messages` with a window of acknowledgements outstanding. */
async function publishAll(
  js: JetStreamClient,
  subject: string,
  spec: ThroughputSpec,
  progress: Progress,
): Promise<void> {
  const value = Buffer.alloc(spec.valueBytes, 0x61)
  const report = throttledProgress(progress, spec.messages)
  // A ring of the outstanding acknowledgements: the oldest is awaited when the window is full.
  const window = new Array<Promise<unknown> | undefined>(natsPublishWindowMessages)
  for (let sent = 0; sent < spec.messages; sent++) {
    const slot = sent % natsPublishWindowMessages
    if (window[slot] !== undefined) {
      await window[slot]
      report(sent - natsPublishWindowMessages)
    }
    window[slot] = js.publish(subject, value)
  }
  await Promise.all(window)
  progress(spec.messages, spec.messages)
}
