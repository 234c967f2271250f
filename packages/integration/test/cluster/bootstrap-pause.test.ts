// Proves a client bootstrapped from one broker does not stall when that broker is paused (SIGSTOP:
// its sockets stay open and nothing answers), issue 13 F3: three `weir broker` processes, an RF 3
// topic of 12 partitions, a producer (default client timeouts) that knows only broker 1. Broker 1
// is stopped for 8 s and continued. Partitions led elsewhere keep getting acks (longest gap is
// measured and bounded), partitions broker 1 led fail over to new leaders (time from the pause to
// their first ack, p50 / p99 / max printed), and every send succeeds.
import { Client, codecs, defineTopic, type Producer } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startCluster, type TestCluster, waitFor } from './cluster-support.js'

const topic = defineTopic<string>({ name: 'paused-bootstrap', codec: codecs.string })
const partitionCount = 12
const pauseMs = 8000
/** Target ≤ 3 s (issue 13); this much CI headroom for a 2-core machine shared with other jobs. */
const otherGapMsMax = 3000
const failoverMsMax = 6000

let cluster: TestCluster | undefined
let admin: Client | undefined
let client: Client | undefined

test.after(async () => {
  for (const broker of cluster?.brokers ?? []) broker.child?.kill('SIGCONT')
  await client?.close()
  await admin?.close()
  await cluster?.close()
})

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

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!
}

test('SIGSTOP of the only bootstrap broker: other partitions keep their acks, its partitions fail over, nothing fails', async () => {
  cluster = await startCluster(3)
  admin = new Client({ brokers: cluster.bootstrap, clientId: 'pause-admin' })
  await waitFor('topic created', 15_000, async () => {
    await admin!.admin().createTopic({ topic: topic.name, partitions: partitionCount, replicationFactor: 3 })
    return true
  })
  const leadersBefore = await waitFor(
    'a leader for every partition, broker 1 leading some',
    20_000,
    async () => {
      const described = await admin!.admin().describeTopic(topic.name)
      const leaders = described.partitions.map((partition) => partition.leader)
      return leaders.every((leader) => leader > 0) && leaders.includes(1) && leaders.some((id) => id !== 1)
        ? leaders
        : undefined
    },
  )

  // The F3 client: it knows broker 1 only; everything else it learns from metadata. Default timeouts.
  client = new Client({ brokers: [cluster.bootstrap[0]!], clientId: 'pause-test' })
  const producer = client.producer({ acks: 'all', lingerMs: 0 })
  const loops = sendLoops(producer)
  await waitFor('acks on every partition', 15_000, async () =>
    loops.ackTimes.every((times) => times.length >= 20) ? true : undefined,
  )

  const broker1 = cluster.brokers[0]!.child!
  const pausedAtMs = Date.now()
  broker1.kill('SIGSTOP')
  await new Promise((resolve) => setTimeout(resolve, pauseMs))
  const resumedAtMs = Date.now()
  broker1.kill('SIGCONT')
  await waitFor('acks on every partition after the pause', 20_000, async () =>
    loops.ackTimes.every((times) => times.some((time) => time > resumedAtMs)) ? true : undefined,
  )
  await loops.stop()
  await producer.close()

  const ledElsewhere = leadersBefore.flatMap((leader, partition) => (leader === 1 ? [] : [partition]))
  const ledByPaused = leadersBefore.flatMap((leader, partition) => (leader === 1 ? [partition] : []))
  const otherGapsMs = ledElsewhere.map((partition) =>
    longestGapMs(loops.ackTimes[partition]!, pausedAtMs, resumedAtMs),
  )
  const failoversMs = ledByPaused
    .map((partition) => loops.ackTimes[partition]!.find((time) => time > pausedAtMs)! - pausedAtMs)
    .sort((a, b) => a - b)
  console.log(
    `bootstrap broker paused ${pauseMs} ms: longest ack gap on the ${ledElsewhere.length} partitions led elsewhere ${Math.max(...otherGapsMs)} ms; ` +
      `failover of the ${ledByPaused.length} it led: p50 ${percentile(failoversMs, 0.5)} ms, p99 ${percentile(failoversMs, 0.99)} ms, max ${failoversMs.at(-1)} ms`,
  )
  assert.equal(loops.failures.map(String), [], `sends failed\n${cluster.logs()}`)
  assert.ok(
    Math.max(...otherGapsMs) <= otherGapMsMax,
    `longest ack gaps on partitions led elsewhere: ${otherGapsMs.join(', ')} ms\n${cluster.logs()}`,
  )
  assert.ok(
    failoversMs.at(-1)! <= failoverMsMax,
    `failover of broker 1's partitions: ${failoversMs.join(', ')} ms\n${cluster.logs()}`,
  )
})

test.run()
