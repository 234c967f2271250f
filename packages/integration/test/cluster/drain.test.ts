// Proves `weir broker drain` and `undrain` with real processes: under an idempotent acks-all
// producer, draining broker 2 of 3 leaves it leading no partition and not the controller (the CLI
// waits for that), the preferred-leader handback does not give it any back, a leadership it wins
// in an election (another broker crashed) moves on, acks continue and nothing acknowledged is
// lost; undrain gives it its preferred partitions back.
import { codecs, defineTopic } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { run } from '../cli/cli-support.js'
import { readValues, useCluster, waitFor } from './cluster-support.js'

const partitions = 6
const drained = 2
const topic = defineTopic<string>({ name: 'drained', codec: codecs.string })
const env = useCluster(test, 'drain-test', { name: topic.name, partitions, replicationFactor: 3 })

async function leaders(): Promise<number[]> {
  const described = await env.client.admin().describeTopic(topic.name)
  return described.partitions.map((partition) => partition.leader)
}

async function allInSync(): Promise<boolean> {
  const described = await env.client.admin().describeTopic(topic.name)
  return described.partitions.every((partition) => (partition.isr ?? []).length === 3)
}

test('drain moves every leadership off the broker and keeps it off; undrain gives them back', async () => {
  await waitFor('every replica in sync', 20_000, async () => ((await allInSync()) ? true : undefined))
  await waitFor(`broker ${drained} leading its preferred partitions`, 20_000, async () =>
    (await leaders()).includes(drained) ? true : undefined,
  )
  const producer = env.client.producer({ acks: 'all', idempotent: true, deliveryTimeoutMs: 30_000 })
  const acknowledged: string[] = []
  const failures: string[] = []
  let writing = true
  const writers = Array.from({ length: partitions }, async (_, partition) => {
    for (let index = 0; writing; index++) {
      const value = `${partition}-${index}`
      try {
        await producer.send({ topic, partition, value })
        acknowledged.push(value)
      } catch (error) {
        // Kept short and paced: a send that fails at once must not grow without bound.
        if (failures.length < 20) failures.push(`${value}: ${(error as Error).message}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  })
  // However the test ends, the writers stop (a failed assertion used to leave them running, and
  // the runner ran out of memory in the next test instead of reporting it).
  const stopWriting = async () => {
    writing = false
    await Promise.race([Promise.all(writers), new Promise((resolve) => setTimeout(resolve, 35_000))])
    await producer.close()
  }
  try {
    const other = env.cluster.bootstrap[0]!
    const drain = await run([
      'broker',
      'drain',
      String(drained),
      '--bootstrap',
      other,
      '--timeout-ms',
      '30000',
    ])
    assert.is(drain.code, 0, `${drain.stdout}${drain.stderr}\n${env.cluster.logs()}`)
    assert.match(drain.stdout, new RegExp(`broker ${drained} leads no partition and not the controller`))
    const ackedAtDrain = acknowledged.length

    // The handback runs every 5 s: for two rounds, the drained broker is never given a leader back.
    const watchUntil = Date.now() + 11_000
    while (Date.now() < watchUntil) {
      const now = await leaders()
      assert.not.ok(now.includes(drained), `broker ${drained} leads again while draining: ${now}`)
      const { controllerId } = await env.client.admin().describeCluster()
      assert.is.not(controllerId, drained, 'the drained broker leads the controller again')
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    assert.ok(acknowledged.length > ackedAtDrain, 'acks continue while the broker is drained')

    // Broker 1 crashes: elections may hand the drained broker leaderships; it passes them on to the
    // one broker left that is not draining, and the drain survives broker 1's restart.
    await env.cluster.kill(1)
    await waitFor('every partition led by broker 3 while 1 is down', 45_000, async () =>
      (await leaders()).every((leader) => leader === 3) ? true : undefined,
    )
    await env.cluster.restart(1)
    await waitFor('every replica in sync again', 30_000, async () => ((await allInSync()) ? true : undefined))
    assert.not.ok((await leaders()).includes(drained), 'the drained broker still leads nothing')

    const undrain = await run(['broker', 'undrain', String(drained), '--bootstrap', other])
    assert.is(undrain.code, 0, undrain.stderr)
    await waitFor(`broker ${drained} leading its preferred partitions again`, 45_000, async () =>
      (await leaders()).includes(drained) ? true : undefined,
    )
  } finally {
    await stopWriting()
  }
  assert.equal(failures, [], `every send is acknowledged\n${env.cluster.logs()}`)
  const values = new Set(await readValues(env.client, topic, acknowledged.length, 30_000))
  assert.equal(
    acknowledged.filter((value) => !values.has(value)),
    [],
    'every acknowledged value is read back',
  )
})

test('drain of a broker that is not in the cluster is refused, naming the brokers', async () => {
  const result = await run(['broker', 'drain', '9', '--bootstrap', env.cluster.bootstrap[0]!])
  assert.is(result.code, 1)
  assert.match(result.stderr, /broker 9 is not in this cluster \(brokers 1, 2, 3\)/)
})

test.run()
