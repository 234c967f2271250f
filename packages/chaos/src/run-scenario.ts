// One run of one scenario: start the cluster and the topic, start the workload, let the scenario
// inject its faults, heal everything, let the workload run on, stop it, wait for the replicas to
// converge, read every partition from the start, stop the brokers, compare the replicas' files,
// and check the history.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Client } from '@weir/client'
import { ChaosCluster, cliPath } from './chaos-cluster.js'
import { type CheckResult, checkHistory } from './checker.js'
import { readEverything } from './final-read.js'
import type { FaultEvent, History, ReplicaReport } from './history.js'
import { seededRandom } from './prng.js'
import { compareReplicas, type StoredBatch } from './replica-compare.js'
import type { Scenario, ScenarioContext } from './scenario.js'
import { topicPartitions } from './scenarios.js'
import { partitionDirectory, readSegmentBatches } from './segment-batches.js'
import { Workload } from './workload.js'

export interface RunOptions {
  readonly seed: number
  readonly rounds: number
  /** Progress lines go here. */
  readonly log: (line: string) => void
  /** Keep the run's directory (data dirs, broker logs) instead of deleting it. */
  readonly keepFiles: boolean
}

export interface RunResult {
  readonly scenario: string
  readonly seed: number
  readonly result: CheckResult
  /** Set when the run itself broke (a broker would not start, a CLI command failed). */
  readonly error: string | undefined
  readonly durationMs: number
}

const topic = 'chaos'
/** The workload runs this long before the first fault, and this long after the last heal. */
const warmUpMs = 3_000
const recoveryMs = 5_000
const convergeTimeoutMs = 30_000

export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunResult> {
  const startedMs = Date.now()
  const random = seededRandom(options.seed)
  const log = (line: string) => options.log(`[${scenario.name} seed ${options.seed}] ${line}`)
  log(`starting ${scenario.brokers} brokers`)
  const cluster = await ChaosCluster.start({
    size: scenario.brokers,
    spares: scenario.spares ?? 0,
    random: seededRandom(options.seed ^ 0x5eed),
    config: { logLevel: 'info' },
  })
  const admin = new Client({ brokers: cluster.bootstrap, clientId: 'chaos-admin', maxMetadataAgeMs: 500 })
  const faults: FaultEvent[] = []
  const workload = new Workload({
    bootstrap: cluster.bootstrap,
    topic,
    partitions: topicPartitions,
    producers: 3,
    sendsPerSecond: 40,
    maxInFlightSendsPerPartition: 4,
    groupMembers: 2,
    pollsPerCommit: 20,
  })
  let error: string | undefined
  let history: History | undefined
  try {
    const context = makeContext(cluster, admin, workload, random, options.rounds, faults, log)
    await createTopic(context, scenario)
    const workloadStartMs = Date.now()
    workload.start()
    await context.sleep(warmUpMs)
    try {
      await scenario.run(context)
    } catch (failure) {
      error = (failure as Error).message
      log(`scenario failed: ${error}`)
    }
    await heal(context)
    await context.sleep(recoveryMs)
    log('stopping the workload')
    await workload.stop()
    history = await verify(context, workload, { startMs: workloadStartMs, endMs: Date.now() }, faults, log)
  } catch (failure) {
    error ??= (failure as Error).stack ?? String(failure)
    log(`run failed: ${error}\n${cluster.logs()}`)
  } finally {
    await workload.stop().catch(() => undefined)
    await admin.close().catch(() => undefined)
    await cluster.close(options.keepFiles)
    if (options.keepFiles) {
      // The whole history beside the data dirs and broker logs, to read a failure by hand.
      const dump = {
        scenario: scenario.name,
        seed: options.seed,
        history,
        rebalances: workload.rebalances,
        failures: workload.failures,
      }
      writeFileSync(join(cluster.root, 'history.json'), JSON.stringify(dump))
      log(`files kept in ${cluster.root} (history.json, broker-N.log, broker-N/)`)
    }
  }
  const result = checkHistory(
    history ?? {
      partitions: topicPartitions,
      startMs: startedMs,
      endMs: Date.now(),
      acks: workload.acks,
      failures: [],
      polls: [],
      commits: [],
      finalRead: [],
      finalReadProblem: 'the run did not reach the final read',
      replicas: [],
      faults,
    },
  )
  return { scenario: scenario.name, seed: options.seed, result, error, durationMs: Date.now() - startedMs }
}

function makeContext(
  cluster: ChaosCluster,
  admin: Client,
  workload: Workload,
  random: ReturnType<typeof seededRandom>,
  rounds: number,
  faults: FaultEvent[],
  log: (line: string) => void,
): ScenarioContext {
  const describe = () => admin.admin().describeTopic(topic)
  const context: ScenarioContext = {
    cluster,
    random,
    workload,
    admin,
    topic,
    rounds,
    members: [...cluster.ids],
    fault(description, disruptive) {
      faults.push({ timeMs: Date.now(), description, disruptive })
      log(description)
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    async leaderOf(partition) {
      const leader = (await describe()).partitions.find((entry) => entry.partition === partition)?.leader
      return leader === undefined || leader < 0 ? undefined : leader
    },
    async replicasOf(partition) {
      return [
        ...((await describe()).partitions.find((entry) => entry.partition === partition)?.replicas ?? []),
      ]
    },
    cli: (args) => runCli(cluster, context.members, args),
    async waitUntil(what, timeoutMs, check) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        if (await check().catch(() => false)) return
        if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
        await context.sleep(250)
      }
    },
  }
  return context
}

async function createTopic(context: ScenarioContext, scenario: Scenario): Promise<void> {
  await context.waitUntil('topic created', 30_000, async () => {
    await context.admin.admin().createTopic({
      topic,
      partitions: topicPartitions,
      replicationFactor: 3,
      config: scenario.topicConfig ?? {},
    })
    return true
  })
  await converge(context)
}

/**
 * After the workload: wait for the replicas to converge, read every partition from the start,
 * stop the brokers and compare their files; the history the checker reads.
 */
async function verify(
  context: ScenarioContext,
  workload: Workload,
  span: { startMs: number; endMs: number },
  faults: readonly FaultEvent[],
  log: (line: string) => void,
): Promise<History> {
  const cluster = context.cluster
  await converge(context).catch((failure: Error) => log(failure.message))
  log('reading every partition from the start')
  const ackedEnds = new Map<number, number>()
  for (const ack of workload.acks)
    ackedEnds.set(ack.partition, Math.max(ackedEnds.get(ack.partition) ?? -1, ack.offset))
  const final = await readEverything(cluster.bootstrap, topic, ackedEnds)
  const replicaSets = await Promise.all(
    Array.from({ length: topicPartitions }, (_, partition) => context.replicasOf(partition).catch(() => [])),
  )
  log('stopping the brokers (SIGTERM) to compare the replicas')
  await cluster.stopAll()
  return {
    partitions: topicPartitions,
    ...span,
    acks: workload.acks,
    failures: workload.failures,
    polls: workload.polls,
    commits: workload.commits,
    finalRead: final.records,
    finalReadProblem: final.problem,
    replicas: compareAll(cluster, replicaSets, final.highWatermarks),
    faults,
  }
}

/** Every partition has a leader and every replica in sync. */
async function converge(context: ScenarioContext): Promise<void> {
  await context.waitUntil('every partition led with every replica in sync', convergeTimeoutMs, async () => {
    const description = await context.admin.admin().describeTopic(topic)
    return description.partitions.every(
      (entry) => entry.leader >= 0 && (entry.isr?.length ?? 0) === entry.replicas.length,
    )
  })
}

/** Links healed, paused brokers resumed, stopped members restarted. */
async function heal(context: ScenarioContext): Promise<void> {
  context.fault('heal everything', false)
  context.cluster.network.healAll()
  for (const id of context.members) {
    const broker = context.cluster.broker(id)
    if (broker.state === 'paused') context.cluster.resume(id)
    if (broker.state === 'stopped') await context.cluster.start(id, context.members)
  }
}

function compareAll(
  cluster: ChaosCluster,
  replicaSets: readonly number[][],
  highWatermarks: ReadonlyMap<number, number>,
): ReplicaReport[] {
  const reports: ReplicaReport[] = []
  for (let partition = 0; partition < topicPartitions; partition++) {
    const logs = new Map<number, StoredBatch[]>()
    for (const id of replicaSets[partition] ?? []) {
      const directory = partitionDirectory(cluster.broker(id).dataDir, topic, partition)
      logs.set(id, directory === undefined ? [] : readSegmentBatches(directory))
    }
    reports.push(compareReplicas(partition, highWatermarks.get(partition) ?? 0, logs))
  }
  return reports
}

/** `weir ARGS --bootstrap HOST:PORT` against a running member; resolves with its output. */
function runCli(cluster: ChaosCluster, members: readonly number[], args: readonly string[]): Promise<string> {
  const target = members.map((id) => cluster.broker(id)).find((broker) => broker.state === 'running')
  if (target === undefined) return Promise.reject(new Error(`weir ${args.join(' ')}: no broker is running`))
  const child = spawn(process.execPath, [cliPath, ...args, '--bootstrap', `127.0.0.1:${target.port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code === 0) resolve(output)
      // The first lines say what went wrong; a usage text after them would bury the table.
      else
        reject(
          new Error(
            `weir ${args.join(' ')} exited ${code}: ${output.trim().split('\n').slice(0, 3).join(' ')}`,
          ),
        )
    })
  })
}
