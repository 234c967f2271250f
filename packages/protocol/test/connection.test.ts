// Proves a connection pipelines requests matched by correlationId, bounds requests in flight, times out, and rejects in-flight requests with CONNECTION_CLOSED when the peer drops, over both TCP and the in-memory network.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ApiVersions } from '../src/apis/index.js'
import { encodeBody } from '../src/body-codec.js'
import { Connection, type ConnectionOptions } from '../src/connection.js'
import {
  nodeTimers,
  type Transport,
  type TransportListener,
  type TransportSocket,
} from '../src/environment.js'
import { encodeResponseFrame, FrameReader, parseRequestFrame } from '../src/frame.js'
import { MemoryNetwork } from '../src/transport/memory-transport.js'
import { tcpTransport } from '../src/transport/tcp-transport.js'
import { tlsTransport } from '../src/transport/tls-transport.js'
import { isWeirError } from '../src/weir-error.js'
import { tlsFixture } from './support/tls-fixtures.js'

interface Network {
  /** Where the scripted peer listens and the connection dials. */
  readonly host: string
  readonly server: Transport
  readonly client: Transport
}

interface Peer {
  listener: TransportListener
  sockets: TransportSocket[]
  /** Correlation ids received, in order. */
  received: number[]
}

/** A peer that answers ApiVersions requests through `answer` (which may hold or reorder them). */
async function startPeer(
  network: Network,
  answer: (socket: TransportSocket, correlationId: number) => void,
): Promise<Peer> {
  const sockets: TransportSocket[] = []
  const received: number[] = []
  const listener = await network.server.listen({ host: network.host, port: 0 }, (socket) => {
    sockets.push(socket)
    socket.on('error', () => {})
    const reader = new FrameReader(1 << 20, 8)
    socket.on('data', (chunk) => {
      for (const payload of reader.push(chunk)) {
        const { header } = parseRequestFrame(payload)
        received.push(header.correlationId)
        answer(socket, header.correlationId)
      }
    })
  })
  return { listener, sockets, received }
}

function reply(socket: TransportSocket, correlationId: number, brokerId: number): void {
  socket.write(encodeResponseFrame(correlationId, encodeBody({ brokerId, apis: [] })))
}

async function stopPeer(peer: Peer): Promise<void> {
  for (const socket of peer.sockets) socket.destroy()
  await peer.listener.close()
}

function options(
  network: Network,
  port: number,
  overrides: Partial<ConnectionOptions> = {},
): ConnectionOptions {
  return {
    host: network.host,
    port,
    connectTimeoutMs: 2000,
    requestTimeoutMs: 2000,
    inFlightMax: 8,
    frameBytesMax: 1 << 20,
    transport: network.client,
    timers: nodeTimers,
    ...overrides,
  }
}

function connectionSuite(name: string, makeNetwork: () => Network): void {
  const test = suite(name)

  test('responses answered out of order reach the right callers', async () => {
    const network = makeNetwork()
    const held: Array<[TransportSocket, number]> = []
    const peer = await startPeer(network, (socket, correlationId) => {
      held.push([socket, correlationId])
      if (held.length === 3) for (const [s, id] of held.reverse()) reply(s, id, id * 10)
    })
    const connection = await Connection.open(options(network, peer.listener.port))
    const responses = await Promise.all([1, 2, 3].map(() => connection.request(ApiVersions, {})))
    assert.equal(
      responses.map((response) => response.brokerId),
      peer.received.map((id) => id * 10),
    )
    connection.close()
    await stopPeer(peer)
  })

  test('no more than inFlightMax requests are on the wire at once', async () => {
    let unanswered = 0
    let unansweredMost = 0
    const network = makeNetwork()
    const peer = await startPeer(network, (socket, correlationId) => {
      unanswered++
      unansweredMost = Math.max(unansweredMost, unanswered)
      // Answer a turn later, so the connection has every chance to send more meanwhile.
      nodeTimers.defer(() => {
        unanswered--
        reply(socket, correlationId, 1)
      })
    })
    const connection = await Connection.open(options(network, peer.listener.port, { inFlightMax: 2 }))
    const all = await Promise.all(Array.from({ length: 5 }, () => connection.request(ApiVersions, {})))
    assert.is(all.length, 5)
    assert.is(unansweredMost, 2)
    connection.close()
    await stopPeer(peer)
  })

  test('a dropped connection rejects in-flight requests with retriable CONNECTION_CLOSED', async () => {
    const network = makeNetwork()
    const peer = await startPeer(network, (socket) => socket.destroy())
    const connection = await Connection.open(options(network, peer.listener.port))
    try {
      await connection.request(ApiVersions, {})
      assert.unreachable()
    } catch (error) {
      assert.ok(isWeirError(error, 'CONNECTION_CLOSED'))
      assert.ok((error as { retriable: boolean }).retriable)
    }
    assert.ok(connection.closed)
    await stopPeer(peer)
  })

  test('a request without an answer times out with REQUEST_TIMED_OUT and drops the connection', async () => {
    const network = makeNetwork()
    const peer = await startPeer(network, () => {})
    const connection = await Connection.open(options(network, peer.listener.port, { requestTimeoutMs: 50 }))
    try {
      await connection.request(ApiVersions, {})
      assert.unreachable()
    } catch (error) {
      assert.ok(isWeirError(error, 'REQUEST_TIMED_OUT'))
    }
    assert.ok(connection.closed)
    await stopPeer(peer)
  })

  test('requests after close() fail with CLIENT_CLOSED', async () => {
    const network = makeNetwork()
    const peer = await startPeer(network, () => {})
    const connection = await Connection.open(options(network, peer.listener.port))
    const inFlight = connection.request(ApiVersions, {}).catch((error: unknown) => error)
    connection.close()
    assert.ok(isWeirError(await inFlight, 'CLIENT_CLOSED'))
    const after = await connection.request(ApiVersions, {}).catch((error: unknown) => error)
    assert.ok(isWeirError(after, 'CLIENT_CLOSED'))
    await stopPeer(peer)
  })

  test('connecting to a closed port is BROKER_UNAVAILABLE naming the address', async () => {
    const network = makeNetwork()
    const peer = await startPeer(network, () => {})
    const { port } = peer.listener
    await stopPeer(peer)
    try {
      await Connection.open(options(network, port))
      assert.unreachable()
    } catch (error) {
      assert.ok(isWeirError(error, 'BROKER_UNAVAILABLE'))
      assert.match((error as Error).message, `${network.host}:${port}`)
    }
  })

  test.run()
}

connectionSuite('connection over TCP', () => ({
  host: '127.0.0.1',
  server: tcpTransport,
  client: tcpTransport,
}))

connectionSuite('connection over TLS', () => ({
  host: '127.0.0.1',
  server: tlsTransport({ cert: tlsFixture('broker.pem'), key: tlsFixture('broker.key') }),
  client: tlsTransport({ ca: tlsFixture('ca.pem') }),
}))

connectionSuite('connection over the memory network', () => {
  const network = new MemoryNetwork({ timers: nodeTimers, random: () => 0.5 })
  return { host: 'broker', server: network.transport('broker'), client: network.transport('client') }
})
