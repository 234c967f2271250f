// Row 1, many partitions: one topic of N partitions on a fresh broker; creation time, produce and
// consume throughput of keyed 100 B messages spread over every partition, and the broker's RSS
// idle, once the partitions exist and at its peak while they carry traffic. The RSS slope over the
// sizes is what one partition costs.
import { Client } from '@weir/client'
import { benchTopicName, type ProduceMeasurement, produceMessages } from '../e2e/produce.js'
import { type Progress, secondsSince } from '../measurement.js'
import { type ConsumeFigures, consumeAll } from './consume-all.js'
import { idleCores, residentBytes, sampleResidentBytes } from './process-memory.js'
import { scaleRequestTimeoutMs, startScaleBroker } from './scale-broker.js'

export interface PartitionsSpec {
  readonly partitions: number
  readonly messages: number
  readonly valueBytes: number
}

export interface PartitionsMeasurement {
  readonly partitions: number
  readonly createSeconds: number
  /** Broker RSS before the topic existed (a fresh broker with its internal topics). */
  readonly rssIdleBytes: number
  /** Broker RSS once the N partitions exist, before any traffic. */
  readonly rssCreatedBytes: number
  /** Cores the broker keeps busy with the N partitions and no traffic (their Raft ticks). */
  readonly idleCores: number
  /** Highest broker RSS sampled while producing and consuming. */
  readonly rssPeakBytes: number
  /** Broker RSS after the traffic (buffers the broker keeps per partition show here). */
  readonly rssAfterBytes: number
  readonly produce: ProduceMeasurement
  readonly consume: ConsumeFigures
}

export async function measurePartitions(
  spec: PartitionsSpec,
  progress: Progress,
  say: (line: string) => void,
): Promise<PartitionsMeasurement> {
  const broker = await startScaleBroker()
  const client = new Client({
    brokers: [broker.address],
    clientId: 'bench-scale-partitions',
    requestTimeoutMs: scaleRequestTimeoutMs,
  })
  try {
    await client.admin().listTopics()
    const rssIdleBytes = await residentBytes(broker.pid)
    const topic = benchTopicName(`partitions-${spec.partitions}`)
    const started = performance.now()
    await client.admin().createTopic({ topic, partitions: spec.partitions, replicationFactor: 1 })
    const createSeconds = secondsSince(started)
    const rssCreatedBytes = await residentBytes(broker.pid)
    const idle = await idleCores(broker.pid)
    say(`created ${spec.partitions} partitions in ${createSeconds.toFixed(2)} s; producing`)
    const sampler = sampleResidentBytes(broker.pid)
    let produce: ProduceMeasurement
    let consume: ConsumeFigures
    try {
      produce = await produceMessages(
        client,
        topic,
        { ...spec, acks: 'all', windowMessages: 20_000 },
        (done, total) => progress(done, 2 * total),
      )
      say('consuming')
      consume = await consumeAll(client, topic, spec.messages, (done, total) =>
        progress(total + done, 2 * total),
      )
    } catch (error) {
      await sampler.stop()
      throw error
    }
    const { peakBytes } = await sampler.stop()
    return {
      partitions: spec.partitions,
      createSeconds,
      rssIdleBytes,
      rssCreatedBytes,
      idleCores: idle,
      rssPeakBytes: peakBytes,
      rssAfterBytes: await residentBytes(broker.pid),
      produce,
      consume,
    }
  } finally {
    await client.close()
    await broker.stop()
  }
}
