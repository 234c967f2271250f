// Failover time of a Weir cluster: on a topic of 1 partition and 3 replicas, SIGKILL the
// partition's leader and measure the time from the kill to the first acknowledged produce (acks
// all). A probe producer sends a fresh message every probeIntervalMs the whole time and retries
// every probeIntervalMs to 2x that (the client's defaults back off from 100 ms to 2 s, which would
// measure the backoff more than the cluster); the failover time is from the kill to the
// acknowledgement of the first probe send issued after the kill. A second producer with the
// client's default retry settings sends one message right after each kill: what an application
// with default settings sees. After each kill the broker is restarted on its port and data
// directory, and the next kill waits until it serves the topic's metadata again plus settleMs, so
// that every kill hits a full 3-broker cluster.
import { Client, codecs, defineTopic, type Producer } from '@weir/client'
import { benchTopicName } from '../e2e/produce.js'
import type { Progress } from '../measurement.js'
import { startWeirCluster, type WeirCluster } from '../servers/weir-cluster.js'
import { createReplicatedTopic, pollUntil } from './replicated-produce.js'

export interface FailoverSpec {
  readonly kills: number
  /** The probe producer sends a fresh message this often, and retries this often to 2x that. */
  readonly probeIntervalMs: number
  /** After the restarted broker serves metadata again, this long before the next kill. */
  readonly settleMs: number
  /** A kill after which no produce is acknowledged within this long is reported as a cluster failure. */
  readonly failoverTimeoutMs: number
}

export interface FailoverKill {
  readonly kill: number
  readonly killedBrokerId: number
  readonly newLeaderId: number
  /** From the SIGKILL to the acknowledgement of the first probe send issued after it. */
  readonly failoverMs: number
  /** The same for one send issued right after the kill with the client's default retry settings; null: none within failoverTimeoutMs. */
  readonly defaultClientMs: number | null
  /** From the restart to the broker serving the topic's metadata with a leader. */
  readonly restartMs: number
}

export interface FailoverMeasurement {
  readonly kills: readonly FailoverKill[]
  readonly p50Ms: number
  /** Nearest rank: the maximum for fewer than 100 kills. */
  readonly p99Ms: number
  readonly maxMs: number
  readonly minMs: number
  readonly defaultClientP50Ms: number | null
  readonly defaultClientMaxMs: number | null
  readonly probeSends: number
  /** Probe sends that failed for good (none expected: retries are unlimited within failoverTimeoutMs). */
  readonly probeErrors: number
  readonly probeErrorsFirst: readonly string[]
  /** Sends of the default-settings producer that failed for good, one per kill at most. */
  readonly defaultClientErrors: readonly string[]
}

/** Probe sends not yet acknowledged, at most: a cluster that never recovers stops the probe here. */
const probeOutstandingMax = 2_000
const probeErrorsKeptMax = 10
const closeTimeoutMs = 5_000

/** Nearest-rank percentile of `values` (not empty). */
export function percentile(values: readonly number[], rank: number): number {
  const sorted = [...values].sort((left, right) => left - right)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1))
  return sorted[index]!
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Sends a message every intervalMs; tells when the first send issued after a moment is acknowledged. */
class ProbeSender {
  sends = 0
  errors = 0
  readonly errorsFirst: string[] = []
  private outstanding = 0
  private readonly waiters = new Set<{ afterMs: number; resolve: (ackedAtMs: number) => void }>()
  private readonly timer: NodeJS.Timeout
  private readonly producer: Producer
  private readonly topic

  constructor(client: Client, topicName: string, spec: FailoverSpec) {
    this.topic = defineTopic<Buffer>({ name: topicName, codec: codecs.raw })
    this.producer = client.producer({
      acks: 'all',
      lingerMs: 0,
      retries: 1_000_000,
      retryBackoffMs: spec.probeIntervalMs,
      maxRetryBackoffMs: 2 * spec.probeIntervalMs,
      deliveryTimeoutMs: spec.failoverTimeoutMs,
    })
    this.timer = setInterval(() => this.sendOne(), spec.probeIntervalMs)
  }

  private sendOne(): void {
    if (this.outstanding >= probeOutstandingMax) return
    const sentAtMs = performance.now()
    this.sends++
    this.outstanding++
    this.producer.send({ topic: this.topic, key: 'probe', value: Buffer.from(String(sentAtMs)) }).then(
      () => {
        this.outstanding--
        const ackedAtMs = performance.now()
        for (const waiter of this.waiters) {
          if (sentAtMs < waiter.afterMs) continue
          this.waiters.delete(waiter)
          waiter.resolve(ackedAtMs)
        }
      },
      (error: unknown) => {
        this.outstanding--
        this.errors++
        if (this.errorsFirst.length < probeErrorsKeptMax) {
          const elapsedMs = Math.round(performance.now() - sentAtMs)
          this.errorsFirst.push(`after ${elapsedMs} ms: ${(error as Error).message}`)
        }
      },
    )
  }

  /** When the first send issued at or after `afterMs` was acknowledged; undefined after timeoutMs. */
  ackOfFirstSendAfter(afterMs: number, timeoutMs: number): Promise<number | undefined> {
    let waiter: { afterMs: number; resolve: (ackedAtMs: number) => void } | undefined
    const acked = new Promise<number>((resolve) => {
      waiter = { afterMs, resolve }
      this.waiters.add(waiter)
    })
    return withTimeout(acked, timeoutMs).finally(() => this.waiters.delete(waiter!))
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    await withTimeout(this.producer.close(), closeTimeoutMs)
  }
}

/** The partition's leader as the cluster's metadata names it, once that broker is running. */
async function runningLeader(
  client: Client,
  cluster: WeirCluster,
  topic: string,
  timeoutMs: number,
  not?: number,
): Promise<number> {
  return pollUntil(
    async () => {
      const leader = (await client.admin().describeTopic(topic)).partitions[0]!.leader
      return leader >= 0 && leader !== not && cluster.isRunning(leader) ? leader : undefined
    },
    timeoutMs,
    `${topic}/0 has a running leader${not === undefined ? '' : ` other than broker ${not}`}`,
  )
}

/** Restarts `id` and waits until it serves the topic's metadata with a leader, asked directly. */
async function restartBroker(
  cluster: WeirCluster,
  id: number,
  topic: string,
  timeoutMs: number,
): Promise<number> {
  const startedMs = performance.now()
  await cluster.restart(id)
  const address = cluster.brokers.find((broker) => broker.id === id)!.address
  const direct = new Client({ brokers: [address], clientId: `bench-failover-check-${id}` })
  try {
    await pollUntil(
      async () => ((await direct.admin().describeTopic(topic)).partitions[0]!.leader >= 0 ? true : undefined),
      timeoutMs,
      `restarted broker ${id} serves ${topic} with a leader`,
    )
  } finally {
    await direct.close()
  }
  return performance.now() - startedMs
}

export async function measureFailover(spec: FailoverSpec, progress?: Progress): Promise<FailoverMeasurement> {
  const cluster = await startWeirCluster()
  const client = new Client({ brokers: [...cluster.bootstrap], clientId: 'bench-failover' })
  let probe: ProbeSender | undefined
  const plain = client.producer({ acks: 'all', lingerMs: 0 })
  try {
    const name = benchTopicName('failover')
    await createReplicatedTopic(client, name, 1, 3)
    const topic = defineTopic<Buffer>({ name, codec: codecs.raw })
    probe = new ProbeSender(client, name, spec)
    const fail = async (what: string) =>
      new Error(
        `${what}. Probe: ${probe!.sends} sends, ${probe!.errors} failed${
          probe!.errorsFirst.length > 0 ? ` (first: ${probe!.errorsFirst.join('; ')})` : ''
        }. Broker logs:\n${await cluster.logTail()}`,
      )
    if ((await probe.ackOfFirstSendAfter(performance.now(), spec.failoverTimeoutMs)) === undefined)
      throw await fail(`no produce to ${name} acknowledged before the first kill`)
    await plain.send({ topic, key: 'plain', value: Buffer.from('warm-up') })

    const kills: FailoverKill[] = []
    const defaultClientErrors: string[] = []
    for (let kill = 1; kill <= spec.kills; kill++) {
      const leader = await runningLeader(client, cluster, name, spec.failoverTimeoutMs)
      const killedAtMs = performance.now()
      const killed = cluster.kill(leader, 'SIGKILL') // the signal is sent before kill() first awaits
      const plainAcked = plain.send({ topic, key: 'plain', value: Buffer.from(String(killedAtMs)) }).then(
        () => performance.now(),
        (error: unknown) => {
          defaultClientErrors.push(`kill ${kill}: ${(error as Error).message}`)
          return undefined
        },
      )
      await killed
      const ackedAtMs = await probe.ackOfFirstSendAfter(killedAtMs, spec.failoverTimeoutMs)
      if (ackedAtMs === undefined)
        throw await fail(
          `kill ${kill}: after SIGKILL of broker ${leader}, the leader of ${name}/0, no produce was ` +
            `acknowledged within ${spec.failoverTimeoutMs} ms`,
        )
      const remainingMs = Math.max(0, spec.failoverTimeoutMs - (performance.now() - killedAtMs))
      const plainAckedAtMs = await withTimeout(plainAcked, remainingMs)
      const newLeader = await runningLeader(client, cluster, name, spec.failoverTimeoutMs, leader)
      const restartMs = await restartBroker(cluster, leader, name, spec.failoverTimeoutMs)
      kills.push({
        kill,
        killedBrokerId: leader,
        newLeaderId: newLeader,
        failoverMs: ackedAtMs - killedAtMs,
        defaultClientMs: plainAckedAtMs === undefined ? null : plainAckedAtMs - killedAtMs,
        restartMs,
      })
      progress?.(kill, spec.kills)
      await sleep(spec.settleMs)
    }
    return summarizeKills(kills, probe, defaultClientErrors)
  } finally {
    await probe?.close()
    await withTimeout(plain.close(), closeTimeoutMs)
    await client.close()
    await cluster.stop()
  }
}

function summarizeKills(
  kills: readonly FailoverKill[],
  probe: ProbeSender,
  defaultClientErrors: readonly string[],
): FailoverMeasurement {
  const times = kills.map((entry) => entry.failoverMs)
  const plainTimes = kills.map((entry) => entry.defaultClientMs)
  const plainComplete = plainTimes.every((time) => time !== null) && plainTimes.length > 0
  return {
    kills,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    maxMs: Math.max(...times),
    minMs: Math.min(...times),
    defaultClientP50Ms: plainComplete ? percentile(plainTimes as number[], 50) : null,
    defaultClientMaxMs: plainComplete ? Math.max(...(plainTimes as number[])) : null,
    probeSends: probe.sends,
    probeErrors: probe.errors,
    probeErrorsFirst: [...probe.errorsFirst],
    defaultClientErrors,
  }
}
