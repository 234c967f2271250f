// Proves partition reassignment on four real `weir broker` processes while an idempotent acks-all
// producer keeps writing: moving an RF 3 partition from brokers 1,2,3 to 1,2,4 completes, broker 4
// ends with a log byte-identical to the others', broker 3 deletes its copy, no send fails and every
// acknowledged record is read exactly once, in order; then a move whose target leaves out the
// current leader (leadership is handed over first), made with `weir topics reassign` under a copy
// throttle that holds the rate, its progress printed.
// Prints the copy rate of both moves.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Client, codecs, defineTopic, type Producer } from '@weir/client'
import { withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { run } from '../cli/cli-support.js'
import { readValues, startCluster, type TestCluster, waitFor } from './cluster-support.js'

const topic = defineTopic<string>({ name: 'moving', codec: codecs.string })
const env = {} as { cluster: TestCluster; client: Client }
const padding = 'x'.repeat(8 * 1024)
const preloadCount = 2500
/** Far above a handover's gap (about 0.5 s here), far below a move that stalled writes until it ended (10 s and more). */
const ackGapMsMax = 5000

test.before(async () => {
  env.cluster = await startCluster(4)
  env.client = new Client({
    brokers: env.cluster.bootstrap,
    clientId: 'reassignment-test',
    maxMetadataAgeMs: 1000,
  })
  // Partition 0 of a new RF 3 topic lands on brokers 1, 2 and 3 (replicas rotate from the lowest id).
  await waitFor('topic created', 15_000, async () => {
    await env.client.admin().createTopic({ topic: topic.name, partitions: 1, replicationFactor: 3 })
    return true
  })
})

test.after(async () => {
  await env.client?.close()
  await env.cluster?.close()
})

/** Sends `value-<n>` one after another (each acknowledged before the next) until stopped. */
function sendLoop(producer: Producer) {
  const acknowledged: string[] = []
  const ackTimes: number[] = []
  let stopped = false
  let failure: unknown
  const done = (async () => {
    for (let index = 0; !stopped; index++) {
      const value = `value-${index}`
      try {
        await producer.send({ topic, key: 'one-key', value })
      } catch (error) {
        failure = error
        return
      }
      acknowledged.push(value)
      ackTimes.push(Date.now())
    }
  })()
  /** The longest time without an ack between `fromMs` and `toMs`, and when it began. */
  const longestGap = (fromMs: number, toMs: number) => {
    const times = [fromMs, ...ackTimes.filter((time) => time > fromMs && time < toMs), toMs]
    let gap = { ms: 0, fromMs }
    for (let index = 1; index < times.length; index++)
      if (times[index]! - times[index - 1]! > gap.ms)
        gap = { ms: times[index]! - times[index - 1]!, fromMs: times[index - 1]! }
    return gap
  }
  return {
    acknowledged,
    failure: () => failure,
    longestGap,
    stop: async () => {
      stopped = true
      await done
    },
  }
}

const replicasOf = async () => (await env.client.admin().describeTopic(topic.name)).partitions[0]!

/** Every segment of the partition's log on one broker, concatenated. */
function logBytes(dataDir: string): Buffer {
  const directory = join(dataDir, topic.name, '0')
  if (!existsSync(directory)) return Buffer.alloc(0)
  const segments = readdirSync(directory)
    .filter((name) => name.endsWith('.log'))
    .sort()
  return Buffer.concat(segments.map((name) => readFileSync(join(directory, name))))
}

function logSize(dataDir: string): number {
  const directory = join(dataDir, topic.name, '0')
  return readdirSync(directory)
    .filter((name) => name.endsWith('.log'))
    .reduce((total, name) => total + statSync(join(directory, name)).size, 0)
}

const dataDirOf = (id: number) => env.cluster.brokers.find((broker) => broker.id === id)!.dataDir

/** Submits the move with the client and waits for it to complete; resolves with its duration and the largest progress seen. */
async function move(target: number[]) {
  const admin = env.client.admin()
  const startedAt = Date.now()
  await admin.reassignPartitions([{ topic: topic.name, partition: 0, replicas: target }])
  let progressSeen = 0
  await waitFor(`the move to ${target.join(',')} to complete`, 120_000, async () => {
    const running = await admin.listReassignments()
    for (const entry of running)
      for (const { caughtUpPercent } of entry.progress) progressSeen = Math.max(progressSeen, caughtUpPercent)
    if (running.length > 0) return undefined
    const partition = await replicasOf()
    return partition.replicas.join(',') === target.join(',') ? true : undefined
  })
  return { durationMs: Date.now() - startedAt, progressSeen }
}

/** The same move with `weir topics reassign` (which follows it to the end), under a throttle. */
async function moveWithCli(target: number[], throttleBytesPerSec: number) {
  const startedAt = Date.now()
  const args = ['topics', 'reassign', topic.name, '--partition', '0', '--replicas', target.join(',')]
  args.push('--throttle-bytes-per-sec', String(throttleBytesPerSec), '--bootstrap', env.cluster.bootstrap[1]!)
  const result = await withTimeout(run(args), 120_000, `weir ${args.join(' ')}`)
  assert.is(result.code, 0, `weir topics reassign failed: ${result.stderr}`)
  assert.match(result.stdout, `moved ${topic.name}/0 to ${target.join(',')} in`)
  const percents = [...result.stdout.matchAll(/broker \d+ (\d+)%/g)].map((match) => Number(match[1]))
  assert.ok(percents.length > 0, `progress lines: ${result.stdout}`)
  return { durationMs: Date.now() - startedAt, progressSeen: Math.max(...percents), output: result.stdout }
}

test('a bad target is refused per partition before anything moves', async () => {
  const admin = env.client.admin()
  const refusal = async (replicas: number[], partition = 0) => {
    try {
      await admin.reassignPartitions([{ topic: topic.name, partition, replicas }])
    } catch (error) {
      return (error as { code?: string }).code
    }
    return 'accepted'
  }
  assert.is(await refusal([1, 2, 9]), 'INVALID_REPLICA_ASSIGNMENT')
  assert.is(await refusal([1, 1, 2]), 'INVALID_REPLICA_ASSIGNMENT')
  assert.is(await refusal([]), 'INVALID_REPLICA_ASSIGNMENT')
  assert.is(await refusal([1, 2, 4], 7), 'UNKNOWN_PARTITION')
  assert.equal(await admin.listReassignments(), [])
})

test('moving 1,2,3 to 1,2,4 then away from the leader under a throttle: acks never stop, nothing is lost or doubled', async () => {
  const preload = env.client.producer({ acks: 'all', idempotent: true, lingerMs: 5 })
  const preloaded: string[] = []
  for (let sent = 0; sent < preloadCount; sent += 250) {
    const values = Array.from({ length: 250 }, (_, index) => `pre-${sent + index}-${padding}`)
    await Promise.all(values.map((value) => preload.send({ topic, key: 'one-key', value })))
    preloaded.push(...values)
  }
  await preload.close()

  const producer = env.client.producer({
    acks: 'all',
    idempotent: true,
    lingerMs: 0,
    retryBackoffMs: 25,
    maxRetryBackoffMs: 100,
    retries: 1000,
  })
  const loop = sendLoop(producer)
  await waitFor('50 messages acknowledged', 60_000, async () =>
    loop.acknowledged.length >= 50 ? true : undefined,
  )

  assert.equal((await replicasOf()).replicas, [1, 2, 3])
  const bytesBefore = logSize(dataDirOf(1))
  const firstStart = Date.now()
  const first = await move([1, 2, 4])
  const firstGap = loop.longestGap(firstStart, Date.now())
  await waitFor('broker 3 deleted its copy of the partition', 10_000, async () =>
    existsSync(join(dataDirOf(3), topic.name)) ? undefined : true,
  )

  // A move whose target leaves out the partition's current leader: it hands leadership over first.
  const leader = await waitFor('a leader', 10_000, async () => {
    const partition = await replicasOf()
    return partition.leader > 0 ? partition.leader : undefined
  })
  const target = [...(await replicasOf()).replicas.filter((id) => id !== leader), 3]
  const throttleBytesPerSec = 1024 * 1024
  const bytesBeforeSecond = logSize(dataDirOf(target[0]!))
  const secondStart = Date.now()
  const second = await moveWithCli(target, throttleBytesPerSec)
  const secondGap = loop.longestGap(secondStart, Date.now())
  await waitFor(`broker ${leader} deleted its copy`, 10_000, async () =>
    existsSync(join(dataDirOf(leader), topic.name)) ? undefined : true,
  )
  const newLeader = await waitFor('a leader in the target', 10_000, async () => {
    const partition = await replicasOf()
    return target.includes(partition.leader) ? partition.leader : undefined
  })
  assert.ok(target.includes(newLeader))

  const acknowledgedAfterMoves = loop.acknowledged.length
  await waitFor('50 more acknowledged after the moves', 60_000, async () =>
    loop.acknowledged.length >= acknowledgedAfterMoves + 50 ? true : undefined,
  )
  await loop.stop()
  await producer.close()
  assert.is(loop.failure(), undefined, `a send failed: ${String(loop.failure())}\n${env.cluster.logs()}`)
  // Acks keep coming while the partition moves: a gap covers at most an election or a handover
  // (the producer backs off up to 100 ms and refreshes metadata on NOT_LEADER).
  for (const [what, gap, startMs] of [
    ['first', firstGap, firstStart],
    ['second', secondGap, secondStart],
  ] as const)
    assert.ok(
      gap.ms < ackGapMsMax,
      `acks stopped for ${gap.ms} ms from ${gap.fromMs} (${gap.fromMs - startMs} ms into the ${what} move)\n${env.cluster.logs()}`,
    )

  await waitFor('every replica of the target holds a byte-identical log', 20_000, async () => {
    const [head, ...rest] = target.map((id) => logBytes(dataDirOf(id)))
    return head!.length > 0 && rest.every((bytes) => bytes.equals(head!)) ? true : undefined
  })
  const values = await readValues(env.client, topic, preloaded.length + loop.acknowledged.length, 60_000)
  assert.equal(values, [...preloaded, ...loop.acknowledged], 'every acknowledged record once, in order')

  const rate = (bytes: number, ms: number) => (bytes / (1024 * 1024) / (ms / 1000)).toFixed(1)
  console.log(
    `reassignment 1,2,3 -> 1,2,4: ${(bytesBefore / 1048576).toFixed(1)} MiB in ${first.durationMs} ms = ${rate(bytesBefore, first.durationMs)} MiB/s unthrottled, longest ack gap ${firstGap.ms} ms, progress seen up to ${first.progressSeen}%`,
  )
  console.log(
    `reassignment -> ${target.join(',')} (leader ${leader} removed): ${(bytesBeforeSecond / 1048576).toFixed(1)} MiB in ${second.durationMs} ms = ${rate(bytesBeforeSecond, second.durationMs)} MiB/s under a 1 MiB/s throttle, longest ack gap ${secondGap.ms} ms, progress seen up to ${second.progressSeen}%`,
  )
  // The throttle holds: the copy cannot have gone faster than it allows (a little slack for the
  // tail that comes by appends, not by the throttled restore).
  assert.ok(
    second.durationMs >= (bytesBeforeSecond / throttleBytesPerSec) * 1000 * 0.9,
    `a ${bytesBeforeSecond}-byte copy at ${throttleBytesPerSec} B/s took only ${second.durationMs} ms`,
  )
})

test.run()
