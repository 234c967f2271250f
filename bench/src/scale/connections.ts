// Row 3, many connections: N producers, each its own Client (its own TCP connection) in this
// process, against a fresh broker. Connect time is from the first `new Client` until every producer
// had its first message acknowledged (connect, metadata, producer id, first produce); then every
// producer sends its share of the messages at once: aggregate throughput. The broker's RSS with
// the N connections open, and its sockets counted in /proc/<pid>/fd, give memory per connection.
import { Client, codecs, defineTopic, type Producer } from '@weir/client'
import { benchKey, benchTopicName } from '../e2e/produce.js'
import { megabyteBytes, type Progress, secondsSince } from '../measurement.js'
import { residentBytes, sampleResidentBytes, socketCount } from './process-memory.js'
import { scaleRequestTimeoutMs, startScaleBroker } from './scale-broker.js'

export interface ConnectionsSpec {
  readonly connections: number
  /** Messages over all producers together, split evenly. */
  readonly messages: number
  readonly valueBytes: number
  readonly partitions: number
}

export interface ConnectionsMeasurement {
  readonly connections: number
  readonly connectSeconds: number
  /** Sockets the broker gained once every producer connected (one per client if each opens one). */
  readonly brokerSockets: number
  readonly rssIdleBytes: number
  readonly rssConnectedBytes: number
  readonly rssPeakBytes: number
  readonly messages: number
  readonly seconds: number
  readonly messagesPerSecond: number
  readonly megabytesPerSecond: number
}

const messagesPerSendBatch = 100
const sendBatchesInFlightMax = 20

export async function measureConnections(
  spec: ConnectionsSpec,
  progress: Progress,
  say: (line: string) => void,
): Promise<ConnectionsMeasurement> {
  const headroom = spec.connections * 2 + 100
  const broker = await startScaleBroker({ maxConnections: headroom, maxConnectionsPerIp: headroom })
  const admin = new Client({
    brokers: [broker.address],
    clientId: 'bench-scale-admin',
    requestTimeoutMs: scaleRequestTimeoutMs,
  })
  const clients: Client[] = []
  try {
    const name = benchTopicName(`connections-${spec.connections}`)
    await admin.admin().createTopic({ topic: name, partitions: spec.partitions, replicationFactor: 1 })
    const topic = defineTopic<Buffer>({ name, codec: codecs.raw })
    const value = Buffer.alloc(spec.valueBytes, 0x61)
    const rssIdleBytes = await residentBytes(broker.pid)
    const socketsIdle = await socketCount(broker.pid)
    const started = performance.now()
    const producers: Producer[] = []
    for (let index = 0; index < spec.connections; index++) {
      const client = new Client({
        brokers: [broker.address],
        clientId: `bench-scale-${index}`,
        requestTimeoutMs: scaleRequestTimeoutMs,
      })
      clients.push(client)
      producers.push(client.producer({ acks: 'all', lingerMs: 2 }))
    }
    let connected = 0
    await Promise.all(
      producers.map(async (producer, index) => {
        await producer.send({ topic, key: benchKey(index), value })
        progress(++connected, spec.connections * 2)
      }),
    )
    const connectSeconds = secondsSince(started)
    const brokerSockets = (await socketCount(broker.pid)) - socketsIdle
    const rssConnectedBytes = await residentBytes(broker.pid)
    say(
      `${spec.connections} producers connected in ${connectSeconds.toFixed(2)} s (${brokerSockets} broker sockets); producing`,
    )
    const share = Math.ceil(spec.messages / spec.connections)
    const sampler = sampleResidentBytes(broker.pid)
    const sendStarted = performance.now()
    let finished = 0
    try {
      await Promise.all(
        producers.map(async (producer, index) => {
          // Up to sendBatchesInFlightMax batches in flight per producer, as an application that
          // does not wait for each acknowledgement would; awaiting each would measure fsync round
          // trips, not what N connections can carry.
          const inFlight: Promise<unknown>[] = []
          for (let sent = 0; sent < share; sent += messagesPerSendBatch) {
            const count = Math.min(messagesPerSendBatch, share - sent)
            const messages = Array.from({ length: count }, (_, offset) => ({
              key: benchKey(index * share + sent + offset),
              value,
            }))
            inFlight.push(producer.sendBatch({ topic, messages }))
            if (inFlight.length >= sendBatchesInFlightMax) await inFlight.shift()
          }
          await Promise.all(inFlight)
          await producer.flush()
          progress(spec.connections + ++finished, spec.connections * 2)
        }),
      )
    } catch (error) {
      await sampler.stop()
      throw error
    }
    const seconds = secondsSince(sendStarted)
    const { peakBytes } = await sampler.stop()
    const messages = share * spec.connections
    return {
      connections: spec.connections,
      connectSeconds,
      brokerSockets,
      rssIdleBytes,
      rssConnectedBytes,
      rssPeakBytes: peakBytes,
      messages,
      seconds,
      messagesPerSecond: messages / seconds,
      megabytesPerSecond: (messages * spec.valueBytes) / megabyteBytes / seconds,
    }
  } finally {
    await Promise.allSettled(clients.map((client) => client.close()))
    await admin.close()
    await broker.stop()
  }
}
