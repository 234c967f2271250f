// What TLS and SCRAM cost: the same produce and consume cases against a broker that serves plain
// TCP to anyone, and against one that serves TLS (1.3 on this machine) and asks every connection
// for a SCRAM-SHA-256 login. Modes alternate run by run, so drift on a shared machine (page cache,
// CPU frequency, neighbours) lands on both alike; each case reports the median run of each mode.
// The certificates are the test ones in packages/protocol/test/fixtures/tls (loopback only).
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client, type ClientOptions } from '@weir/client'
import { type ConsumeMeasurement, measureConsume } from '../e2e/consume.js'
import { measureProduce, type ProduceMeasurement } from '../e2e/produce.js'
import { startWeirServer } from '../e2e/weir-server.js'
import { formatCount, formatRate } from '../format.js'
import { medianRun, type Progress } from '../measurement.js'
import { type Table, targetTable } from '../report.js'
import { makeTemporaryDirectory, removeTemporaryDirectory } from '../servers/child-processes.js'
import type { TargetCheck } from '../targets.js'

const fixtures = fileURLToPath(new URL('../../../packages/protocol/test/fixtures/tls/', import.meta.url))
const user = { username: 'bench', password: 'bench-password-not-secret' }

export const securitySizes = {
  quick: { smallMessages: 300_000, largeMessages: 60_000, consumeMessages: 300_000, repetitions: 3 },
  full: { smallMessages: 1_000_000, largeMessages: 200_000, consumeMessages: 1_000_000, repetitions: 5 },
} as const

export type SecuritySizes = (typeof securitySizes)[keyof typeof securitySizes]
type Mode = 'plain' | 'tls+scram'
type Measurement = ProduceMeasurement | ConsumeMeasurement

export interface SecurityCase {
  readonly label: string
  readonly plain: Measurement
  readonly secured: Measurement
  readonly runs: { readonly plain: readonly Measurement[]; readonly secured: readonly Measurement[] }
}

export interface SecurityReporter {
  caseStarted(step: number, steps: number, label: string): void
  runStarted(run: number, runs: number): void
  readonly progress: Progress
  runFinished(summary: string): void
}

const securedClient: Pick<ClientOptions, 'tls' | 'sasl'> = {
  tls: { ca: readFileSync(join(fixtures, 'ca.pem')) },
  sasl: { mechanism: 'scram-sha-256', ...user },
}

/** A broker in its own process, plain or with TLS and SCRAM (its bootstrap user is the bench's). */
async function startBroker(mode: Mode) {
  if (mode === 'plain') return startWeirServer()
  const directory = await makeTemporaryDirectory()
  const userFile = join(directory, 'bench-user')
  await writeFile(userFile, `${user.username}:${user.password}\n`)
  const server = await startWeirServer({}, [
    ...['--tls-cert', join(fixtures, 'broker.pem'), '--tls-key', join(fixtures, 'broker.key')],
    ...['--sasl-mechanisms', 'scram-sha-256', '--bootstrap-user-file', userFile],
  ])
  // The bootstrap user is created through the controller just after the broker serves.
  const deadline = performance.now() + 15_000
  for (;;) {
    const client = new Client({ brokers: [server.address], clientId: 'bench-login', ...securedClient })
    try {
      await client.admin().listTopics()
      break
    } catch (error) {
      if (performance.now() > deadline) {
        await server.stop()
        throw new Error(`the secured broker did not accept the bench user: ${String(error)}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    } finally {
      await client.close()
    }
  }
  return {
    address: server.address,
    stop: () => server.stop().finally(() => removeTemporaryDirectory(directory)),
  }
}

export async function runSecuritySuite(
  sizes: SecuritySizes,
  reporter: SecurityReporter,
): Promise<SecurityCase[]> {
  const cases: {
    label: string
    measure: (brokers: string, security: Pick<ClientOptions, 'tls' | 'sasl'>) => Promise<Measurement>
  }[] = [
    {
      label: 'produce 100 B, 1 partition, acks leader',
      measure: (brokers, security) =>
        measureProduce(
          brokers,
          {
            messages: sizes.smallMessages,
            valueBytes: 100,
            partitions: 1,
            acks: 'leader',
            windowMessages: 20_000,
          },
          reporter.progress,
          security,
        ),
    },
    {
      label: 'produce 1 KiB, 1 partition, acks leader',
      measure: (brokers, security) =>
        measureProduce(
          brokers,
          {
            messages: sizes.largeMessages,
            valueBytes: 1024,
            partitions: 1,
            acks: 'leader',
            windowMessages: 20_000,
          },
          reporter.progress,
          security,
        ),
    },
    {
      label: 'consume 100 B, 1 partition',
      measure: (brokers, security) =>
        measureConsume(
          brokers,
          { messages: sizes.consumeMessages, valueBytes: 100, partitions: 1 },
          reporter.progress,
          security,
        ),
    },
  ]
  const results: SecurityCase[] = []
  let step = 0
  for (const entry of cases) {
    reporter.caseStarted(++step, cases.length, entry.label)
    const runs: Record<Mode, Measurement[]> = { plain: [], 'tls+scram': [] }
    const total = sizes.repetitions * 2
    let run = 0
    for (let repetition = 0; repetition < sizes.repetitions; repetition++) {
      // Alternate which mode goes first, so neither always runs on a warmer machine.
      const order: Mode[] = repetition % 2 === 0 ? ['plain', 'tls+scram'] : ['tls+scram', 'plain']
      for (const mode of order) {
        reporter.runStarted(++run, total)
        const server = await startBroker(mode)
        try {
          const measurement = await entry.measure(server.address, mode === 'plain' ? {} : securedClient)
          runs[mode].push(measurement)
          reporter.runFinished(`${mode}: ${formatCount(measurement.messagesPerSecond)} msg/s`)
        } finally {
          await server.stop()
        }
      }
    }
    const figure = (measurement: Measurement) => measurement.messagesPerSecond
    results.push({
      label: entry.label,
      plain: medianRun(runs.plain, figure),
      secured: medianRun(runs['tls+scram'], figure),
      runs: { plain: runs.plain, secured: runs['tls+scram'] },
    })
  }
  return results
}

/** The goal of issue 12: TLS and SCRAM on costs at most 15% of throughput. */
export const securedRatioMin = 0.85

export function securityTables(results: readonly SecurityCase[], targets: readonly TargetCheck[]): Table[] {
  return [
    {
      title: 'Plain TCP vs TLS + SCRAM-SHA-256 (median run of each, modes alternated)',
      header: ['case', 'plain msg/s', 'plain MB/s', 'TLS+SCRAM msg/s', 'TLS+SCRAM MB/s', 'secured / plain'],
      rows: results.map(({ label, plain, secured }) => [
        label,
        formatCount(plain.messagesPerSecond),
        formatRate(plain.megabytesPerSecond),
        formatCount(secured.messagesPerSecond),
        formatRate(secured.megabytesPerSecond),
        (secured.messagesPerSecond / plain.messagesPerSecond).toFixed(2),
      ]),
    },
    targetTable(targets, 'Security targets'),
  ]
}

export function checkSecurityTargets(results: readonly SecurityCase[]): TargetCheck[] {
  return results.map(({ label, plain, secured }) => {
    const ratio = secured.messagesPerSecond / plain.messagesPerSecond
    return {
      target: `${label}: TLS + SCRAM ≤ 15% slower`,
      measured: `${formatCount(secured.messagesPerSecond)} vs ${formatCount(plain.messagesPerSecond)} msg/s`,
      ratio,
      required: `≥ ${securedRatioMin.toFixed(2)}`,
      meets: ratio >= securedRatioMin,
    }
  })
}
