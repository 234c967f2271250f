// `--only kafka`: KafkaJS producing to and consuming from Weir over the Kafka listener, against
// Weir's own client on the native listener, on one broker in its own process; kcat (librdkafka)
// beside them when installed, a Kafka client whose own per-message cost is small. Same record counts,
// value sizes, acks and durability as the comparison's Weir rows (compare/compare-sizes.ts: 100 B
// and 1 KiB, acks all / -1, topics with fsync 'always' and every 1000 ms, 1 partition). Each case
// uses fresh topics; the clients rotate which goes first per repetition, and each reports
// its median run. A row the listener cannot serve (it does not advertise an API the client needs)
// is reported as skipped with the missing APIs, never as a hang or a zero.
import { loadavg } from 'node:os'
import { Client } from '@weir/client'
import type { Kafka } from '@weir/protocol'
import { compareSizes } from '../compare/compare-sizes.js'
import { type WeirFsync, weirServerConfig } from '../compare/weir.js'
import { benchTopicName } from '../e2e/produce.js'
import { startWeirServer } from '../e2e/weir-server.js'
import { formatCount } from '../format.js'
import { medianRun, type Progress } from '../measurement.js'
import { freePort } from '../servers/child-processes.js'
import { findWeir } from '../servers/weir.js'
import type { SuiteName } from '../suites.js'
import type { ClientRun } from './client-run.js'
import { type AdvertisedApis, missingKafkaApis, probeKafkaApis } from './kafka-api-probe.js'
import { kafkajsConsume, kafkajsProduce, kafkajsVersion } from './kafkajs-rows.js'
import { findKcat, type KcatAvailability, kcatConsume, kcatProduce } from './kcat-rows.js'
import { weirConsume, weirProduce } from './weir-rows.js'

export interface KafkaBenchSizes {
  /** 100 B messages per produce and consume run. */
  readonly smallMessages: number
  /** 1 KiB messages per run. */
  readonly largeMessages: number
  /** Produced and consumed by each client before the clock starts: JIT, connections, the group. */
  readonly warmupMessages: number
  readonly repetitions: number
  readonly fsyncs: readonly WeirFsync[]
}

export const kafkaBenchSizes: Record<SuiteName, KafkaBenchSizes> = {
  quick: {
    smallMessages: compareSizes.quick.smallMessages,
    largeMessages: compareSizes.quick.largeMessages,
    warmupMessages: compareSizes.quick.warmupMessages,
    repetitions: 1,
    fsyncs: ['always', 1000],
  },
  full: {
    smallMessages: compareSizes.full.smallMessages,
    largeMessages: compareSizes.full.largeMessages,
    warmupMessages: compareSizes.full.warmupMessages,
    repetitions: 3,
    fsyncs: ['always', 1000],
  },
}

/** What a KafkaJS producer and a KafkaJS group consumer send (KafkaJS 2.2.4, no idempotence). */
const producerApis: readonly Kafka.KafkaApiName[] = ['ApiVersions', 'Metadata', 'Produce']
const consumerApis: readonly Kafka.KafkaApiName[] = [
  'ApiVersions',
  'Metadata',
  'FindCoordinator',
  'JoinGroup',
  'SyncGroup',
  'Heartbeat',
  'LeaveGroup',
  'OffsetFetch',
  'ListOffsets',
  'Fetch',
]

/** What `kcat -P` and `kcat -C -e` (librdkafka 2.0, no group, not idempotent) send. */
const kcatProducerApis: readonly Kafka.KafkaApiName[] = ['ApiVersions', 'Metadata', 'Produce']
const kcatConsumerApis: readonly Kafka.KafkaApiName[] = ['ApiVersions', 'Metadata', 'ListOffsets', 'Fetch']

export const clientNames = ['weir', 'kafkajs', 'kcat'] as const
export type ClientName = (typeof clientNames)[number]
export type Direction = 'produce' | 'consume'

export const clientLabels: Record<ClientName, string> = {
  weir: 'Weir client',
  kafkajs: 'KafkaJS',
  kcat: 'kcat',
}

export interface RowResult {
  readonly median?: ClientRun
  readonly runs: readonly ClientRun[]
  /** Why the row was not measured (the listener lacks an API the client needs). */
  readonly skipped?: string
}

export interface KafkaCaseResult {
  readonly fsync: WeirFsync
  readonly valueBytes: number
  readonly messages: number
  readonly rows: Record<ClientName, Record<Direction, RowResult>>
}

export interface KafkaBenchResults {
  /** The broker measured: package version and git commit (servers/weir.ts). */
  readonly weirVersion: string
  readonly kafkajsVersion: string
  /** kcat's and librdkafka's versions, or why kcat was not run. */
  readonly kcat: string
  /** The Kafka API keys the listener advertised, with their versions. */
  readonly advertised: ReadonlyArray<{
    readonly apiKey: number
    readonly minVersion: number
    readonly maxVersion: number
  }>
  readonly cases: readonly KafkaCaseResult[]
  /** 1, 5 and 15 minute load averages before and after: figures from a busy machine are low. */
  readonly loadAverageBefore: readonly number[]
  readonly loadAverageAfter: readonly number[]
}

export interface KafkaBenchReporter {
  caseStarted(step: number, steps: number, label: string): void
  runStarted(run: number, runs: number): void
  readonly progress: Progress
  runFinished(summary: string): void
}

interface Endpoints {
  readonly native: string
  readonly kafka: string
  readonly client: Client
  readonly kcat: KcatAvailability
  readonly skipped: Record<ClientName, Record<Direction, string | undefined>>
}

function skipReasons(advertised: AdvertisedApis, kcat: KcatAvailability): Endpoints['skipped'] {
  const reason = (needed: readonly Kafka.KafkaApiName[], who: string) => {
    const missing = missingKafkaApis(advertised, needed)
    return missing.length === 0
      ? undefined
      : `the Kafka listener does not advertise ${missing.join(', ')}, which a ${who} needs`
  }
  return {
    weir: { produce: undefined, consume: undefined },
    kafkajs: {
      produce: reason(producerApis, 'KafkaJS producer'),
      consume: reason(consumerApis, 'KafkaJS consumer'),
    },
    kcat: kcat.available
      ? { produce: reason(kcatProducerApis, 'kcat -P'), consume: reason(kcatConsumerApis, 'kcat -C') }
      : { produce: kcat.reason, consume: kcat.reason },
  }
}

async function measureOnce(
  endpoints: Endpoints,
  client: ClientName,
  fsync: WeirFsync,
  messages: number,
  valueBytes: number,
  progress: Progress,
): Promise<Partial<Record<Direction, ClientRun>>> {
  const skipped = endpoints.skipped[client]
  if (skipped.produce !== undefined) return {}
  const topic = benchTopicName(`kafka-${client}`)
  await endpoints.client
    .admin()
    .createTopic({ topic, partitions: 1, replicationFactor: 1, config: { fsync } })
  const halfway: Progress = (done, total) => progress(done, total * 2)
  const secondHalf: Progress = (done, total) => progress(total + done, total * 2)
  const kcat = endpoints.kcat.available ? endpoints.kcat.executable : 'kcat'
  const produce = await {
    weir: () => weirProduce(endpoints.client, topic, messages, valueBytes, halfway),
    kafkajs: () => kafkajsProduce(endpoints.kafka, topic, messages, valueBytes, halfway),
    kcat: () => kcatProduce(kcat, endpoints.kafka, topic, messages, valueBytes, halfway),
  }[client]()
  const consume =
    skipped.consume !== undefined
      ? undefined
      : await {
          weir: () => weirConsume(endpoints.client, topic, messages, valueBytes, secondHalf),
          kafkajs: () => kafkajsConsume(endpoints.kafka, topic, messages, valueBytes, secondHalf),
          kcat: () => kcatConsume(kcat, endpoints.kafka, topic, messages, valueBytes, secondHalf),
        }[client]()
  // The next case starts on a broker that no longer holds this one's segments.
  await endpoints.client.admin().deleteTopic(topic)
  return consume === undefined ? { produce } : { produce, consume }
}

function row(runs: readonly ClientRun[], skipped: string | undefined): RowResult {
  if (skipped !== undefined) return { runs: [], skipped }
  return { runs, median: medianRun(runs, (run) => run.messagesPerSecond) }
}

function describe(run: Partial<Record<Direction, ClientRun>>): string {
  const rate = (measured: ClientRun | undefined) =>
    measured === undefined ? 'skipped' : `${formatCount(measured.messagesPerSecond)} msg/s`
  return `produce ${rate(run.produce)}, consume ${rate(run.consume)}`
}

export async function runKafkaSuite(
  sizes: KafkaBenchSizes,
  reporter: KafkaBenchReporter,
): Promise<KafkaBenchResults> {
  const loadAverageBefore = loadavg()
  const weir = await findWeir()
  if (!weir.available) throw new Error(`the kafka benchmark needs the weir broker: ${weir.reason}`)
  const kafkaPort = await freePort()
  const server = await startWeirServer(weirServerConfig, ['--kafka-listen', `127.0.0.1:${kafkaPort}`])
  const client = new Client({ brokers: [server.address], clientId: 'bench-kafka' })
  try {
    const advertised = await probeKafkaApis('127.0.0.1', kafkaPort)
    const kcat = await findKcat()
    const endpoints: Endpoints = {
      native: server.address,
      kafka: `127.0.0.1:${kafkaPort}`,
      client,
      kcat,
      skipped: skipReasons(advertised, kcat),
    }
    const clients = clientNames
    // Uncounted: every path warmed once (JIT, connections, KafkaJS's metadata and group code).
    for (const name of clients)
      await measureOnce(endpoints, name, 'always', sizes.warmupMessages, 100, () => {})
    const shapes = sizes.fsyncs.flatMap((fsync) => [
      { fsync, valueBytes: 100, messages: sizes.smallMessages },
      { fsync, valueBytes: 1024, messages: sizes.largeMessages },
    ])
    const cases: KafkaCaseResult[] = []
    let run = 0
    for (const [index, shape] of shapes.entries()) {
      const fsyncLabel = shape.fsync === 'always' ? 'fsync always' : `fsync every ${shape.fsync} ms`
      reporter.caseStarted(
        index + 1,
        shapes.length,
        `${formatCount(shape.messages)} × ${shape.valueBytes} B, ${fsyncLabel}: Weir client, KafkaJS, kcat`,
      )
      const runs: Record<ClientName, Record<Direction, ClientRun[]>> = {
        weir: { produce: [], consume: [] },
        kafkajs: { produce: [], consume: [] },
        kcat: { produce: [], consume: [] },
      }
      for (let repetition = 0; repetition < sizes.repetitions; repetition++) {
        // Rotated, so no client always runs first on a cold machine.
        const order = clients.map((_, index) => clients[(index + repetition) % clients.length]!)
        for (const name of order) {
          reporter.runStarted(++run, shapes.length * sizes.repetitions * clients.length)
          const measured = await measureOnce(
            endpoints,
            name,
            shape.fsync,
            shape.messages,
            shape.valueBytes,
            reporter.progress,
          )
          if (measured.produce) runs[name].produce.push(measured.produce)
          if (measured.consume) runs[name].consume.push(measured.consume)
          reporter.runFinished(`${clientLabels[name]}: ${describe(measured)}`)
        }
      }
      const rowsOf = (name: ClientName) => ({
        produce: row(runs[name].produce, endpoints.skipped[name].produce),
        consume: row(runs[name].consume, endpoints.skipped[name].produce ?? endpoints.skipped[name].consume),
      })
      cases.push({
        ...shape,
        rows: { weir: rowsOf('weir'), kafkajs: rowsOf('kafkajs'), kcat: rowsOf('kcat') },
      })
    }
    return {
      weirVersion: weir.version,
      kafkajsVersion: kafkajsVersion(),
      kcat: kcat.available ? kcat.version : kcat.reason,
      advertised: [...advertised].map(([apiKey, versions]) => ({ apiKey, ...versions })),
      cases,
      loadAverageBefore,
      loadAverageAfter: loadavg(),
    }
  } finally {
    await client.close()
    await server.stop()
  }
}
