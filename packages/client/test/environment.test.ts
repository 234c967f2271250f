// Proves the client takes time, timers, randomness and connections only from its Environment: a producer with a one-minute linger completes against a fake broker on the in-memory network under virtual time, stamps records with the virtual clock, and a seed replays its partition choices.
import {
  ApiKeys,
  decodeBody,
  decodeRecordBatch,
  type Environment,
  encodeBody,
  encodeResponseFrame,
  FrameReader,
  MemoryNetwork,
  Produce,
  parseRequestFrame,
  SimulatedTime,
  type TransportSocket,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Client } from '../src/index.js'

const topic = 'events'
const partitionCount = 8

interface Produced {
  readonly partition: number
  readonly timestamp: number
}

/** mulberry32: a tiny seeded PRNG, so a seed replays a run exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** A broker stand-in on host 'broker': metadata for one topic, producer ids, and Produce acks. */
async function fakeBroker(network: MemoryNetwork, produced: Produced[]): Promise<void> {
  const answer = (socket: TransportSocket, payload: Buffer) => {
    const { header, body } = parseRequestFrame(payload)
    const reply = (response: unknown) =>
      socket.write(encodeResponseFrame(header.correlationId, encodeBody(response)))
    if (header.apiKey === ApiKeys.ApiVersions) {
      // A first-release broker: version 0 of everything, so the client sends v0 bodies.
      reply({ brokerId: 1, apis: [] })
    } else if (header.apiKey === ApiKeys.Metadata) {
      reply({
        brokers: [{ id: 0, host: 'broker', port: 9092 }],
        controllerId: 0,
        topics: [
          {
            name: topic,
            errorCode: 0,
            config: {},
            partitions: Array.from({ length: partitionCount }, (_, partition) => ({
              partition,
              errorCode: 0,
              leader: 0,
              replicas: [0],
              logStartOffset: 0,
              highWatermark: 0,
            })),
          },
        ],
      })
    } else if (header.apiKey === ApiKeys.InitProducerId) {
      reply({ producerId: 7, producerEpoch: 0 })
    } else if (header.apiKey === ApiKeys.Produce) {
      const request = Produce.decodeRequest(decodeBody(body, 'Produce'))
      const partitions = request.topics[0]!.partitions.map(({ partition, records }) => {
        for (const record of decodeRecordBatch(records).records)
          produced.push({ partition, timestamp: record.timestamp })
        return { partition, errorCode: 0, baseOffset: 0, logStartOffset: 0 }
      })
      reply({ topics: [{ name: topic, partitions }] })
    }
  }
  await network.transport('broker').listen({ host: 'broker', port: 9092 }, (socket) => {
    const reader = new FrameReader(1 << 20)
    socket.on('data', (chunk) => {
      for (const payload of reader.push(chunk)) answer(socket, payload)
    })
  })
}

async function run(seed: number): Promise<{ produced: Produced[]; time: SimulatedTime }> {
  const time = new SimulatedTime()
  const random = seededRandom(seed)
  const network = new MemoryNetwork({ timers: time, random, latencyMs: () => 2 })
  const produced: Produced[] = []
  await fakeBroker(network, produced)
  const environment: Environment = { clock: time, timers: time, random, transport: network.transport('app') }
  const client = new Client({ brokers: ['broker:9092'], environment })
  const producer = client.producer({ lingerMs: 60_000 })
  let acknowledged = 0
  for (let index = 0; index < 3; index++) {
    void producer.send({ topic, value: `record ${index}` }).then(() => acknowledged++)
  }
  const done = await time.runUntil(() => acknowledged === 3, { tasksMax: 10_000 })
  assert.ok(done, `${acknowledged} of 3 sends acknowledged before the client went idle`)
  const closing = client.close()
  await time.runUntilIdle({ tasksMax: 10_000 })
  await closing
  return { produced, time }
}

test('a producer lingering a minute completes on virtual time, stamped by the virtual clock', async () => {
  const { produced, time } = await run(1)
  assert.is(produced.length, 3)
  // The batch waited out its linger on the simulated timers, not on Node's.
  assert.ok(time.elapsedMs >= 60_000, `${time.elapsedMs} virtual ms`)
  const startMs = time.now() - time.elapsedMs
  for (const { timestamp } of produced) assert.ok(timestamp >= startMs && timestamp <= time.now())
})

test("the same seed picks the same partitions (the sticky partitioner uses the environment's random)", async () => {
  const partitionsOf = async (seed: number) => (await run(seed)).produced.map((record) => record.partition)
  assert.equal(await partitionsOf(5), await partitionsOf(5))
})

test.run()
