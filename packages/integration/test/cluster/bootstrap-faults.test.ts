// Proves a client bootstrapped from one broker does not stall when that broker is paused (SIGSTOP:
// its sockets stay open and nothing answers) or killed, issue 13 F3: three `weir broker` processes,
// an RF 3 topic of 12 partitions, a producer (default client timeouts) that knows only broker 1.
// Broker 1 is stopped for 8 s and continued, or killed with SIGKILL. Partitions led elsewhere keep
// getting acks (longest gap is measured and bounded), partitions broker 1 led fail over to new
// leaders (time from the fault to their first ack, p50 / p99 / max printed), and every send succeeds.
import { Client, codecs, defineTopic, type Producer } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startCluster, type TestCluster, waitFor } from './cluster-support.js'

const topic = defineTopic<string>({ name: 'paused-bootstrap', codec: codecs.string })
const partitionCount = 12
const pauseMs = 8000
/** Target ≤ 3 s (issue 13). */
const otherGapMsMax = 3000
/** From the new leader's election to the client's first ack there: the client's own share. */
const afterElectionMsMax = 3000
/**
 * From the fault to the first ack on the new leader, election included. Elections took up to
 * 5 s on this 2-core machine under a load average of 25 (0.8-1.6 s idle): headroom for that.
 */
const failoverMsMax = 10_000

let cluster: TestCluster | undefined
let admin: Client | undefined
let client: Client | undefined

async function closeAll(): Promise<void> {
  for (const broker of cluster?.brokers ?? []) broker.child?.kill('SIGCONT')
  await client?.close()
  await admin?.close()
  await cluster?.close()
  client = admin = cluster = undefined
}
test.after(closeAll)

/** One loop per partition: sends `p<partition>-<n>` one after another, noting each ack's time. */
function sendLoops(producer: Producer) {
  const ackTimes = Array.from({ length: partitionCount }, () => [] as number[])
  const failures: unknown[] = []
  let stopped = false
  const loops = ackTimes.map(async (times, partition) => {
    for (let index = 0; !stopped; index++) {
      try {
        await producer.send({ topic, partition, value: `p${partition}-${index}` })
        times.push(Date.now())
      } catch (error) {
        failures.push(error)
        return
      }
    }
  })
  return {
    ackTimes,
    failures,
    stop: async () => {
      stopped = true
      await Promise.all(loops)
    },
  }
}

/** The longest time between consecutive acks (or from `fromMs` to the first ack) within [fromMs, toMs]. */
function longestGapMs(times: readonly number[], fromMs: number, toMs: number): number {
  let gap = 0
  let previous = fromMs
  for (const time of times) {
    if (time <= fromMs) continue
    if (time > toMs) break
    gap = Math.max(gap, time - previous)
    previous = time
  }
  return Math.max(gap, toMs - previous)
}

/**
 * When brokers 2 and 3 first logged a leader other than broker 1 for `partition` after `sinceMs`
 * (their `<topic>/<partition> is led by broker N` lines): the end of the election the client had
 * to wait for. NaN when no such line is in the output kept.
 */
function electedAtMs(brokers: TestCluster['brokers'], partition: number, sinceMs: number): number {
  let first = Number.NaN
  for (const broker of brokers.slice(1)) {
    for (const line of broker.output.split('\n')) {
      if (!line.includes(`"group":"${topic.name}/${partition}"`) || !line.includes('is led by broker'))
        continue
      const entry = JSON.parse(line) as { time: number; leaderId: number }
      if (entry.time > sinceMs && entry.leaderId !== 1 && !(entry.time >= first)) first = entry.time
    }
  }
  return first
}

function summary(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b)
  return `p50 ${percentile(sorted, 0.5)} ms, p99 ${percentile(sorted, 0.99)} ms, max ${sorted.at(-1)} ms`
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!
}

interface Fault {
  /** Does the fault to broker 1 and waits out its length; resolves with when it started and ended. */
  readonly inject: (
    broker1: TestCluster['brokers'][number],
  ) => Promise<{ startedAtMs: number; endedAtMs: number }>
}

const faults: Record<string, Fault> = {
  'SIGSTOP for 8 s': {
    async inject(broker1) {
      const startedAtMs = Date.now()
      broker1.child!.kill('SIGSTOP')
      await new Promise((resolve) => setTimeout(resolve, pauseMs))
      broker1.child!.kill('SIGCONT')
      return { startedAtMs, endedAtMs: Date.now() }
    },
  },
  SIGKILL: {
    async inject(broker1) {
      const startedAtMs = Date.now()
      await cluster!.kill(broker1.id)
      // Long enough for every partition to fail over and run on two brokers for a while.
      await new Promise((resolve) => setTimeout(resolve, pauseMs))
      return { startedAtMs, endedAtMs: Date.now() }
    },
  },
}

for (const [name, fault] of Object.entries(faults)) {
  test(`${name} of the only bootstrap broker: other partitions keep their acks, its partitions fail over, nothing fails`, async () => {
    await closeAll()
    cluster = await startCluster(3)
    admin = new Client({ brokers: cluster.bootstrap, clientId: 'fault-admin' })
    await waitFor('topic created', 15_000, async () => {
      await admin!
        .admin()
        .createTopic({ topic: topic.name, partitions: partitionCount, replicationFactor: 3 })
      return true
    })
    await waitFor('a leader for every partition, broker 1 leading some', 20_000, async () => {
      const described = await admin!.admin().describeTopic(topic.name)
      const leaders = described.partitions.map((partition) => partition.leader)
      return leaders.every((leader) => leader > 0) && leaders.includes(1) && leaders.some((id) => id !== 1)
        ? true
        : undefined
    })

    // The F3 client: it knows broker 1 only; everything else it learns from metadata. Default timeouts.
    client = new Client({ brokers: [cluster.bootstrap[0]!], clientId: 'fault-test' })
    const producer = client.producer({ acks: 'all', lingerMs: 0 })
    const loops = sendLoops(producer)
    await waitFor('acks on every partition', 15_000, async () =>
      loops.ackTimes.every((times) => times.length >= 20) ? true : undefined,
    )

    // Who leads right before the fault (preferred-leader handback may have moved some since).
    const leadersAtFault = (await admin.admin().describeTopic(topic.name)).partitions.map(
      (entry) => entry.leader,
    )
    const { startedAtMs, endedAtMs } = await fault.inject(cluster.brokers[0]!)
    await waitFor('acks on every partition after the fault', 20_000, async () =>
      loops.ackTimes.every((times) => times.some((time) => time > endedAtMs)) ? true : undefined,
    )
    await loops.stop()
    await producer.close()

    const ledElsewhere = leadersAtFault.flatMap((leader, partition) => (leader === 1 ? [] : [partition]))
    const ledByBroker1 = leadersAtFault.flatMap((leader, partition) => (leader === 1 ? [partition] : []))
    const otherGapsMs = ledElsewhere.map((partition) =>
      longestGapMs(loops.ackTimes[partition]!, startedAtMs, endedAtMs),
    )
    const firstAckMs = (partition: number) => loops.ackTimes[partition]!.find((time) => time > startedAtMs)!
    const failoversMs = ledByBroker1.map((partition) => firstAckMs(partition) - startedAtMs)
    const electionsMs = ledByBroker1.map(
      (partition) => electedAtMs(cluster!.brokers, partition, startedAtMs) - startedAtMs,
    )
    const afterElectionMs = ledByBroker1.map(
      (partition, index) => firstAckMs(partition) - startedAtMs - electionsMs[index]!,
    )
    console.log(
      `bootstrap broker ${name}: longest ack gap on the ${ledElsewhere.length} partitions led elsewhere ${Math.max(...otherGapsMs)} ms; ` +
        `the ${ledByBroker1.length} it led: failover ${summary(failoversMs)}; election ${summary(electionsMs)}; ` +
        `first ack after the election ${summary(afterElectionMs)}`,
    )
    assert.equal(loops.failures.map(String), [], `sends failed\n${cluster.logs()}`)
    assert.ok(
      Math.max(...otherGapsMs) <= otherGapMsMax,
      `longest ack gaps on partitions led elsewhere: ${otherGapsMs.join(', ')} ms\n${cluster.logs()}`,
    )
    assert.ok(
      afterElectionMs.every((ms) => !(ms > afterElectionMsMax)),
      `first acks after the elections of broker 1's partitions: ${afterElectionMs.join(', ')} ms\n${cluster.logs()}`,
    )
    assert.ok(
      Math.max(...failoversMs) <= failoverMsMax,
      `failover of broker 1's partitions: ${failoversMs.join(', ')} ms\n${cluster.logs()}`,
    )
  })
}

test.run()
