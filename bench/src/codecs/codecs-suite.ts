// Per codec, through a real broker in its own process: produce realistic JSON documents with the
// producer's `compression`, read the topic's segment sizes (bytes on disk), then consume them all
// from the beginning. A fresh broker per run; codecs rotate within each repetition so drift on a
// shared machine reaches all of them alike, and each codec reports its median run.
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Client, type CompressionName, codecs, defineTopic } from '@weir/client'
import { benchKey, benchTopicName, createBenchTopic } from '../e2e/produce.js'
import { startWeirServer } from '../e2e/weir-server.js'
import { formatCount } from '../format.js'
import { medianRun, megabyteBytes, type Progress, secondsSince } from '../measurement.js'
import { type CodecCpu, measureCodecCpu } from './codec-cpu.js'
import { type DocumentPool, jsonDocuments } from './json-documents.js'

export const codecNames: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

export interface CodecsSizes {
  /** Documents produced and consumed per codec and run. */
  readonly messages: number
  /** Distinct documents cycled through. */
  readonly documents: number
  readonly repetitions: number
  /** Wall time each in-process CPU measurement runs (after a warm-up as long). */
  readonly cpuMinimumMs: number
}

export const codecsSizes: Record<'quick' | 'full', CodecsSizes> = {
  quick: { messages: 60_000, documents: 4096, repetitions: 1, cpuMinimumMs: 300 },
  full: { messages: 300_000, documents: 8192, repetitions: 3, cpuMinimumMs: 1000 },
}

export interface CodecRun {
  readonly codec: CompressionName
  readonly messages: number
  /** JSON value bytes sent (uncompressed). */
  readonly valueBytes: number
  /** Sum of the topic's segment files after the producer flushed. */
  readonly diskBytes: number
  readonly produceSeconds: number
  readonly produceMessagesPerSecond: number
  readonly produceMegabytesPerSecond: number
  readonly consumeSeconds: number
  readonly consumeMessagesPerSecond: number
  readonly consumeMegabytesPerSecond: number
}

export interface CodecResult {
  readonly codec: CompressionName
  /** valueBytes / diskBytes of the median run. */
  readonly ratio: number
  readonly median: CodecRun
  readonly runs: readonly CodecRun[]
  readonly cpu: CodecCpu
}

export interface CodecsResults {
  readonly documentBytesAverage: number
  readonly codecs: readonly CodecResult[]
}

export interface CodecsReporter {
  caseStarted(step: number, steps: number, label: string): void
  runStarted(run: number, runs: number): void
  readonly progress: Progress
  runFinished(summary: string): void
}

const chunkMessages = 1000
const windowMessages = 20_000

async function segmentBytes(dataDir: string, topic: string): Promise<number> {
  let bytes = 0
  const topicDirectory = join(dataDir, topic)
  // Partition directories are numbered; the topic directory also holds its id file.
  const partitions = (await readdir(topicDirectory)).filter((entry) => /^\d+$/.test(entry))
  for (const partition of partitions) {
    const partitionDirectory = join(topicDirectory, partition)
    for (const file of await readdir(partitionDirectory)) {
      if (file.endsWith('.log')) bytes += (await stat(join(partitionDirectory, file))).size
    }
  }
  return bytes
}

async function produce(
  client: Client,
  topicName: string,
  codec: CompressionName,
  pool: DocumentPool,
  messages: number,
  progress: Progress,
): Promise<{ seconds: number; valueBytes: number }> {
  const topic = defineTopic<Buffer>({ name: topicName, codec: codecs.raw })
  const producer = client.producer({ acks: 'leader', lingerMs: 2, compression: codec })
  let valueBytes = 0
  const started = performance.now()
  try {
    const inFlight: Promise<unknown>[] = []
    for (let sent = 0; sent < messages; ) {
      const count = Math.min(chunkMessages, messages - sent)
      const batch = new Array<{ key: string; value: Buffer }>(count)
      for (let index = 0; index < count; index++) {
        const value = pool.values[(sent + index) % pool.values.length]!
        valueBytes += value.length
        batch[index] = { key: benchKey(sent + index), value }
      }
      inFlight.push(producer.sendBatch({ topic, messages: batch }))
      sent += count
      if (inFlight.length * chunkMessages >= windowMessages) {
        await inFlight.shift()
        progress(sent, messages * 2)
      }
    }
    await Promise.all(inFlight)
    await producer.flush()
  } finally {
    await producer.close()
  }
  return { seconds: secondsSince(started), valueBytes }
}

async function consume(
  client: Client,
  topicName: string,
  messages: number,
  progress: Progress,
): Promise<number> {
  const topic = defineTopic<Buffer>({ name: topicName, codec: codecs.raw })
  const consumer = client.consumer({ topics: [topic], fromBeginning: true })
  const started = performance.now()
  let received = 0
  try {
    for await (const message of consumer) {
      if (message.value.length === 0) throw new Error('an empty value came back')
      if (++received % 10_000 === 0) progress(messages + received, messages * 2)
      if (received === messages) break
    }
  } finally {
    await consumer.close()
  }
  if (received !== messages) throw new Error(`consumer stopped after ${received} of ${messages} messages`)
  return secondsSince(started)
}

async function measureCodec(
  codec: CompressionName,
  pool: DocumentPool,
  messages: number,
  progress: Progress,
): Promise<CodecRun> {
  const server = await startWeirServer()
  const client = new Client({ brokers: [server.address], clientId: `bench-codec-${codec}` })
  try {
    const name = benchTopicName(`codec-${codec}`)
    await createBenchTopic(client, name, 1)
    const produced = await produce(client, name, codec, pool, messages, progress)
    const diskBytes = await segmentBytes(server.dataDir, name)
    const consumeSeconds = await consume(client, name, messages, progress)
    return {
      codec,
      messages,
      valueBytes: produced.valueBytes,
      diskBytes,
      produceSeconds: produced.seconds,
      produceMessagesPerSecond: messages / produced.seconds,
      produceMegabytesPerSecond: produced.valueBytes / megabyteBytes / produced.seconds,
      consumeSeconds,
      consumeMessagesPerSecond: messages / consumeSeconds,
      consumeMegabytesPerSecond: produced.valueBytes / megabyteBytes / consumeSeconds,
    }
  } finally {
    await client.close()
    await server.stop()
  }
}

export async function runCodecsSuite(sizes: CodecsSizes, reporter: CodecsReporter): Promise<CodecsResults> {
  const pool = jsonDocuments(sizes.documents)
  const runs = new Map<CompressionName, CodecRun[]>(codecNames.map((codec) => [codec, []]))
  const total = sizes.repetitions * codecNames.length
  let run = 0
  reporter.caseStarted(1, 2, `produce + consume ${formatCount(sizes.messages)} JSON documents per codec`)
  for (let repetition = 0; repetition < sizes.repetitions; repetition++) {
    // Rotate the order so no codec always runs first on a cold machine.
    const order = codecNames.map((_, index) => codecNames[(index + repetition) % codecNames.length]!)
    for (const codec of order) {
      reporter.runStarted(++run, total)
      const measured = await measureCodec(codec, pool, sizes.messages, reporter.progress)
      runs.get(codec)!.push(measured)
      reporter.runFinished(
        `${codec}: ${formatCount(measured.diskBytes)} B on disk, produce ${formatCount(measured.produceMessagesPerSecond)} msg/s, consume ${formatCount(measured.consumeMessagesPerSecond)} msg/s`,
      )
    }
  }
  reporter.caseStarted(2, 2, 'CPU per 1 MiB batch in process: encode, broker check, decode')
  const results = codecNames.map((codec) => {
    const median = medianRun(runs.get(codec)!, (entry) => entry.produceMessagesPerSecond)
    return {
      codec,
      ratio: median.valueBytes / median.diskBytes,
      median,
      runs: runs.get(codec)!,
      cpu: measureCodecCpu(codec, pool, sizes.cpuMinimumMs),
    }
  })
  return { documentBytesAverage: pool.bytes / pool.values.length, codecs: results }
}
