// Proves the two listeners and peer authentication on real sockets, with two brokers in one
// process sharing a cluster secret: peer APIs on the client port are refused (and change nothing),
// the peer port serves nothing before a peer authenticated and no client API after, a wrong secret
// is refused by the listener and a listener without the secret is refused by the dialer, a peer
// cannot speak for another broker, and an unauthenticated peer connection is closed.
import {
  ApiVersions,
  authenticatePeer,
  Connection,
  ControllerPropose,
  CreateTopics,
  ErrorCodes,
  encodeBody,
  isWeirError,
  Metadata,
  nodeEnvironment,
  PeerHello,
  PeerProof,
  peerProof,
  RaftMessages,
} from '@weir/protocol'
import { eventually, withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { freePort, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

const secret = 'correct horse battery staple, long enough'
const clusterAuthorizationFailed = ErrorCodes.CLUSTER_AUTHORIZATION_FAILED.code

interface Pair {
  readonly brokers: Broker[]
  readonly ports: { client: number; peer: number }[]
}

const pair = {} as Pair
const clients: WireClient[] = []

async function connect(port: number): Promise<WireClient> {
  const client = await WireClient.connect(port)
  clients.push(client)
  return client
}

test.before(async () => {
  const ports = []
  for (let id = 1; id <= 2; id++) ports.push({ client: await freePort(), peer: await freePort() })
  const peers = ports.map(({ client, peer }, index) => `${index + 1}@127.0.0.1:${client}/${peer}`).join(',')
  const brokers = await Promise.all(
    ports.map(({ client }, index) =>
      startBroker({ brokerId: index + 1, listen: `127.0.0.1:${client}`, peers, clusterSecret: secret }),
    ),
  )
  Object.assign(pair, { brokers, ports })
  // The brokers replicate through their peer ports: a topic on both commits only if they talk.
  const client = await connect(ports[0]!.client)
  await eventually(
    'the two brokers to elect a controller and create orders',
    async () => {
      const response = await client.call(CreateTopics, {
        topics: [{ name: 'orders', partitions: 1, replicationFactor: 2, config: {} }],
      })
      const code = response.topics[0]!.errorCode
      return code === 0 || code === ErrorCodes.TOPIC_ALREADY_EXISTS.code
    },
    { timeoutMs: 20_000, intervalMs: 100 },
  )
})

test.after(async () => {
  for (const client of clients) await client.close()
  await Promise.all(pair.brokers?.map((broker) => broker.close()) ?? [])
  removeTempDirectories()
})

test('the brokers listen for peers on their peer ports', () => {
  assert.equal(
    pair.brokers.map((broker) => broker.peerAddress?.port),
    pair.ports.map((ports) => ports.peer),
  )
})

test('RaftMessages and ControllerPropose on the client port are refused, the connection stays, nothing changes', async () => {
  const client = await connect(pair.ports[0]!.client)
  const raft = await client.send(
    RaftMessages.apiKey,
    0,
    encodeBody({
      from: 2,
      messages: [
        {
          group: '__cluster_metadata/0',
          incarnation: '',
          message: { type: 'heartbeat', from: 2, to: 1, term: 1_000_000, commit: 0 },
        },
      ],
      leaders: [],
    }),
  )
  assert.is(raft.errorCode, clusterAuthorizationFailed)
  assert.match(String(raft.errorMessage), /peer listener/)
  const propose = await client.send(
    ControllerPropose.apiKey,
    0,
    encodeBody({ record: encodeBody({ type: 'topicDeleted', name: 'orders' }) }),
  )
  assert.is(propose.errorCode, clusterAuthorizationFailed)
  // Same connection, still served; the topic is still there on both brokers.
  const metadata = await client.call(Metadata, { topics: ['orders'] })
  assert.is(metadata.topics[0]?.errorCode, 0)
  for (const broker of pair.brokers) assert.ok(broker.cluster.image.topic('orders') !== undefined)
})

test('the peer port serves nothing but ApiVersions and the handshake before a peer authenticated', async () => {
  const client = await connect(pair.ports[0]!.peer)
  const versions = await client.call(ApiVersions, {})
  assert.is(versions.brokerId, 1)
  for (const apiKey of [RaftMessages.apiKey, ControllerPropose.apiKey, Metadata.apiKey, 5 /* Fetch */]) {
    const response = await client.send(apiKey, 0, encodeBody({}))
    assert.is(response.errorCode, clusterAuthorizationFailed, `API ${apiKey}`)
    assert.match(String(response.errorMessage), /authenticate/)
  }
  const proof = await client.send(PeerProof.apiKey, 0, encodeBody({ proof: Buffer.alloc(32) }))
  assert.is(proof.errorCode, clusterAuthorizationFailed, 'a proof without a hello')
})

test('a wrong cluster secret is refused by the listener, and the connection closed', async () => {
  const client = await connect(pair.ports[0]!.peer)
  const nonce = Buffer.alloc(32, 3)
  const hello = await client.call(PeerHello, { brokerId: 2, nonce })
  assert.is(hello.brokerId, 1)
  const transcript = { dialerId: 2, listenerId: 1, dialerNonce: nonce, listenerNonce: hello.nonce }
  const wrong = peerProof(Buffer.from('another secret of at least 32 bytes!'), 'dialer', transcript)
  const refused = await client.send(PeerProof.apiKey, 0, encodeBody({ proof: wrong }))
  assert.is(refused.errorCode, clusterAuthorizationFailed)
  assert.match(String(refused.errorMessage), /cluster secret/)
  // A wrong proof ends the connection once its answer is sent, as a failed SASL login does:
  // every guess costs a new connection, and nothing more is served on this one.
  await withTimeout(client.closed, 5000, 'the connection to close after a wrong proof')
})

test('a broker not in --peers cannot say hello', async () => {
  const client = await connect(pair.ports[0]!.peer)
  for (const brokerId of [1, 3]) {
    const response = await client.send(PeerHello.apiKey, 0, encodeBody({ brokerId, nonce: Buffer.alloc(32) }))
    assert.is(response.errorCode, clusterAuthorizationFailed, `broker ${brokerId}`)
  }
})

async function peerConnection(port: number): Promise<Connection> {
  return Connection.open({
    host: '127.0.0.1',
    port,
    connectTimeoutMs: 1000,
    requestTimeoutMs: 5000,
    inFlightMax: 4,
    frameBytesMax: 1024 * 1024,
    transport: nodeEnvironment.transport,
    timers: nodeEnvironment.timers,
  })
}

test('an authenticated peer speaks only for itself and is sent to the client port for client APIs', async () => {
  const [ports] = pair.ports
  const connection = await peerConnection(ports!.peer)
  try {
    await authenticatePeer(connection, {
      selfId: 2,
      peerId: 1,
      address: 'broker 1',
      secret: Buffer.from(secret),
      nonce: Buffer.alloc(32, 5),
    })
    // As itself, an empty RaftMessages is accepted.
    assert.equal(await connection.request(RaftMessages, { from: 2, messages: [], leaders: [] }), {
      errorCode: 0,
    })
    try {
      await connection.request(RaftMessages, { from: 3, messages: [], leaders: [] })
      assert.unreachable('a peer claiming another broker must be refused')
    } catch (error) {
      assert.ok(isWeirError(error, 'CLUSTER_AUTHORIZATION_FAILED'), String(error))
    }
    try {
      await connection.request(Metadata, { topics: [] })
      assert.unreachable('a client API on the peer port must be refused')
    } catch (error) {
      assert.ok(isWeirError(error, 'INVALID_REQUEST'), String(error))
      assert.match((error as Error).message, new RegExp(`client port ${ports!.client}`))
    }
  } finally {
    connection.close()
  }
})

test('a dialer refuses a listener that does not prove the secret', async () => {
  const [ports] = pair.ports
  const connection = await peerConnection(ports!.peer)
  try {
    await authenticatePeer(connection, {
      selfId: 2,
      peerId: 1,
      address: 'broker 1',
      secret: Buffer.from('the dialer holds some other secret here'),
      nonce: Buffer.alloc(32, 6),
    })
    assert.unreachable('the listener proved a different secret')
  } catch (error) {
    assert.ok(isWeirError(error, 'CLUSTER_AUTHORIZATION_FAILED'), String(error))
    assert.match((error as Error).message, /did not prove it holds this cluster's secret/)
  } finally {
    connection.close()
  }
})

test('an unauthenticated peer connection is closed after 10 s, however it trickles', async () => {
  const client = await connect(pair.ports[1]!.peer)
  const started = Date.now()
  // ApiVersions every second keeps traffic flowing; it must not move the deadline.
  const trickle = setInterval(() => void client.call(ApiVersions, {}).catch(() => {}), 1000)
  try {
    await withTimeout(client.closed, 15_000, 'the broker to close an unauthenticated peer connection')
  } finally {
    clearInterval(trickle)
  }
  const elapsedMs = Date.now() - started
  assert.ok(elapsedMs >= 9_500 && elapsedMs < 14_000, `closed after ${elapsedMs} ms`)
})

test.run()
