// Proves the group consumer against a real broker: 4 consumers over 12 partitions get 3 each, every partition once; a crashed member's partitions move to the others within the session timeout and a cleanly closed one's within 1 s; 1,000 keyed messages produced during churn are all processed in per-key order, duplicates only after a crashed member's last commit; committed offsets survive a broker restart; a static member's restart causes no rebalance; run({ concurrency: 4 }) keeps per-key order.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker, type BrokerOptions } from '@weir/broker'
import { Client, type GroupConsumer, type GroupConsumerOptions } from '@weir/client'
import { crashGroupConsumer } from '@weir/client/testing'
import { eventually, withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const sessionTimeoutMs = 1000
const groupTiming = { sessionTimeoutMs, heartbeatIntervalMs: 100, rebalanceTimeoutMs: 3000, maxWaitMs: 100 }

let broker: Broker
let dataDir: string
let client: Client
let listen = '127.0.0.1:0'

const brokerOptions = (): BrokerOptions => ({
  dataDir,
  listen,
  logLevel: 'silent',
  groups: { offsetsPartitions: 4, limits: { minSessionTimeoutMs: 10, initialRebalanceDelayMs: 200 } },
})

async function startBroker(): Promise<void> {
  broker = await Broker.start(brokerOptions())
  await broker.groups.loaded
  listen = `${broker.address.host}:${broker.address.port}`
}

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'weir-group-consumer-'))
  await startBroker()
  client = new Client({ brokers: [listen], clientId: 'group-consumer-test' })
})

test.after(async () => {
  await client.close()
  await broker.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function consumer(
  groupId: string,
  topic: string,
  extra: Partial<GroupConsumerOptions<string>> = {},
  from: Client = client,
): GroupConsumer<unknown> {
  return from.consumer({ groupId, topics: [topic], autoOffsetReset: 'earliest', ...groupTiming, ...extra })
}

/** Resolves once `condition` holds; fails after `timeoutMs` with what `describe` says was seen. */
async function until(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  await eventually(() => `a condition (seen: ${describe()})`, condition, { timeoutMs })
}

const owned = (members: readonly GroupConsumer<unknown>[]) =>
  members.flatMap((member) => member.assignment().map((entry) => entry.partition)).sort((a, b) => a - b)

test('4 consumers over 12 partitions get 3 each; a crashed one loses its partitions within the session, a closed one hands over within 1 s', async () => {
  const topic = 'balance12'
  await client.admin().createTopic({ topic, partitions: 12 })
  const members = [0, 1, 2, 3].map(() => consumer('balance12', topic))
  await Promise.all(members.map((member) => member.ready()))
  await until(
    () => members.every((member) => member.assignment().length === 3) && owned(members).length === 12,
    10_000,
    () => JSON.stringify(members.map((member) => member.assignment().length)),
  )
  assert.equal(owned(members), [...Array(12).keys()])

  const crashedAt = performance.now()
  crashGroupConsumer(members[3]!)
  const alive = members.slice(0, 3)
  await until(
    () => owned(alive).length === 12,
    sessionTimeoutMs + 5000,
    () => JSON.stringify(owned(alive)),
  )
  const takeOverMs = performance.now() - crashedAt
  assert.ok(takeOverMs >= sessionTimeoutMs * 0.9, `took over after ${takeOverMs.toFixed(0)} ms`)
  assert.equal(owned(alive), [...Array(12).keys()])

  const closedAt = performance.now()
  await alive[2]!.close()
  const rest = alive.slice(0, 2)
  await until(
    () => owned(rest).length === 12,
    5000,
    () => JSON.stringify(owned(rest)),
  )
  const handOverMs = performance.now() - closedAt
  console.log(`  crash take-over ${takeOverMs.toFixed(0)} ms, clean hand-over ${handOverMs.toFixed(0)} ms`)
  assert.ok(handOverMs < 1000, `hand-over took ${handOverMs.toFixed(0)} ms`)
  await Promise.all(rest.map((member) => member.close()))
})

interface Processed {
  member: string
  partition: number
  offset: number
  key: string
  seq: number
}

test('1,000 keyed messages during churn (join, crash, clean close) with run({ concurrency: 4 }): all processed, per-key order, duplicates only from the crashed member', async () => {
  const topic = 'churn'
  await client.admin().createTopic({ topic, partitions: 6 })
  const processed: Processed[] = []
  const dead = new Set<string>()
  const members = new Map<string, GroupConsumer<unknown>>()
  const runs: Promise<void>[] = []
  const startMember = (name: string) => {
    const member = consumer('churn', topic, { autoCommitIntervalMs: 50 })
    members.set(name, member)
    runs.push(
      member
        .run({
          concurrency: 4,
          eachMessage: async ({ message }) => {
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 2))
            if (dead.has(name)) throw new Error('dead')
            const { key, seq } = JSON.parse(String(message.value)) as { key: string; seq: number }
            processed.push({ member: name, partition: message.partition, offset: message.offset, key, seq })
          },
        })
        .catch(() => undefined),
    )
    return member
  }
  startMember('a')
  startMember('b')
  const producer = client.producer({ lingerMs: 1 })
  const total = 1000
  const keys = 20
  const sends: Promise<unknown>[] = []
  for (let index = 0; index < total; index++) {
    const key = `k${index % keys}`
    sends.push(
      producer.send({
        topic,
        key,
        value: Buffer.from(JSON.stringify({ key, seq: Math.floor(index / keys) })),
      }),
    )
    if (index % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 15))
    if (index === 300) startMember('c')
    if (index === 550) {
      dead.add('b')
      crashGroupConsumer(members.get('b')!)
    }
    if (index === 800) void members.get('a')!.close()
  }
  await Promise.all(sends)
  const distinct = () => new Set(processed.map((entry) => `${entry.partition}/${entry.offset}`)).size
  await until(
    () => distinct() === total,
    15_000,
    () => `${distinct()} of ${total} processed`,
  )
  // Per key, each message is first processed after the one sent before it.
  const firstSeen = new Map<string, number>()
  for (const entry of processed) {
    const id = `${entry.key}/${entry.seq}`
    if (firstSeen.has(id)) continue
    if (entry.seq > 0)
      assert.ok(firstSeen.has(`${entry.key}/${entry.seq - 1}`), `${id} processed before its predecessor`)
    firstSeen.set(id, firstSeen.size)
  }
  // Duplicates only of messages the crashed member processed first (after its last commit).
  const firstBy = new Map<string, string>()
  let duplicates = 0
  for (const entry of processed) {
    const id = `${entry.partition}/${entry.offset}`
    const first = firstBy.get(id)
    if (first === undefined) firstBy.set(id, entry.member)
    else {
      duplicates++
      assert.is(first, 'b', `${id} processed by ${first} then by ${entry.member}`)
    }
  }
  console.log(`  churn: ${processed.length} handled, ${duplicates} redelivered after the crash`)
  await Promise.all([...members.values()].map((member) => member.close()))
  await Promise.all(runs)
  await producer.close()
})

test('committed offsets survive a broker restart; a static member restart causes no rebalance', async () => {
  const topic = 'durable'
  await client.admin().createTopic({ topic, partitions: 2 })
  const producer = client.producer()
  for (let index = 0; index < 20; index++)
    await producer.send({ topic, key: `k${index}`, value: Buffer.from(String(index)) })
  await producer.close()
  const first = consumer('durable', topic)
  let seen = 0
  const reading = async () => {
    for await (const _message of first) if (++seen === 20) break
  }
  await withTimeout(reading(), 10_000, () => `20 messages for the durable group (got ${seen})`)
  await first.commit()
  await first.close()
  const committedBefore = await client.admin().describeGroup('durable')

  await client.close()
  await broker.close()
  await startBroker()
  client = new Client({ brokers: [listen], clientId: 'group-consumer-test' })
  const committed = await client.admin().describeGroup('durable')
  assert.equal(committed.offsets, committedBefore.offsets)
  const sum = committed.offsets.reduce((total, entry) => total + Math.max(0, entry.committedOffset), 0)
  assert.is(sum, 19, 'the last message (left unfinished by break) is not committed')

  // Static member: restart within the session keeps the assignment without a new generation.
  const a = consumer('static-group', topic, { groupInstanceId: 'pod-a', sessionTimeoutMs: 5000 })
  const b = consumer('static-group', topic)
  const rebalances: string[] = []
  b.on('rebalance', (event) => rebalances.push(event.type))
  await Promise.all([a.ready(), b.ready()])
  await until(
    () => a.assignment().length === 1 && b.assignment().length === 1,
    10_000,
    () => 'not balanced',
  )
  const generation = b.context()!.generationId
  const assigned = a.assignment()
  const eventsBefore = rebalances.length
  await a.close()
  const restarted = consumer('static-group', topic, { groupInstanceId: 'pod-a', sessionTimeoutMs: 5000 })
  await restarted.ready()
  assert.equal(restarted.assignment(), assigned)
  // The coordinator answered the rejoin: had it started a rebalance, the group would be out of
  // 'stable' or past the generation now, and b's next heartbeat would be told so.
  const group = await client.admin().describeGroup('static-group')
  assert.is(group.state, 'stable')
  assert.is(group.generationId, generation)
  assert.is(group.members.length, 2)
  assert.is(b.context()!.generationId, generation)
  assert.is(rebalances.length, eventsBefore)
  await Promise.all([restarted.close(), b.close()])
})

test.run()
