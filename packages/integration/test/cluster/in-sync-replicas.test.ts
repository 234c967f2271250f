// Proves the in-sync replicas that Metadata reports, with real processes: all three replicas of a
// partition are in sync, a SIGKILLed follower leaves the set once the lag window (1 s here) has
// passed, and it is back in the set after its restart and catch-up. Any broker answers.
import { Client, codecs, defineTopic } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { run } from '../cli/cli-support.js'
import { startCluster, type TestCluster, waitFor } from './cluster-support.js'

const topic = defineTopic<string>({ name: 'tracked', codec: codecs.string })
let cluster: TestCluster
let client: Client

test.before(async () => {
  cluster = await startCluster(3, { raft: { maxReplicaLagMs: 1000 } })
  client = new Client({ brokers: cluster.bootstrap, clientId: 'isr-test', maxMetadataAgeMs: 1000 })
})

test.after(async () => {
  await client?.close()
  await cluster?.close()
})

async function partition() {
  return (await client.admin().describeTopic(topic.name)).partitions[0]!
}

const sorted = (ids: readonly number[] | undefined) => [...(ids ?? [])].sort()

test('a killed follower leaves the in-sync replicas and is back after catching up', async () => {
  await waitFor('topic created', 15_000, async () => {
    await client.admin().createTopic({ topic: topic.name, partitions: 1, replicationFactor: 3 })
    return true
  })
  const producer = client.producer({ acks: 'all' })
  await waitFor('all three in sync', 15_000, async () => {
    await producer.send({ topic, value: 'warm-up' })
    const described = await partition()
    return sorted(described.isr).join() === '1,2,3' ? described : undefined
  })
  const { leader } = await partition()
  const follower = [1, 2, 3].find((id) => id !== leader)!
  await cluster.kill(follower)
  const shrunk = await waitFor('the follower leaves the set', 15_000, async () => {
    await producer.send({ topic, value: 'while-down' })
    const described = await partition()
    return described.isr !== undefined && !described.isr.includes(follower) ? described.isr : undefined
  })
  // The leader is always in its own set (the other follower is too, unless a busy machine slowed it).
  assert.ok(shrunk.includes(leader), `isr ${shrunk}`)
  // What an operator sees: the partition listed as under-replicated, asked of a live broker.
  const live = cluster.bootstrap[[1, 2, 3].findIndex((id) => id !== follower)]!
  const described = await run(['cluster', 'describe', '--bootstrap', live])
  assert.is(described.code, 0, described.stderr)
  assert.match(described.stdout, /partitions under-replicated/)
  assert.match(described.stdout, new RegExp(`tracked\\s+0\\s+${leader}\\s`))

  await cluster.restart(follower)
  await waitFor('the follower is back in the set', 20_000, async () => {
    await producer.send({ topic, value: 'after' })
    return sorted((await partition()).isr).join() === '1,2,3' ? true : undefined
  })
  const healed = await waitFor('nothing under-replicated', 20_000, async () => {
    const output = await run(['cluster', 'describe', '--bootstrap', cluster.bootstrap[0]!])
    return /\b0 of \d+ partitions under-replicated/.test(output.stdout) ? output.stdout : undefined
  })
  assert.match(healed, /\(controller\)/)
  await producer.close()
})

test.run()
