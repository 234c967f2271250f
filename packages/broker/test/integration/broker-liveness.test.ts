// Proves broker liveness on real sockets, with two brokers in one process sharing a cluster
// secret: each sees the other alive through BrokerHeartbeat within seconds, DescribeBrokers lists
// both with address, state and heartbeat age (0 for itself), BrokerHeartbeat is refused on the
// client port and from a peer speaking for another broker, and a broker that stops is reported
// down once 3 s pass without its heartbeat. A broker alone lists itself; under ACLs
// DescribeBrokers needs Cluster:Describe.
import {
  authenticatePeer,
  BrokerHeartbeat,
  Connection,
  DescribeBrokers,
  ErrorCodes,
  encodeBody,
  isWeirError,
  nodeEnvironment,
} from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { freePort, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

const secret = 'correct horse battery staple, long enough'
const brokers: Broker[] = []
const ports: { client: number; peer: number }[] = []
const clients: WireClient[] = []

test.before(async () => {
  for (let id = 1; id <= 2; id++) ports.push({ client: await freePort(), peer: await freePort() })
  const peers = ports.map(({ client, peer }, index) => `${index + 1}@127.0.0.1:${client}/${peer}`).join(',')
  brokers.push(
    ...(await Promise.all(
      ports.map(({ client }, index) =>
        startBroker({ brokerId: index + 1, listen: `127.0.0.1:${client}`, peers, clusterSecret: secret }),
      ),
    )),
  )
})

test.after(async () => {
  for (const client of clients) await client.close()
  await Promise.all(brokers.map((broker) => broker.close()))
  removeTempDirectories()
})

async function describe(port: number) {
  const client = await WireClient.connect(port)
  clients.push(client)
  return (await client.call(DescribeBrokers, {})).brokers
}

test('each broker sees the other alive through heartbeats; itself at 0 ms', async () => {
  const seen = await eventually(
    'broker 1 to hear broker 2',
    async () => {
      const rows = await describe(ports[0]!.client)
      return rows[1]?.state === 'alive' ? rows : undefined
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  )
  assert.equal(seen[0], {
    id: 1,
    host: '127.0.0.1',
    port: ports[0]!.client,
    state: 'alive',
    progressPercent: 100,
    lastHeartbeatMs: 0,
  })
  assert.is(seen[1]!.port, ports[1]!.client)
  assert.ok(
    seen[1]!.lastHeartbeatMs >= 0 && seen[1]!.lastHeartbeatMs <= 3000,
    `${seen[1]!.lastHeartbeatMs} ms`,
  )
})

test('BrokerHeartbeat is refused on the client port and from a peer speaking for another broker', async () => {
  const client = await WireClient.connect(ports[0]!.client)
  clients.push(client)
  const response = await client.send(
    BrokerHeartbeat.apiKey,
    0,
    encodeBody({ brokerId: 2, state: 'alive', progressPercent: 100 }),
  )
  assert.is(response.errorCode, ErrorCodes.CLUSTER_AUTHORIZATION_FAILED.code)
  const connection = await Connection.open({
    host: '127.0.0.1',
    port: ports[0]!.peer,
    connectTimeoutMs: 1000,
    requestTimeoutMs: 5000,
    inFlightMax: 4,
    frameBytesMax: 1024 * 1024,
    transport: nodeEnvironment.transport,
    timers: nodeEnvironment.timers,
  })
  try {
    await authenticatePeer(connection, {
      selfId: 2,
      peerId: 1,
      address: 'broker 1',
      secret: Buffer.from(secret),
      nonce: Buffer.alloc(32, 5),
    })
    try {
      await connection.request(BrokerHeartbeat, { brokerId: 3, state: 'draining', progressPercent: 100 })
      assert.unreachable('a peer claiming another broker must be refused')
    } catch (error) {
      assert.ok(isWeirError(error, 'CLUSTER_AUTHORIZATION_FAILED'), String(error))
    }
  } finally {
    connection.close()
  }
})

test('a broker that stops is down once 3 s pass without its heartbeat', async () => {
  await brokers.pop()!.close()
  const down = await eventually(
    'broker 1 to report broker 2 down',
    async () => {
      const row = (await describe(ports[0]!.client))[1]
      return row?.state === 'down' ? row : undefined
    },
    { timeoutMs: 10_000, intervalMs: 100 },
  )
  assert.ok(down.lastHeartbeatMs > 3000, `${down.lastHeartbeatMs} ms`)
})

test('a broker alone lists only itself, alive; with ACLs and no binding DescribeBrokers is refused', async () => {
  const alone = await startBroker({})
  const open = await WireClient.connect(alone.address.port)
  clients.push(open)
  const rows = (await open.call(DescribeBrokers, {})).brokers
  assert.equal(
    rows.map(({ id, state, progressPercent, lastHeartbeatMs }) => ({
      id,
      state,
      progressPercent,
      lastHeartbeatMs,
    })),
    [{ id: 1, state: 'alive', progressPercent: 100, lastHeartbeatMs: 0 }],
  )
  await alone.close()
  const secured = await startBroker({ authorizer: 'acl', superUsers: ['User:admin'] })
  const anonymous = await WireClient.connect(secured.address.port)
  clients.push(anonymous)
  const refused = await anonymous.call(DescribeBrokers, {})
  assert.is(refused.errorCode, ErrorCodes.CLUSTER_AUTHORIZATION_FAILED.code)
  assert.match(String(refused.errorMessage), /may not Describe the cluster/)
  await secured.close()
})

test.run()
