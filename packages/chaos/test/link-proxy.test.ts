// A link proxy over real sockets: it forwards both ways, holds bytes while a direction is cut and
// delivers them in order on heal, delays without reordering, and resets connections on demand.
import * as assert from 'node:assert/strict'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { quietPeriod, withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import { LinkProxy } from '../src/link-proxy.js'
import { seededRandom } from '../src/prng.js'

/** An echo server that upper-cases what it gets, so the answer direction is visible. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined)
    socket.on('data', (bytes) => socket.write(bytes.toString().toUpperCase()))
  })
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  const address = server.address()
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 }
}

async function dial(
  port: number,
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect({ host: '127.0.0.1', port })
  let text = ''
  socket.on('data', (bytes) => (text += bytes.toString()))
  socket.on('error', () => undefined)
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  return { socket, received: () => text, closed }
}

async function until(what: string, check: () => boolean): Promise<void> {
  await withTimeout(
    (async () => {
      while (!check()) await new Promise((resolve) => setTimeout(resolve, 10))
    })(),
    5000,
    what,
  )
}

test('forwards both ways; a held direction keeps bytes until healed, then delivers them in order', async () => {
  const { server, port } = await echoServer()
  const proxy = await LinkProxy.start(0, port, seededRandom(1))
  try {
    const client = await dial(proxy.port)
    client.socket.write('a')
    await until('the echo of a', () => client.received() === 'A')
    proxy.states.forward.hold = true
    proxy.update()
    client.socket.write('b')
    client.socket.write('c')
    await quietPeriod(200)
    assert.equal(client.received(), 'A', 'nothing crosses a held direction')
    proxy.heal()
    await until('the held bytes after the heal', () => client.received() === 'ABC')
    client.socket.destroy()
  } finally {
    await proxy.close()
    server.close()
  }
})

test('holding the answers only: requests arrive, answers wait', async () => {
  const { server, port } = await echoServer()
  let arrived = ''
  server.on('connection', (socket) => socket.on('data', (bytes) => (arrived += bytes.toString())))
  const proxy = await LinkProxy.start(0, port, seededRandom(2))
  try {
    proxy.states.backward.hold = true
    const client = await dial(proxy.port)
    client.socket.write('x')
    await until('the request at the server', () => arrived === 'x')
    await quietPeriod(100)
    assert.equal(client.received(), '')
    proxy.heal()
    await until('the answer after the heal', () => client.received() === 'X')
    client.socket.destroy()
  } finally {
    await proxy.close()
    server.close()
  }
})

test('a delay of 100±50 ms keeps the order of the chunks', async () => {
  const { server, port } = await echoServer()
  const proxy = await LinkProxy.start(0, port, seededRandom(3))
  try {
    proxy.states.forward.delay = { baseMs: 100, jitterMs: 50 }
    const client = await dial(proxy.port)
    const sentMs = Date.now()
    for (const letter of 'abcdef') {
      client.socket.write(letter)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    await until('every echo', () => client.received().length === 6)
    assert.equal(client.received(), 'ABCDEF')
    assert.ok(Date.now() - sentMs >= 50, 'the bytes were delayed')
    client.socket.destroy()
  } finally {
    await proxy.close()
    server.close()
  }
})

test('reset closes open connections and new ones until healed', async () => {
  const { server, port } = await echoServer()
  const proxy = await LinkProxy.start(0, port, seededRandom(4))
  try {
    const open = await dial(proxy.port)
    open.socket.write('a')
    await until('the echo', () => open.received() === 'A')
    proxy.reset()
    await withTimeout(open.closed, 5000, 'the open connection to close')
    const refused = connect({ host: '127.0.0.1', port: proxy.port })
    refused.on('error', () => undefined)
    await withTimeout(
      new Promise((resolve) => refused.once('close', resolve)),
      5000,
      'a new connection to be reset',
    )
    proxy.heal()
    const again = await dial(proxy.port)
    again.socket.write('z')
    await until('the echo after the heal', () => again.received() === 'Z')
    again.socket.destroy()
  } finally {
    await proxy.close()
    server.close()
  }
})

test.run()
