// Proves idempotent produce end to end: a batch resent after its response was lost is stored once and both answers carry the same baseOffset, a sequence gap is OUT_OF_ORDER_SEQUENCE, deduplication survives a broker restart (rebuilt from the log), and the client producer pushed through a proxy that keeps killing connections lands 10,000 messages exactly once, in order.
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import { Client } from '@weir/client'
import {
  ApiKeys,
  decodeBody,
  encodeBody,
  encodeRecordBatch,
  encodeRequestFrame,
  FrameReader,
  InitProducerId,
  Produce,
  type ProduceResponse,
  parseResponseFrame,
  responseHeaderBytes,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { removeDataDirectories, startBroker, take } from './helpers.js'

test.after(() => removeDataDirectories())

/** A bare connection: sends exact frame bytes (the same bytes twice, for a resend) and reads answers in order. */
class RawConnection {
  private readonly reader = new FrameReader(16 << 20, responseHeaderBytes)
  private readonly waiters: Array<(body: unknown) => void> = []

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const payload of this.reader.push(chunk)) {
        const { body } = parseResponseFrame(payload)
        this.waiters.shift()?.(decodeBody(body, 'response'))
      }
    })
  }

  static open(address: string): Promise<RawConnection> {
    const [host, port] = address.split(':')
    return new Promise((resolve, reject) => {
      const socket = connect({ host: host!, port: Number(port) }, () => resolve(new RawConnection(socket)))
      socket.once('error', reject)
    })
  }

  exchange(frame: Buffer): Promise<unknown> {
    return new Promise((resolve) => {
      this.waiters.push(resolve)
      this.socket.write(frame)
    })
  }

  close(): void {
    this.socket.destroy()
  }
}

function produceFrame(topic: string, records: Buffer, correlationId: number): Buffer {
  const body = encodeBody({
    acks: -1,
    timeoutMs: 5000,
    topics: [{ name: topic, partitions: [{ partition: 0, records }] }],
  })
  return encodeRequestFrame({ apiKey: ApiKeys.Produce, apiVersion: 0, correlationId }, body)
}

function partitionResult(body: unknown) {
  return Produce.decodeResponse(body as ProduceResponse).topics[0]!.partitions[0]!
}

function batch(producerId: number, baseSequence: number, values: string[]): Buffer {
  return encodeRecordBatch(
    values.map((value) => ({ value: Buffer.from(value) })),
    { timestamp: Date.now(), producerId, producerEpoch: 0, baseSequence },
  )
}

test('a resent batch is stored once with one baseOffset; a gap is OUT_OF_ORDER_SEQUENCE; a restart keeps deduplicating', async () => {
  let running = await startBroker()
  const client = new Client({ brokers: [running.address] })
  await client.admin().createTopic({ topic: 'payments', partitions: 1 })
  await client.close()
  let raw = await RawConnection.open(running.address)
  const init = InitProducerId.decodeResponse(
    await raw.exchange(
      encodeRequestFrame({ apiKey: ApiKeys.InitProducerId, apiVersion: 0, correlationId: 1 }, encodeBody({})),
    ),
  )
  assert.is(init.errorCode, 0)
  assert.is(init.producerEpoch, 0)
  assert.is(Math.floor(init.producerId / 2 ** 32), running.broker.brokerId)
  const { producerId } = init
  const log = () => running.broker.store.topic('payments').partition(0)

  // Another producer's plain batch first, so offsets and sequences differ.
  const plain = encodeRecordBatch([{ value: Buffer.from('plain') }], { timestamp: Date.now() })
  assert.is(partitionResult(await raw.exchange(produceFrame('payments', plain, 2))).baseOffset, 0)

  const first = produceFrame('payments', batch(producerId, 0, ['a', 'b', 'c']), 3)
  const [once, twice] = await Promise.all([raw.exchange(first), raw.exchange(first)])
  assert.equal(partitionResult(once), partitionResult(twice))
  assert.is(partitionResult(once).errorCode, 0)
  assert.is(partitionResult(once).baseOffset, 1)
  assert.is(log().logEndOffset, 4, 'the resent batch was not appended again')

  const gap = partitionResult(await raw.exchange(produceFrame('payments', batch(producerId, 5, ['x']), 4)))
  assert.is(gap.errorCode, 37)
  assert.match(gap.errorMessage ?? '', /expected 3/)
  assert.is(log().logEndOffset, 4)

  const second = produceFrame('payments', batch(producerId, 3, ['d']), 5)
  assert.is(partitionResult(await raw.exchange(second)).baseOffset, 4)

  raw.close()
  await running.broker.close()
  running = await startBroker(running.dataDir)
  raw = await RawConnection.open(running.address)
  assert.is(partitionResult(await raw.exchange(first)).baseOffset, 1, 'deduplicated after restart')
  assert.is(partitionResult(await raw.exchange(second)).baseOffset, 4)
  assert.is(log().logEndOffset, 5)
  const third = partitionResult(await raw.exchange(produceFrame('payments', batch(producerId, 4, ['e']), 6)))
  assert.equal([third.errorCode, third.baseOffset], [0, 5])
  // A restarted broker never hands out an id again.
  const again = InitProducerId.decodeResponse(
    await raw.exchange(
      encodeRequestFrame({ apiKey: ApiKeys.InitProducerId, apiVersion: 0, correlationId: 7 }, encodeBody({})),
    ),
  )
  assert.ok(again.producerId > producerId)
  raw.close()
  await running.broker.close()
})

/**
 * Forwards 127.0.0.1:port to the broker on 127.0.0.2:port (same port, so the broker's advertised
 * address points here). Every `killEvery`-th response is swallowed and both sockets are destroyed:
 * the broker processed the request but the client never hears of it and must resend.
 */
async function startKillingProxy(brokerPort: number, killEvery: number, killsMax: number) {
  let responses = 0
  let kills = 0
  const sockets = new Set<Socket>()
  const server: Server = createServer((downstream) => {
    const upstream = connect({ host: '127.0.0.2', port: brokerPort })
    sockets.add(downstream)
    sockets.add(upstream)
    const destroy = () => {
      downstream.destroy()
      upstream.destroy()
      sockets.delete(downstream)
      sockets.delete(upstream)
    }
    downstream.on('error', destroy).on('close', destroy)
    upstream.on('error', destroy).on('close', destroy)
    downstream.on('data', (chunk: Buffer) => upstream.write(chunk))
    let pending: Buffer = Buffer.alloc(0)
    upstream.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
        const size = 4 + pending.readUInt32BE(0)
        const frame = pending.subarray(0, size)
        pending = pending.subarray(size)
        responses++
        if (kills < killsMax && responses % killEvery === 0) {
          kills++
          destroy()
          return
        }
        downstream.write(frame)
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: brokerPort }, () => resolve())
  })
  return {
    kills: () => kills,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

test('10,000 messages through a proxy that kills connections land exactly once, in order', async () => {
  const running = await startBrokerBehindProxy()
  const proxy = await startKillingProxy(running.broker.address.port, 5, 60)
  const client = new Client({
    brokers: [`127.0.0.1:${running.broker.address.port}`],
    reconnectBackoffMs: 5,
    maxReconnectBackoffMs: 50,
    requestTimeoutMs: 2000,
  })
  try {
    await client.admin().createTopic({ topic: 'ledger', partitions: 4 })
    const producer = client.producer({
      lingerMs: 1,
      maxBatchRecords: 20,
      retries: 10_000,
      retryBackoffMs: 5,
      maxRetryBackoffMs: 50,
    })
    const total = 10_000
    const sends = []
    for (let index = 0; index < total; index++) {
      sends.push(producer.send({ topic: 'ledger', key: `account-${index % 16}`, value: index }))
      if (index % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    }
    const acknowledged = await Promise.all(sends)
    await producer.close()
    assert.ok(proxy.kills() > 5, `the proxy killed only ${proxy.kills()} connections`)
    const consumer = client.consumer({ topics: ['ledger'], fromBeginning: true })
    const messages = await take(consumer, total, 20_000)
    await consumer.close()
    let stored = 0
    for (let partition = 0; partition < 4; partition++) {
      stored += running.broker.store.topic('ledger').partition(partition).logEndOffset
    }
    assert.is(stored, total, 'no message was written twice')
    const values = messages.map((message) => message.value as number)
    assert.is(new Set(values).size, total)
    const lastByKey = new Map<string, number>()
    for (const message of messages) {
      const previous = lastByKey.get(message.key as string) ?? -1
      assert.ok((message.value as number) > previous, `key ${message.key} out of order`)
      lastByKey.set(message.key as string, message.value as number)
    }
    const byPosition = new Map(
      messages.map((message) => [`${message.partition}:${message.offset}`, message.value]),
    )
    for (const [index, metadata] of acknowledged.entries()) {
      const value = byPosition.get(`${metadata.partition}:${metadata.offset}`)
      assert.is(value, index, `send ${index} acknowledged at an offset holding another record`)
    }
  } finally {
    await client.close()
    await proxy.close()
    await running.broker.close()
    rmSync(running.dataDir, { recursive: true, force: true })
  }
})

/** A broker on 127.0.0.2 that advertises 127.0.0.1, where the proxy listens on the same port. */
async function startBrokerBehindProxy() {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-idempotent-'))
  const broker = await Broker.start({
    dataDir,
    listen: '127.0.0.2:0',
    advertisedHost: '127.0.0.1',
    logLevel: 'silent',
  })
  return { broker, dataDir }
}

test.run()
