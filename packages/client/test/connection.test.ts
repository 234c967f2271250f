// Proves a connection pipelines requests matched by correlationId, bounds requests in flight, times out, and rejects in-flight requests with CONNECTION_CLOSED when the peer drops (against a scripted TCP peer).
import { createServer, type Server, type Socket } from 'node:net'
import {
  ApiVersions,
  encodeBody,
  encodeResponseFrame,
  FrameReader,
  isWeirError,
  parseRequestFrame,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Connection } from '../src/connection.js'

interface Peer {
  server: Server
  port: number
  sockets: Socket[]
  /** Correlation ids received, in order. */
  received: number[]
}

/** A TCP peer that answers ApiVersions requests through `answer` (which may hold or reorder them). */
async function startPeer(answer: (socket: Socket, correlationId: number) => void): Promise<Peer> {
  const peer: Peer = { server: createServer(), port: 0, sockets: [], received: [] }
  peer.server.on('connection', (socket) => {
    peer.sockets.push(socket)
    const reader = new FrameReader(1 << 20, 8)
    socket.on('data', (chunk) => {
      for (const payload of reader.push(chunk)) {
        const { header } = parseRequestFrame(payload)
        peer.received.push(header.correlationId)
        answer(socket, header.correlationId)
      }
    })
  })
  await new Promise<void>((resolve) => peer.server.listen(0, '127.0.0.1', resolve))
  peer.port = (peer.server.address() as { port: number }).port
  return peer
}

function reply(socket: Socket, correlationId: number, brokerId: number): void {
  socket.write(encodeResponseFrame(correlationId, encodeBody({ brokerId, apis: [] })))
}

async function stopPeer(peer: Peer): Promise<void> {
  for (const socket of peer.sockets) socket.destroy()
  await new Promise((resolve) => peer.server.close(resolve))
}

const options = (port: number, overrides: Partial<Parameters<typeof Connection.open>[0]> = {}) => ({
  host: '127.0.0.1',
  port,
  connectTimeoutMs: 2000,
  requestTimeoutMs: 2000,
  inFlightMax: 8,
  frameBytesMax: 1 << 20,
  ...overrides,
})

test('responses answered out of order reach the right callers', async () => {
  const held: Array<[Socket, number]> = []
  const peer = await startPeer((socket, correlationId) => {
    held.push([socket, correlationId])
    if (held.length === 3) for (const [s, id] of held.reverse()) reply(s, id, id * 10)
  })
  const connection = await Connection.open(options(peer.port))
  const responses = await Promise.all([1, 2, 3].map(() => connection.request(ApiVersions, {})))
  assert.equal(
    responses.map((response) => response.brokerId),
    peer.received.map((id) => id * 10),
  )
  connection.close()
  await stopPeer(peer)
})

test('no more than inFlightMax requests are on the wire at once', async () => {
  const pending: Array<[Socket, number]> = []
  const peer = await startPeer((socket, correlationId) => pending.push([socket, correlationId]))
  const connection = await Connection.open(options(peer.port, { inFlightMax: 2 }))
  const all = Promise.all(Array.from({ length: 5 }, () => connection.request(ApiVersions, {})))
  for (let answered = 0; answered < 5; ) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.ok(pending.length <= 2, `${pending.length} in flight`)
    for (const [socket, id] of pending.splice(0)) {
      reply(socket, id, 1)
      answered++
    }
  }
  assert.is((await all).length, 5)
  connection.close()
  await stopPeer(peer)
})

test('a dropped connection rejects in-flight requests with retriable CONNECTION_CLOSED', async () => {
  const peer = await startPeer((socket) => socket.destroy())
  const connection = await Connection.open(options(peer.port))
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

test('a request without an answer times out with REQUEST_TIMED_OUT', async () => {
  const peer = await startPeer(() => {})
  const connection = await Connection.open(options(peer.port, { requestTimeoutMs: 50 }))
  try {
    await connection.request(ApiVersions, {})
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'REQUEST_TIMED_OUT'))
  }
  connection.close()
  await stopPeer(peer)
})

test('connecting to a closed port is BROKER_UNAVAILABLE naming the address', async () => {
  const peer = await startPeer(() => {})
  const { port } = peer
  await stopPeer(peer)
  try {
    await Connection.open(options(port))
    assert.unreachable()
  } catch (error) {
    assert.ok(isWeirError(error, 'BROKER_UNAVAILABLE'))
    assert.match((error as Error).message, `127.0.0.1:${port}`)
  }
})

test.run()
