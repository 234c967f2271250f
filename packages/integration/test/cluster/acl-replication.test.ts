// Proves ACLs are one set for the whole cluster: a binding created through one broker (forwarded to the controller leader when that broker does not lead) is listed by every broker, and a deletion through another broker removes it everywhere, without a restart.
import { Client } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startCluster, type TestCluster, waitFor } from './cluster-support.js'

let cluster: TestCluster
let clients: Client[] = []

test.before(async () => {
  cluster = await startCluster(3)
  // One client per broker, each bootstrapped to that broker only: each answers from its own image.
  clients = cluster.bootstrap.map(
    (address) => new Client({ brokers: [address], clientId: 'acl-replication' }),
  )
})

test.after(async () => {
  await Promise.all(clients.map((client) => client.close()))
  await cluster?.close()
})

const alice = {
  principal: 'User:alice',
  operation: 'Write',
  resourceType: 'Topic',
  resourceName: 'orders',
} as const

test('created through one broker, listed by all; deleted through another, gone from all', async () => {
  await waitFor('a controller to take the ACL', 20_000, async () => {
    await clients[1]!.admin().createAcls([alice])
    return true
  })
  for (const [index, client] of clients.entries()) {
    const listed = await waitFor(`broker ${index + 1} to list alice's binding`, 10_000, async () => {
      const bindings = await client.admin().describeAcls({ principal: 'User:alice' })
      return bindings.length === 1 ? bindings : undefined
    })
    assert.is(listed[0]!.resourceName, 'orders')
  }
  const removed = await clients[2]!.admin().deleteAcls([{ principal: 'User:alice' }])
  assert.is(removed.length, 1)
  for (const [index, client] of clients.entries()) {
    await waitFor(`broker ${index + 1} to drop alice's binding`, 10_000, async () =>
      (await client.admin().describeAcls({ principal: 'User:alice' })).length === 0 ? true : undefined,
    )
  }
})

test.run()
