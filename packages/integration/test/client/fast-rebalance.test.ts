// Proves, against a real broker with its default initial rebalance delay, that members starting together join in one generation (and share evenly on the consumer protocol); that, on both protocols, with a heartbeat interval far longer than the test, a clean leave and a late join still settle because held heartbeats carry the news (the new owner resumes at the leaver's committed offset); and that a crashed member's partitions move once its session expires.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import { Client, type GroupConsumer, type GroupConsumerOptions } from '@weir/client'
import { crashGroupConsumer } from '@weir/client/testing'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

/** Far longer than any wait below: a member that waited for its next heartbeat would fail the test. */
const slowHeartbeats = { sessionTimeoutMs: 60_000, heartbeatIntervalMs: 30_000 }
const settleMs = 10_000

let broker: Broker
let dataDir: string
let address: string
const clients: Client[] = []

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'weir-fast-rebalance-'))
  // Group settings left at the broker's defaults (initialRebalanceDelayMs 300) but the session floor.
  broker = await Broker.start({
    dataDir,
    listen: '127.0.0.1:0',
    logLevel: 'silent',
    groups: { offsetsPartitions: 2, limits: { minSessionTimeoutMs: 10 } },
  })
  await broker.groups.loaded
  address = `${broker.address.host}:${broker.address.port}`
})

test.after(async () => {
  await Promise.allSettled(clients.map((client) => client.close()))
  await broker.close()
  rmSync(dataDir, { recursive: true, force: true })
})

function newClient(): Client {
  const client = new Client({ brokers: [address], clientId: `fast-rebalance-${clients.length}` })
  clients.push(client)
  return client
}

function member(groupId: string, topic: string, extra: Partial<GroupConsumerOptions<string>> = {}) {
  return newClient().consumer({ groupId, topics: [topic], autoOffsetReset: 'earliest', ...extra })
}

const owned = (members: readonly GroupConsumer<unknown>[]) =>
  members.flatMap((each) => each.assignment().map((entry) => entry.partition)).sort((a, b) => a - b)

async function allOwned(members: readonly GroupConsumer<unknown>[], partitions: number, what: string) {
  await eventually(
    () => `${what} (owned: ${JSON.stringify(members.map((each) => each.assignment().length))})`,
    () => {
      const list = owned(members)
      return list.length === partitions && new Set(list).size === partitions
    },
    { timeoutMs: settleMs },
  )
}

test('consumer protocol: 4 members created together share 8 partitions, 2 each', async () => {
  const topic = 'together-consumer'
  await newClient().admin().createTopic({ topic, partitions: 8 })
  const members = [0, 1, 2, 3].map(() => member(topic, topic, { groupProtocol: 'consumer' }))
  await Promise.all(members.map((each) => each.ready()))
  await eventually(
    () => `2 each (${JSON.stringify(members.map((each) => each.assignment().length))})`,
    () => members.every((each) => each.assignment().length === 2) && new Set(owned(members)).size === 8,
    { timeoutMs: settleMs },
  )
  await Promise.all(members.map((each) => each.close()))
})

test('4 members created together join one generation (the initial rebalance delay waits for them)', async () => {
  const topic = 'together'
  await newClient().admin().createTopic({ topic, partitions: 8 })
  const members = [0, 1, 2, 3].map(() => member('together', topic))
  await Promise.all(members.map((each) => each.ready()))
  await allOwned(members, 8, 'every partition owned')
  assert.equal(
    members.map((each) => each.context()?.generationId),
    [1, 1, 1, 1],
    'one join round: nobody started alone',
  )
  assert.equal(
    members.map((each) => each.assignment().length),
    [2, 2, 2, 2],
  )
  await Promise.all(members.map((each) => each.close()))
})

for (const groupProtocol of ['classic', 'consumer'] as const) {
  test(`${groupProtocol}: a clean leave hands over without waiting for a heartbeat interval, from the committed offset`, async () => {
    const topic = `leave-${groupProtocol}`
    const admin = newClient()
    await admin.admin().createTopic({ topic, partitions: 4 })
    const seen: Array<{ by: number; partition: number; offset: number }> = []
    const members = [0, 1].map(() => member(topic, topic, { ...slowHeartbeats, groupProtocol }))
    const runs = members.map((each, index) =>
      each.run({
        eachMessage: ({ partition, message }) => {
          seen.push({ by: index, partition, offset: message.offset })
        },
      }),
    )
    await Promise.all(members.map((each) => each.ready()))
    await allOwned(members, 4, 'every partition owned')
    const leaving = members[1]!.assignment().map((entry) => entry.partition)
    const producer = admin.producer()
    for (const partition of leaving)
      for (let index = 0; index < 5; index++)
        await producer.send({ topic, value: `before-${index}`, partition })
    await eventually(
      () => 'the leaving member read its 10 messages',
      () => seen.filter((entry) => entry.by === 1).length === leaving.length * 5,
      { timeoutMs: settleMs },
    )
    await members[1]!.close()
    await runs[1]
    await allOwned([members[0]!], 4, 'the remaining member owns all 4 before its next heartbeat (30 s)')
    for (const partition of leaving) await producer.send({ topic, value: 'after', partition })
    await eventually(
      () => 'the new owner read the messages produced after the leave',
      () =>
        seen.filter((entry) => entry.by === 0 && leaving.includes(entry.partition)).length >= leaving.length,
      { timeoutMs: settleMs },
    )
    const takenOver = seen.filter((entry) => entry.by === 0 && leaving.includes(entry.partition))
    assert.equal(
      takenOver.map((entry) => entry.offset),
      leaving.map(() => 5),
      'resumed at the committed offset: nothing the leaver finished is read again',
    )
    await producer.close()
    await members[0]!.close()
    await runs[0]
  })

  test(`${groupProtocol}: a member joining a stable group gets its share without waiting for a heartbeat interval`, async () => {
    const topic = `late-join-${groupProtocol}`
    await newClient().admin().createTopic({ topic, partitions: 6 })
    const members = [0, 1].map(() => member(topic, topic, { ...slowHeartbeats, groupProtocol }))
    await Promise.all(members.map((each) => each.ready()))
    await allOwned(members, 6, 'every partition owned by the first two')
    members.push(member(topic, topic, { ...slowHeartbeats, groupProtocol }))
    await eventually(
      () => `three members with 2 each (${JSON.stringify(members.map((each) => each.assignment().length))})`,
      () => members.every((each) => each.assignment().length === 2) && new Set(owned(members)).size === 6,
      { timeoutMs: settleMs },
    )
    await Promise.all(members.map((each) => each.close()))
  })

  test(`${groupProtocol}: a crashed member (no leave) loses its partitions once its session expires`, async () => {
    const topic = `crash-${groupProtocol}`
    await newClient().admin().createTopic({ topic, partitions: 4 })
    const timing = { sessionTimeoutMs: 1500, heartbeatIntervalMs: 500 }
    const members = [0, 1].map(() => member(topic, topic, { ...timing, groupProtocol }))
    await Promise.all(members.map((each) => each.ready()))
    await allOwned(members, 4, 'every partition owned')
    crashGroupConsumer(members[1]!)
    await allOwned([members[0]!], 4, 'the survivor owns all 4 after the crashed session expired')
    await members[0]!.close()
  })
}

test.run()
