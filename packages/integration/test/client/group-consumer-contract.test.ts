// Proves the rest of the group consumer contract against a real broker: a crashed member's messages after its last commit (and only those) are processed again; eachBatch batches are per partition, in order, committed only once resolved; maxPollIntervalMs evicts a stuck handler (which rejoins when it resumes) but not a merely slow one; FENCED_INSTANCE_ID ends for-await and run(); concurrency 4 within one partition overlaps keys, keeps per-key order and never commits past an unfinished message.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import { Client, type GroupConsumer, type GroupConsumerOptions, type Producer } from '@weir/client'
import { crashGroupConsumer } from '@weir/client/testing'
import { eventually, quietPeriod, withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const sessionTimeoutMs = 600
const groupTiming = { sessionTimeoutMs, heartbeatIntervalMs: 100, rebalanceTimeoutMs: 3000, maxWaitMs: 50 }

let broker: Broker
let dataDir: string
let client: Client
/** Releases handlers a test holds, so a failed assertion does not leave close() waiting for them. */
const releases: Array<() => void> = []

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'weir-group-contract-'))
  broker = await Broker.start({
    dataDir,
    listen: '127.0.0.1:0',
    logLevel: 'silent',
    groups: { offsetsPartitions: 2, limits: { minSessionTimeoutMs: 10, initialRebalanceDelayMs: 100 } },
  })
  await broker.groups.loaded
  client = new Client({
    brokers: [`${broker.address.host}:${broker.address.port}`],
    clientId: 'group-contract-test',
  })
})

test.after(async () => {
  for (const release of releases.splice(0)) release()
  await client.close()
  await broker.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function consumer(
  groupId: string,
  topic: string,
  extra: Partial<GroupConsumerOptions<string>> = {},
): GroupConsumer<unknown> {
  return client.consumer({ groupId, topics: [topic], autoOffsetReset: 'earliest', ...groupTiming, ...extra })
}

/** A handler's own work taking `ms`: part of the workload, not a wait for anything. */
const work = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Resolves once `condition` holds; fails after `timeoutMs` with what `describe` says was seen. */
async function until(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  await eventually(() => `a condition (seen: ${describe()})`, condition, { timeoutMs })
}

async function produce(
  producer: Producer,
  topic: string,
  partition: number,
  count: number,
  key = (index: number) => `k${index}`,
): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, index) =>
      producer.send({ topic, partition, key: key(index), value: Buffer.from(String(index)) }),
    ),
  )
}

async function committedOffsets(groupId: string): Promise<Map<number, number>> {
  const description = await client.admin().describeGroup(groupId)
  return new Map(description.offsets.map((entry) => [entry.partition, entry.committedOffset]))
}

const partitionsOf = (member: GroupConsumer<unknown>) => member.assignment().map((entry) => entry.partition)

test('a crashed member: the survivor re-processes exactly its messages after its last commit, nothing else twice', async () => {
  const topic = 'crash-dup'
  const group = 'crash-dup'
  const perPartition = 20
  await client.admin().createTopic({ topic, partitions: 2 })
  const a = consumer(group, topic, { autoCommit: false })
  const b = consumer(group, topic, { autoCommitIntervalMs: 50 })
  await Promise.all([a.ready(), b.ready()])
  await until(
    () => partitionsOf(a).length === 1 && partitionsOf(b).length === 1,
    5000,
    () => `a ${partitionsOf(a)}, b ${partitionsOf(b)}`,
  )
  const partitionA = partitionsOf(a)[0]!
  const processed: Array<{ member: string; partition: number; offset: number }> = []
  const bRun = b.run({
    eachMessage: ({ partition, message }) => {
      processed.push({ member: 'b', partition, offset: message.offset })
    },
  })
  const commitAfter = 5 // commit while the 5th message (offset 4) is the unfinished one
  const crashAfter = 9 // a processes offsets 4..8 after its commit, then dies
  let aCommitted = -1
  const aLoop = (async () => {
    let count = 0
    for await (const message of a) {
      processed.push({ member: 'a', partition: message.partition, offset: message.offset })
      count++
      if (count === commitAfter) {
        await a.commit()
        aCommitted = (await committedOffsets(group)).get(partitionA)!
      }
      if (count === crashAfter) crashGroupConsumer(a)
    }
  })()
  const producer = client.producer({ lingerMs: 1 })
  await produce(producer, topic, 0, perPartition)
  await produce(producer, topic, 1, perPartition)
  await withTimeout(aLoop, sessionTimeoutMs + 10_000, "member a's loop to end after its crash")
  // The for-await commit covers only the messages the loop has finished: offsets 0..3.
  assert.is(aCommitted, commitAfter - 1)
  await until(
    () => processed.filter((entry) => entry.member === 'b').length === 2 * perPartition - commitAfter + 1,
    sessionTimeoutMs + 5000,
    () => `b processed ${processed.filter((entry) => entry.member === 'b').length}`,
  )
  // Anything more would be a duplicate beyond the rule. A marker after the end of each partition
  // shows when b has read everything it ever will up to there: each partition arrives in order, so
  // a redelivery (b re-reading from an older position) would reach b before the marker.
  await produce(producer, topic, 0, 1, () => 'marker')
  await produce(producer, topic, 1, 1, () => 'marker')
  const markerSeen = (partition: number) =>
    processed.some((entry) => entry.partition === partition && entry.offset === perPartition)
  await until(
    () => markerSeen(0) && markerSeen(1),
    5000,
    () => `markers read: partition 0 ${markerSeen(0)}, partition 1 ${markerSeen(1)}`,
  )
  const seen = new Map<string, string[]>()
  for (const entry of processed.filter((entry) => entry.offset < perPartition)) {
    const id = `${entry.partition}/${entry.offset}`
    seen.set(id, [...(seen.get(id) ?? []), entry.member])
  }
  assert.is(seen.size, 2 * perPartition, 'every message processed')
  const twice = [...seen].filter(([, members]) => members.length > 1)
  const expected = Array.from({ length: crashAfter - aCommitted }, (_, index) => [
    `${partitionA}/${aCommitted + index}`,
    ['a', 'b'],
  ])
  assert.equal(twice, expected)
  await b.close()
  await bRun
  await producer.close()
})

test('run({ eachBatch }): per-partition batches in offset order, one at a time per partition, committed only after the batch resolves', async () => {
  const topic = 'batches'
  const group = 'batches'
  const perPartition = 40
  await client.admin().createTopic({ topic, partitions: 2 })
  const producer = client.producer({ lingerMs: 1 })
  await produce(producer, topic, 0, perPartition)
  await produce(producer, topic, 1, perPartition)
  const member = consumer(group, topic, { autoCommitIntervalMs: 20 })
  const nextOffset = new Map<number, number>([
    [0, 0],
    [1, 0],
  ])
  const busy = new Set<number>()
  let overlap = false
  let batches = 0
  let checkedInFlight = 0
  const run = member.run({
    concurrency: 2,
    maxBatchSize: 7,
    eachBatch: async ({ batch }) => {
      batches++
      assert.not.ok(busy.has(batch.partition), `two batches of partition ${batch.partition} at once`)
      if (busy.size > 0) overlap = true
      busy.add(batch.partition)
      assert.ok(batch.messages.length > 0 && batch.messages.length <= 7)
      for (const message of batch.messages) {
        assert.is(message.partition, batch.partition)
        assert.is(message.offset, nextOffset.get(batch.partition), `partition ${batch.partition} order`)
        nextOffset.set(batch.partition, message.offset + 1)
      }
      // What the auto-commit timer would send now (it runs commit()), sent at once instead of
      // hoping a 20 ms timer fires within the batch: it must stop before the unfinished batch.
      await member.commit()
      const committed = (await committedOffsets(group)).get(batch.partition) ?? -1
      assert.ok(
        committed <= batch.messages[0]!.offset,
        `committed ${committed} while batch from ${batch.messages[0]!.offset} in flight`,
      )
      checkedInFlight++
      busy.delete(batch.partition)
    },
  })
  await until(
    () => nextOffset.get(0) === perPartition && nextOffset.get(1) === perPartition && busy.size === 0,
    10_000,
    () => JSON.stringify([...nextOffset]),
  )
  await until(
    () => member.committable(topic, 0) === perPartition && member.committable(topic, 1) === perPartition,
    2000,
    () => 'not finished',
  )
  await member.commit()
  const committed = await committedOffsets(group)
  assert.is(committed.get(0), perPartition)
  assert.is(committed.get(1), perPartition)
  assert.ok(batches >= (2 * perPartition) / 7, `${batches} batches`)
  assert.is(checkedInFlight, batches)
  assert.ok(overlap, 'batches of the two partitions ran in parallel with concurrency 2')
  await member.close()
  await run
  await producer.close()
})

test('maxPollIntervalMs: a handler slower than the session (but within maxPollIntervalMs) keeps its member; a stuck one is evicted, its partitions move, and it rejoins on resuming', async () => {
  const topic = 'poll-interval'
  await client.admin().createTopic({ topic, partitions: 2 })
  const producer = client.producer({ lingerMs: 1 })

  // Slow but not stuck: 3 × sessionTimeoutMs per message, maxPollIntervalMs 4 × as long.
  const slowMs = sessionTimeoutMs * 3
  const slow = consumer('slow-group', topic, { maxPollIntervalMs: slowMs * 4 })
  const other = consumer('slow-group', topic)
  const otherEvents: string[] = []
  other.on('rebalance', (event) => otherEvents.push(`${event.type} ${event.partitions.length}`))
  await Promise.all([slow.ready(), other.ready()])
  await until(
    () => partitionsOf(slow).length === 1 && partitionsOf(other).length === 1,
    5000,
    () => 'not balanced',
  )
  const generation = other.context()!.generationId
  const eventsBefore = otherEvents.length
  const slowPartition = partitionsOf(slow)[0]!
  let slowDone = 0
  const slowRun = slow.run({
    eachMessage: async () => {
      await work(slowMs)
      slowDone++
    },
  })
  const otherRun = other.run({ eachMessage: () => undefined })
  await produce(producer, topic, slowPartition, 1)
  await until(
    () => slowDone === 1,
    slowMs + 3000,
    () => 'slow handler not done',
  )
  assert.equal(partitionsOf(slow), [slowPartition], 'the slow member kept its partition')
  assert.is(other.context()!.generationId, generation, 'no rebalance during the slow handler')
  assert.equal(otherEvents.slice(eventsBefore), [])
  await Promise.all([slow.close(), other.close()])
  await Promise.all([slowRun, otherRun])

  // Stuck: the handler outlives maxPollIntervalMs, the member leaves, the other takes both.
  const maxPollIntervalMs = 800
  const stuckForMs = 2000
  const stuck = consumer('stuck-group', topic, { maxPollIntervalMs, autoCommitIntervalMs: 20 })
  const taker = consumer('stuck-group', topic)
  const stuckEvents: string[] = []
  stuck.on('rebalance', (event) => stuckEvents.push(`${event.type}${event.lost ? ' lost' : ''}`))
  await Promise.all([stuck.ready(), taker.ready()])
  await until(
    () => partitionsOf(stuck).length === 1 && partitionsOf(taker).length === 1,
    5000,
    () => 'not balanced',
  )
  const stuckPartition = partitionsOf(stuck)[0]!
  let release: () => void = () => undefined
  const handled: string[] = []
  const stuckRun = stuck.run({
    eachMessage: async ({ message }) => {
      handled.push(`stuck ${message.offset}`)
      if (message.offset === 1)
        await new Promise<void>((resolve) => {
          release = resolve
          releases.push(resolve)
        })
    },
  })
  const takerRun = taker.run({
    eachMessage: ({ message }) => {
      if (message.partition === stuckPartition) handled.push(`taker ${message.offset}`)
    },
  })
  const stuckAt = Date.now()
  await produce(producer, topic, stuckPartition, 2) // offset 1 is the stuck one
  await until(
    () => partitionsOf(taker).length === 2,
    maxPollIntervalMs + 3000,
    () => `taker owns ${partitionsOf(taker)}`,
  )
  const evictedAfterMs = Date.now() - stuckAt
  assert.ok(evictedAfterMs >= maxPollIntervalMs * 0.9, `evicted after ${evictedAfterMs} ms`)
  assert.equal(partitionsOf(stuck), [])
  assert.ok(stuckEvents.includes('revoked lost'), stuckEvents.join())
  // The taker reads the stuck message again: it was never finished, so never committed.
  await until(
    () => handled.includes('taker 1'),
    3000,
    () => handled.join(),
  )
  assert.not.ok(handled.includes('taker 0'), 'offset 0 was finished and must not be redelivered')
  // Nothing can show a member did not rejoin but time passing: the handler stays stuck for the
  // rest of stuckForMs, over twice maxPollIntervalMs, and the member must still be out.
  await quietPeriod(Math.max(0, stuckForMs - (Date.now() - stuckAt)))
  assert.equal(partitionsOf(stuck), [], 'still stuck: no rejoin yet')
  release()
  await until(
    () => partitionsOf(stuck).length === 1 && partitionsOf(taker).length === 1,
    5000,
    () => `after resuming: stuck ${partitionsOf(stuck)}, taker ${partitionsOf(taker)}`,
  )
  await Promise.all([stuck.close(), taker.close()])
  await Promise.all([stuckRun, takerRun])
  await producer.close()
})

test('FENCED_INSTANCE_ID: a second member with the same groupInstanceId ends the first one’s for-await loop, then run()', async () => {
  const topic = 'fenced'
  await client.admin().createTopic({ topic, partitions: 1 })
  const first = consumer('fenced-group', topic, { groupInstanceId: 'pod-x' })
  await first.ready()
  // The outcome is captured at once: a rejection left unhandled while the next member joins
  // would end the test process.
  const loopOutcome = (async () => {
    for await (const _message of first) {
      // nothing is produced
    }
  })().then(
    () => undefined,
    (caught: unknown) => caught as { code?: string },
  )
  const second = consumer('fenced-group', topic, { groupInstanceId: 'pod-x' })
  await second.ready()
  const error = await withTimeout(loopOutcome, 10_000, 'the fenced member’s for-await loop to end')
  assert.ok(error !== undefined, 'the for-await loop must throw')
  assert.is(error.code, 'FENCED_INSTANCE_ID')

  const runOutcome = second.run({ eachMessage: () => undefined }).then(
    () => undefined,
    (caught: unknown) => caught as { code?: string },
  )
  const third = consumer('fenced-group', topic, { groupInstanceId: 'pod-x' })
  await third.ready()
  const runError = await withTimeout(runOutcome, 10_000, 'the fenced member’s run() to end')
  assert.ok(runError !== undefined, 'run() must reject')
  assert.is(runError.code, 'FENCED_INSTANCE_ID')
  await Promise.all([first.close(), second.close(), third.close()])
})

test('concurrency 4 in one partition: keys overlap, each key keeps its order, the commit never passes an unfinished message', async () => {
  const topic = 'keyed-one'
  const group = 'keyed-one'
  await client.admin().createTopic({ topic, partitions: 1 })
  const keys = 4
  const total = 24
  const producer = client.producer({ lingerMs: 1 })
  for (let index = 0; index < total; index++)
    await producer.send({ topic, partition: 0, key: `k${index % keys}`, value: Buffer.from(String(index)) })
  const slowOffset = 5 // key k1, its second message
  const member = consumer(group, topic, { autoCommitIntervalMs: 20 })
  let running = 0
  let maxRunning = 0
  const lastOfKey = new Map<string, number>()
  const done = new Set<number>()
  let slowStarted = false
  let releaseSlow: () => void = () => undefined
  const run = member.run({
    concurrency: 4,
    eachMessage: async ({ message }) => {
      const key = String(message.key)
      assert.ok((lastOfKey.get(key) ?? -1) < message.offset, `${key} out of order at ${message.offset}`)
      lastOfKey.set(key, message.offset)
      running++
      maxRunning = Math.max(maxRunning, running)
      if (message.offset === slowOffset) {
        slowStarted = true
        await new Promise<void>((resolve) => {
          releaseSlow = resolve
          releases.push(resolve)
        })
      } else await work(15)
      running--
      done.add(message.offset)
    },
  })
  await until(
    () => slowStarted,
    5000,
    () => 'slow message not started',
  )
  // Other keys finish past the slow offset; k1's later messages wait behind it.
  await until(
    () =>
      [...Array(total).keys()].filter((offset) => offset % keys !== 1).every((offset) => done.has(offset)),
    5000,
    () => `done ${[...done].sort((x, y) => x - y)}`,
  )
  for (let offset = 1 + keys; offset < total; offset += keys)
    if (offset > slowOffset) assert.not.ok(done.has(offset), `k1 offset ${offset} ran before ${slowOffset}`)
  assert.ok(maxRunning >= 2, `max ${maxRunning} handlers at once`)
  // What auto-commit sends stops at the unfinished message; wait until it has reached the broker.
  assert.is(member.committable(topic, 0), slowOffset, 'committable up to the unfinished message')
  const autoCommitted = await eventually(
    `an auto-commit to reach offset ${slowOffset}`,
    async () => {
      const offset = (await committedOffsets(group)).get(0) ?? -1
      return offset >= slowOffset ? offset : undefined
    },
    { intervalMs: 20 },
  )
  assert.is(autoCommitted, slowOffset, 'committed up to the unfinished message')
  await member.commit()
  assert.is((await committedOffsets(group)).get(0), slowOffset, 'an explicit commit stops there too')
  releaseSlow()
  await until(
    () => done.size === total,
    5000,
    () => `${done.size} of ${total}`,
  )
  await member.commit()
  assert.is((await committedOffsets(group)).get(0), total)
  await member.close()
  await run
  await producer.close()
})

test.run()
