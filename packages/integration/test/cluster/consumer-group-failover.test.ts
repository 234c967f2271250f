// Proves, with real broker processes, that a group on the broker-driven protocol (groupProtocol 'consumer') keeps its members and assignments when its coordinator is killed with SIGKILL: the new coordinator restores them from __consumer_offsets, no partition is revoked as lost, and consumption goes on.
import { Client, codecs, defineTopic, type GroupConsumer, type RebalanceEvent } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { coordinatorOf, useCluster, waitFor } from './cluster-support.js'

const topic = defineTopic<string>({ name: 'kept', codec: codecs.string })
const groupId = 'kept-assignment'
const env = useCluster(test, 'consumer-group-failover-test', {
  name: topic.name,
  partitions: 4,
  replicationFactor: 3,
})

test('a broker-driven group keeps its assignment through a coordinator failover', async () => {
  const clients = [0, 1].map(
    (index) =>
      new Client({ brokers: env.cluster.bootstrap, clientId: `kept-${index}`, maxMetadataAgeMs: 1000 }),
  )
  const events: RebalanceEvent[] = []
  const seen = new Set<string>()
  const members: GroupConsumer<string>[] = clients.map((client) => {
    const member = client.consumer({
      groupId,
      topics: [topic],
      autoOffsetReset: 'earliest',
      groupProtocol: 'consumer',
    })
    member.on('rebalance', (event) => events.push(event))
    void member.run({ eachMessage: ({ message }) => void seen.add(message.value) }).catch(() => undefined)
    return member
  })
  try {
    const split = () => members.map((member) => member.assignment().map((entry) => entry.partition))
    await waitFor('2 partitions each', 20_000, async () =>
      split().every((list) => list.length === 2) ? true : undefined,
    )
    const before = split()
    const identities = members.map((member) => member.context()?.memberId)
    const producer = env.client.producer({ acks: 'all' })
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        producer.send({ topic, key: `k${index}`, value: `a-${index}` }),
      ),
    )
    await waitFor('the first 40 consumed', 20_000, async () => (seen.size >= 40 ? true : undefined))
    const eventsBefore = events.length

    await env.cluster.kill(await coordinatorOf(env.client, groupId))
    await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        producer.send({ topic, key: `k${index}`, value: `b-${index}` }),
      ),
    )
    await waitFor('all 80 consumed after the failover', 30_000, async () =>
      seen.size >= 80 ? true : undefined,
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${seen.size} seen\n${env.cluster.logs()}`)
    })
    // A commit is fenced by member id and epoch: it succeeds only if the new coordinator restored them.
    await Promise.all(members.map((member) => member.commit()))
    assert.equal(split(), before, 'the same partitions with the same members')
    assert.equal(
      members.map((member) => member.context()?.memberId),
      identities,
      'the new coordinator knew the members: nobody joined again',
    )
    assert.equal(events.slice(eventsBefore), [], 'no partition was revoked or reassigned')
    await producer.close()
  } finally {
    await Promise.allSettled(members.map((member) => member.close()))
    await Promise.allSettled(clients.map((client) => client.close()))
  }
})

test.run()
