// Proves admin create/list/describe/delete against a real broker, with broker errors rebuilt as typed WeirErrors.

import { Client, isWeirError } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type RunningBroker, removeDataDirectories, startBroker } from './helpers.js'

let running: RunningBroker
let client: Client

test.before(async () => {
  running = await startBroker()
  client = new Client({ brokers: [running.address], clientId: 'admin-test' })
})

test.after(async () => {
  await client.close()
  await running.broker.close()
  removeDataDirectories()
})

test('create, list, describe and delete a topic', async () => {
  const admin = client.admin()
  await admin.createTopic({
    topic: 'orders',
    partitions: 6,
    replicationFactor: 1,
    config: { retentionMs: 86_400_000 },
  })
  await admin.createTopic({ topic: 'audit' })
  assert.equal(await admin.listTopics(), ['audit', 'orders'])
  const description = await admin.describeTopic('orders')
  assert.is(description.topic, 'orders')
  assert.is(description.config.retentionMs, 86_400_000)
  assert.equal(
    description.partitions.map((partition) => partition.partition),
    [0, 1, 2, 3, 4, 5],
  )
  for (const partition of description.partitions) {
    assert.is(partition.leader, running.broker.brokerId)
    assert.equal(partition.replicas, [running.broker.brokerId])
    assert.is(partition.logStartOffset, 0)
    assert.is(partition.highWatermark, 0)
  }
  await admin.deleteTopic('audit')
  assert.equal(await admin.listTopics(), ['orders'])
})

test('broker errors come back typed', async () => {
  const admin = client.admin()
  const expectError = async (action: () => Promise<unknown>, code: Parameters<typeof isWeirError>[1]) => {
    try {
      await action()
      assert.unreachable(`expected ${code}`)
    } catch (error) {
      assert.ok(isWeirError(error, code), `expected ${code}, got ${String(error)}`)
    }
  }
  await expectError(() => admin.createTopic({ topic: 'orders', partitions: 1 }), 'TOPIC_ALREADY_EXISTS')
  await expectError(() => admin.createTopic({ topic: 'bad name!', partitions: 1 }), 'INVALID_TOPIC')
  await expectError(() => admin.describeTopic('missing'), 'UNKNOWN_TOPIC')
  await expectError(() => admin.deleteTopic('missing'), 'UNKNOWN_TOPIC')
})

test('a request the broker refuses whole comes back with the broker error, not a decoding error', async () => {
  const admin = client.admin()
  // Bypassing the types, as a caller from plain JavaScript might: no count at all.
  const failure = await admin
    .createPartitions({ topic: 'orders' } as unknown as { topic: string; count: number })
    .then(
      () => undefined,
      (error: unknown) => error,
    )
  assert.ok(isWeirError(failure, 'INVALID_REQUEST'), String(failure))
  assert.match((failure as Error).message, /count/)
})

test.run()
