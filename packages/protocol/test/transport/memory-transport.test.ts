// Proves the in-memory network keeps TCP's order, flow control and close events, applies partitions, crashes and write fates, and replays a seeded run event for event.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Transport, TransportSocket } from '../../src/environment.js'
import { encodeResponseFrame, FrameReader, parseResponseFrame } from '../../src/frame.js'
import { MemoryNetwork, type MemoryNetworkOptions } from '../../src/transport/memory-transport.js'
import { SimulatedTime } from '../../src/transport/simulated-time.js'
import { isWeirError } from '../../src/weir-error.js'
import { seededRandom } from '../support/seeded-random.js'

interface World {
  time: SimulatedTime
  network: MemoryNetwork
  accepted: TransportSocket[]
  port: number
  serverTransport: Transport
}

async function world(options: Partial<MemoryNetworkOptions> = {}, seed = 1): Promise<World> {
  const time = new SimulatedTime()
  const network = new MemoryNetwork({ timers: time, random: seededRandom(seed), ...options })
  const accepted: TransportSocket[] = []
  const serverTransport = network.transport('server')
  const listener = await serverTransport.listen({ host: 'server', port: 9092 }, (socket) => {
    accepted.push(socket)
    socket.on('error', () => {})
  })
  return { time, network, accepted, port: listener.port, serverTransport }
}

async function dial(
  w: World,
  from = 'client',
): Promise<{ client: TransportSocket; server: TransportSocket }> {
  const connecting = w.network.transport(from).connect({ host: 'server', port: w.port }, 1000)
  await w.time.runUntilIdle()
  const client = await connecting
  return { client, server: w.accepted.at(-1)! }
}

function collect(socket: TransportSocket): number[] {
  const bytes: number[] = []
  socket.on('data', (chunk) => bytes.push(...chunk))
  return bytes
}

async function refusal(promise: Promise<unknown>, time: SimulatedTime): Promise<unknown> {
  const outcome = promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  await time.runUntilIdle()
  return outcome
}

test('writes arrive whole and in write order, even when a later write is faster', async () => {
  let latencyMs = 50
  const w = await world({ latencyMs: () => (latencyMs = Math.max(1, latencyMs - 10)) })
  const { client, server } = await dial(w)
  const received = collect(server)
  for (let value = 0; value < 5; value++) client.write(Uint8Array.of(value))
  await w.time.runUntilIdle()
  assert.equal(received, [0, 1, 2, 3, 4])
})

test('a paused reader stalls its sender: write() turns false, writableLength grows, drain follows resume', async () => {
  const w = await world({ highWaterMarkBytes: 100, receiveWindowBytes: 200 })
  const { client, server } = await dial(w)
  const received = collect(server)
  server.pause()
  let accepted = true
  let writes = 0
  while (accepted && writes < 100) {
    accepted = client.write(new Uint8Array(50).fill(writes))
    writes++
    await w.time.runUntilIdle()
  }
  assert.not.ok(accepted, 'write() reported backpressure')
  assert.ok(client.writableLength >= 100, `writableLength ${client.writableLength}`)
  assert.is(received.length, 0)
  let drained = false
  client.once('drain', () => (drained = true))
  server.resume()
  await w.time.runUntilIdle()
  assert.ok(drained)
  assert.is(client.writableLength, 0)
  assert.is(received.length, writes * 50)
  assert.equal(
    [...new Set(received)],
    Array.from({ length: writes }, (_, index) => index),
  )
})

test("end() half-closes after queued bytes: the peer reads them, sees 'end', and both sides close", async () => {
  const w = await world()
  const { client, server } = await dial(w)
  const events: string[] = []
  server.on('data', (chunk) => events.push(`server data ${chunk.length}`))
  server.on('end', () => events.push('server end'))
  server.on('close', () => events.push('server close'))
  client.on('end', () => events.push('client end'))
  client.on('close', () => events.push('client close'))
  client.write(new Uint8Array(3))
  client.end()
  assert.not.ok(client.writable)
  await w.time.runUntilIdle()
  assert.equal(events.slice(0, 3), ['server data 3', 'server end', 'client end'])
  assert.equal(events.slice(3).sort(), ['client close', 'server close'])
  assert.is(w.network.socketCount('client') + w.network.socketCount('server'), 0)
})

test('connecting to a port nobody listens on is refused with BROKER_UNAVAILABLE naming it', async () => {
  const w = await world()
  const error = await refusal(
    w.network.transport('client').connect({ host: 'server', port: 1 }, 1000),
    w.time,
  )
  assert.ok(isWeirError(error, 'BROKER_UNAVAILABLE'))
  assert.match((error as Error).message, 'server:1')
  assert.match((error as Error).message, 'refused')
})

test('listening on a taken port is INVALID_CONFIG; port 0 picks a free one', async () => {
  const w = await world()
  const transport = w.network.transport('server')
  const error = await transport.listen({ host: 'server', port: 9092 }, () => {}).catch((caught) => caught)
  assert.ok(isWeirError(error, 'INVALID_CONFIG'))
  const ephemeral = await transport.listen({ host: 'server', port: 0 }, () => {})
  assert.ok(ephemeral.port > 0 && ephemeral.port !== 9092)
})

test('a partition resets sockets between the pair and makes connects time out until healed', async () => {
  const w = await world()
  const { client, server } = await dial(w)
  const { client: bystander } = await dial(w, 'other')
  const errors: string[] = []
  client.on('error', (error) => errors.push(`client ${(error as NodeJS.ErrnoException).code}`))
  server.on('error', (error) => errors.push(`server ${(error as NodeJS.ErrnoException).code}`))
  w.network.partition('client', 'server')
  await w.time.runUntilIdle()
  assert.equal(errors, ['client ECONNRESET', 'server ECONNRESET'])
  assert.ok(bystander.writable, 'a socket of another pair is untouched')
  const startedMs = w.time.elapsedMs
  const error = await refusal(
    w.network.transport('client').connect({ host: 'server', port: w.port }, 700),
    w.time,
  )
  assert.ok(isWeirError(error, 'BROKER_UNAVAILABLE'))
  assert.match((error as Error).message, 'no answer within 700 ms')
  assert.is(w.time.elapsedMs - startedMs, 700)
  w.network.heal('client', 'server')
  await dial(w)
})

test('isolate cuts a host from everyone; heal(host) restores it', async () => {
  const w = await world()
  const { client } = await dial(w, 'a')
  client.on('error', () => {})
  w.network.isolate('server')
  await w.time.runUntilIdle()
  assert.is(w.network.socketCount('server'), 0)
  assert.not.ok(w.network.reachable('b', 'server'))
  w.network.heal('server')
  assert.ok(w.network.reachable('b', 'server'))
})

test('closeHost crashes a host: listeners gone (connects refused), sockets reset, old transports dead', async () => {
  const w = await world()
  const { client } = await dial(w)
  const events: string[] = []
  client.on('error', (error) => events.push((error as NodeJS.ErrnoException).code ?? 'error'))
  client.on('close', () => events.push('close'))
  w.network.closeHost('server')
  await w.time.runUntilIdle()
  assert.equal(events, ['ECONNRESET', 'close'])
  assert.is(w.network.socketCount('server'), 0)
  const error = await refusal(
    w.network.transport('client').connect({ host: 'server', port: w.port }, 1000),
    w.time,
  )
  assert.match((error as Error).message, 'refused')
  const zombie = await w.serverTransport
    .listen({ host: 'server', port: 0 }, () => {})
    .catch((caught) => caught)
  assert.ok(isWeirError(zombie, 'INVALID_CONFIG'), 'the crashed process cannot listen again')
  // The restarted process binds the same port again through a new transport.
  await w.network.transport('server').listen({ host: 'server', port: w.port }, () => {})
})

test('cutConnections resets every socket of a host and keeps its listener', async () => {
  const w = await world()
  const { client } = await dial(w)
  client.on('error', () => {})
  w.network.cutConnections('client')
  await w.time.runUntilIdle()
  assert.not.ok(client.writable)
  await dial(w)
})

test('write fates drop, duplicate and reorder whole writes', async () => {
  const w = await world({ latencyMs: () => 1 })
  const { client, server } = await dial(w)
  const received = collect(server)
  w.network.setWriteFate((_from, _to, bytes) => {
    if (bytes[0] === 1) return { drop: true }
    if (bytes[0] === 2) return { duplicate: true }
    if (bytes[0] === 3) return { extraDelayMs: 10 }
    return undefined
  })
  for (const value of [1, 2, 3, 4]) client.write(Uint8Array.of(value))
  await w.time.runUntilIdle()
  assert.equal(received, [2, 2, 4, 3])
})

test('a frame written one byte per write is read whole by a FrameReader', async () => {
  const w = await world()
  const { client, server } = await dial(w)
  const reader = new FrameReader(1024)
  const correlationIds: number[] = []
  client.on('data', (chunk) => {
    for (const payload of reader.push(chunk)) correlationIds.push(parseResponseFrame(payload).correlationId)
  })
  const frames = Buffer.concat([
    encodeResponseFrame(7, Buffer.from('first')),
    encodeResponseFrame(8, Buffer.from('second')),
  ])
  for (const byte of frames) server.write(Uint8Array.of(byte))
  await w.time.runUntilIdle()
  assert.equal(correlationIds, [7, 8])
})

test("setTimeout emits 'timeout' after idle virtual time, and traffic postpones it", async () => {
  const w = await world()
  const { client, server } = await dial(w)
  const timeoutsAtMs: number[] = []
  client.on('timeout', () => timeoutsAtMs.push(w.time.elapsedMs))
  const startMs = w.time.elapsedMs
  client.setTimeout(100)
  await w.time.advance(60)
  server.write(Uint8Array.of(1))
  await w.time.runUntilIdle()
  assert.equal(timeoutsAtMs, [startMs + 160])
})

/** A seeded scenario with random latency, lost/repeated/late writes and a partition mid-way. */
async function scenario(seed: number): Promise<string[]> {
  const random = seededRandom(seed)
  const time = new SimulatedTime()
  const network = new MemoryNetwork({
    timers: time,
    random,
    latencyMs: () => Math.floor(random() * 5),
  })
  network.setWriteFate(() => {
    const roll = random()
    if (roll < 0.1) return { drop: true }
    if (roll < 0.2) return { duplicate: true }
    if (roll < 0.3) return { extraDelayMs: Math.floor(random() * 20) }
    return undefined
  })
  const log: string[] = []
  const listener = await network.transport('broker').listen({ host: 'broker', port: 0 }, (socket) => {
    socket.on('data', (chunk) => {
      log.push(`${time.elapsedMs} broker <- ${socket.remoteAddress}:${socket.remotePort} ${[...chunk]}`)
      socket.write(chunk)
    })
    socket.on('error', (error) => log.push(`${time.elapsedMs} broker error ${error.message}`))
    socket.on('close', () => log.push(`${time.elapsedMs} broker close`))
  })
  for (const host of ['a', 'b']) {
    void network
      .transport(host)
      .connect({ host: 'broker', port: listener.port }, 100)
      .then(
        (socket) => {
          socket.on('data', (chunk) => log.push(`${time.elapsedMs} ${host} <- ${[...chunk]}`))
          socket.on('error', (error) => log.push(`${time.elapsedMs} ${host} error ${error.message}`))
          for (let index = 0; index < 10; index++) {
            time.setTimeout(() => socket.write(Uint8Array.of(index)), Math.floor(random() * 50))
          }
        },
        (error: Error) => log.push(`${host} ${error.message}`),
      )
  }
  time.setTimeout(() => network.partition('b', 'broker'), 25)
  await time.runUntilIdle()
  return log
}

test('the same seed gives the same event log', async () => {
  const first = await scenario(42)
  assert.ok(first.length > 10, `${first.length} events`)
  assert.equal(await scenario(42), first)
  assert.not.equal(await scenario(43), first)
})

test.run()
