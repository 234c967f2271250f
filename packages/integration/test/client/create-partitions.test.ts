// Proves growing a topic under a live consumer group: 2 consumers on a 2-partition topic, createPartitions to 4, a rebalance ('rebalance' events) gives every one of the 4 partitions exactly one owner, and messages produced to the new partitions are consumed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import { Client, type GroupConsumer, type RebalanceEvent } from '@weir/client'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const groupTiming = {
  sessionTimeoutMs: 1000,
  heartbeatIntervalMs: 100,
  rebalanceTimeoutMs: 3000,
  maxWaitMs: 100,
}

/** Resolves once `condition` holds; fails after `timeoutMs` with what `describe` says was seen. */
async function until(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  await eventually(() => `a condition (seen: ${describe()})`, condition, { timeoutMs })
}

test('createPartitions 2 → 4 under a group of 2: a rebalance assigns all 4 once, new partitions are consumed', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-create-partitions-'))
  const broker = await Broker.start({
    dataDir,
    listen: '127.0.0.1:0',
    logLevel: 'silent',
    groups: { offsetsPartitions: 2, limits: { minSessionTimeoutMs: 10, initialRebalanceDelayMs: 100 } },
  })
  await broker.groups.loaded
  const brokers = [`${broker.address.host}:${broker.address.port}`]
  const client = new Client({ brokers, clientId: 'grow-consumers' })
  const adminClient = new Client({ brokers, clientId: 'grow-admin' })
  try {
    const topic = 'grow'
    await adminClient.admin().createTopic({ topic, partitions: 2 })
    const consumed: { member: number; partition: number; value: string }[] = []
    const events: RebalanceEvent[] = []
    const members: GroupConsumer<unknown>[] = [0, 1].map((index) => {
      const member = client.consumer({
        groupId: 'grow',
        topics: [topic],
        autoOffsetReset: 'earliest',
        ...groupTiming,
      })
      member.on('rebalance', (event) => events.push(event))
      void member
        .run({
          eachMessage: async ({ message }) => {
            consumed.push({ member: index, partition: message.partition, value: String(message.value) })
          },
        })
        .catch(() => undefined)
      return member
    })
    const owned = () =>
      members.flatMap((member) => member.assignment().map((entry) => entry.partition)).sort((a, b) => a - b)
    await until(
      () => owned().length === 2 && members.every((member) => member.assignment().length === 1),
      10_000,
      () => JSON.stringify(owned()),
    )
    const eventsBefore = events.length

    await adminClient.admin().createPartitions({ topic, count: 4 })
    assert.is((await adminClient.admin().describeTopic(topic)).partitions.length, 4)
    await until(
      () =>
        JSON.stringify(owned()) === '[0,1,2,3]' &&
        members.every((member) => member.assignment().length === 2),
      10_000,
      () => JSON.stringify(members.map((member) => member.assignment())),
    )
    const newAssigned = () =>
      events
        .slice(eventsBefore)
        .filter((event) => event.type === 'assigned')
        .flatMap((event) => event.partitions.map((entry) => entry.partition))
        .filter((partition) => partition >= 2)
        .sort()
    await until(
      () => newAssigned().length >= 2,
      5000,
      () => JSON.stringify(events),
    )
    assert.equal(newAssigned(), [2, 3], 'rebalance events assigned each new partition once')

    const producer = adminClient.producer({ lingerMs: 1 })
    await Promise.all(
      [0, 1, 2, 3].map((partition) =>
        producer.send({ topic, partition, value: Buffer.from(`p${partition}`) }),
      ),
    )
    await until(
      () => consumed.length >= 4,
      10_000,
      () => JSON.stringify(consumed),
    )
    assert.equal(consumed.map((entry) => entry.value).sort(), ['p0', 'p1', 'p2', 'p3'])
    for (const entry of consumed) {
      const owner = members.findIndex((member) =>
        member.assignment().some((p) => p.partition === entry.partition),
      )
      assert.is(entry.member, owner, `partition ${entry.partition} consumed by its owner`)
    }
    await producer.close()
    await Promise.all(members.map((member) => member.close()))
  } finally {
    await client.close()
    await adminClient.close()
    await broker.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})

test.run()
