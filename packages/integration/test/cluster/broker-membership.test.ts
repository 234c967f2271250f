// Proves controller membership with real processes: a fourth broker started with all four --peers
// entries is admitted by `weir cluster add-broker` (every broker then lists it, and it learns the
// whole controller log), a broker restarted with its old three-entry --peers still knows it from the
// log, and `remove-broker --no-move` refuses a broker that holds replicas (naming them) and removes
// one that holds none (every broker forgets it).
import { Client } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { run } from '../cli/cli-support.js'
import { startCluster, type TestCluster, waitFor } from './cluster-support.js'

let cluster: TestCluster

test.before(async () => {
  cluster = await startCluster(3, undefined, 'secret', { spareBrokers: 1 })
})

test.after(async () => {
  await cluster?.close()
})

/** The broker ids `bootstrap` lists in Metadata, sorted. */
async function brokersSeenBy(bootstrap: string): Promise<string> {
  const client = new Client({ brokers: [bootstrap], clientId: 'membership-test' })
  try {
    const { brokers } = await client.admin().describeCluster()
    return brokers.map((broker) => broker.id).join(',')
  } finally {
    await client.close()
  }
}

const address = (id: number) => `127.0.0.1:${cluster.brokers[id - 1]!.port}`

test('add-broker admits a running fourth broker; remove-broker takes it away again', async () => {
  const client = new Client({ brokers: cluster.bootstrap, clientId: 'membership-test' })
  try {
    await waitFor('a topic before the new broker', 20_000, async () => {
      await client.admin().createTopic({ topic: 'before', partitions: 2, replicationFactor: 3 })
      return true
    })
    await cluster.startSpare(4)
    const fourth = cluster.brokers[3]!
    const added = await run([
      'cluster',
      'add-broker',
      '4',
      '--address',
      `127.0.0.1:${fourth.port}/${fourth.peerPort}`,
      '--bootstrap',
      address(2),
    ])
    assert.is(added.code, 0, `${added.stderr}\n${cluster.logs()}`)
    for (const id of [1, 2, 3, 4])
      await waitFor(`broker ${id} lists broker 4`, 20_000, async () =>
        (await brokersSeenBy(address(id))) === '1,2,3,4' ? true : undefined,
      )
    // The new broker answers from an image it built from the controller log it was sent.
    const fromFourth = new Client({ brokers: [address(4)], clientId: 'membership-test' })
    try {
      await waitFor('broker 4 knows the earlier topic', 20_000, async () =>
        (await fromFourth.admin().listTopics()).includes('before') ? true : undefined,
      )
    } finally {
      await fromFourth.close()
    }

    // Broker 1 restarts with --peers of three entries: the committed registration still counts.
    await cluster.kill(1)
    await cluster.restart(1)
    await waitFor('restarted broker 1 lists broker 4', 20_000, async () =>
      (await brokersSeenBy(address(1))) === '1,2,3,4' ? true : undefined,
    )

    const refused = await run(['cluster', 'remove-broker', '1', '--no-move', '--bootstrap', address(2)])
    assert.is(refused.code, 1)
    assert.match(
      refused.stderr,
      /BROKER_NOT_EMPTY: broker 1 still holds replicas of .*before\/0.*without --no-move/,
      refused.stderr,
    )

    const removed = await run(['cluster', 'remove-broker', '4', '--no-move', '--bootstrap', address(3)])
    assert.is(removed.code, 0, `${removed.stderr}\n${cluster.logs()}`)
    for (const id of [1, 2, 3])
      await waitFor(`broker ${id} forgets broker 4`, 20_000, async () =>
        (await brokersSeenBy(address(id))) === '1,2,3' ? true : undefined,
      )
    // The three left still commit changes (the controller's voters are 1, 2 and 3 again).
    await waitFor('a topic after the removal', 20_000, async () => {
      await client.admin().createTopic({ topic: 'after', partitions: 1, replicationFactor: 3 })
      return true
    })
    const unknown = await run(['cluster', 'remove-broker', '4', '--no-move', '--bootstrap', address(1)])
    assert.match(unknown.stderr, /UNKNOWN_BROKER/)
  } finally {
    await client.close()
  }
})

test.run()
