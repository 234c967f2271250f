// Proves partitioner 'kafka-murmur2' does what it is for: Weir's client and a Kafka client writing the same keys into one topic over the two listeners put each key on the same partition. The Kafka client is kcat with librdkafka's Java-compatible murmur2 (an implementation no one here wrote), on --kafka-listen of a real `weir broker`; Weir's default murmur3 puts some of the same keys elsewhere, so the check can tell the two apart.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, codecs, kafkaMurmur2Partition } from '@weir/client'
import { partitionForKey } from '@weir/protocol'
import { eventually, withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, startBrokerChild } from '../cli/cli-support.js'
import { kcatAvailable, kcatPath } from './kafka-support.js'

/** kcat as CI installs it (apt package `kcat`). */
const partitions = 12
const keys = Array.from({ length: 200 }, (_, index) => `user-${index}`)

let dataDir = ''
let kafka = ''
let client: Client

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** `kcat -P` of `lines` on stdin; rejects with kcat's stderr when it fails. */
function kcatProduce(args: readonly string[], lines: string): Promise<void> {
  const child = spawn(kcatPath, ['-b', kafka, '-P', ...args], { stdio: ['pipe', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`kcat exited ${code}: ${stderr}`)),
    )
  })
  child.stdin.end(lines)
  return withTimeout(exited, 60_000, 'kcat -P to finish')
}

const kcatInstalled = kcatAvailable
if (!kcatInstalled)
  console.log(`kafka-murmur2-placement.test.ts: skipped, ${kcatPath} is missing (apt-get install -y kcat)`)

test.before(async () => {
  if (!kcatInstalled) return
  dataDir = await mkdtemp(join(tmpdir(), 'weir-kafka-murmur2-'))
  const kafkaPort = await freePort()
  const { bootstrap } = await startBrokerChild(dataDir, ['--kafka-listen', `127.0.0.1:${kafkaPort}`])
  kafka = `127.0.0.1:${kafkaPort}`
  await eventually('the Kafka listener to accept', () => accepts(kafkaPort), {
    timeoutMs: 30_000,
    intervalMs: 50,
  })
  client = new Client({ brokers: [bootstrap], clientId: 'kafka-murmur2-placement' })
  await client.admin().createTopic({ topic: 'mixed', partitions })
})

test.after(async () => {
  await client?.close()
  killChildren()
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true })
})

;(kcatInstalled ? test : test.skip)(
  "kcat's murmur2_random and Weir's 'kafka-murmur2' put every key on the same partition; murmur3 does not",
  async () => {
    await kcatProduce(
      ['-t', 'mixed', '-K', ':', '-X', 'partitioner=murmur2_random'],
      `${keys.map((key) => `${key}:kcat`).join('\n')}\n`,
    )
    const kafkaPlaced = client.producer({ partitioner: 'kafka-murmur2' })
    const weirDefault = client.producer()
    const topic = { name: 'mixed', codec: codecs.string }
    await Promise.all([
      ...keys.map((key) => kafkaPlaced.send({ topic, key, value: 'kafka-murmur2' })),
      ...keys.map((key) => weirDefault.send({ topic, key, value: 'murmur3' })),
    ])
    await Promise.all([kafkaPlaced.close(), weirDefault.close()])

    const placed = new Map<string, number>()
    const consumer = client.consumer({ topics: [topic], fromBeginning: true })
    for await (const message of consumer) {
      placed.set(`${message.key}/${message.value}`, message.partition)
      if (placed.size === keys.length * 3) break
    }
    await consumer.close()

    let murmur3Elsewhere = 0
    for (const key of keys) {
      const kcat = placed.get(`${key}/kcat`)
      assert.is(kcat, kafkaMurmur2Partition(Buffer.from(key), partitions), `kcat's partition of ${key}`)
      assert.is(placed.get(`${key}/kafka-murmur2`), kcat, `Weir's kafka-murmur2 partition of ${key}`)
      assert.is(
        placed.get(`${key}/murmur3`),
        partitionForKey(key, partitions),
        `Weir's murmur3 partition of ${key}`,
      )
      if (placed.get(`${key}/murmur3`) !== kcat) murmur3Elsewhere++
    }
    // With 12 partitions the two hashes agree on about one key in 12.
    assert.ok(murmur3Elsewhere > keys.length / 2, `murmur3 differed for only ${murmur3Elsewhere} keys`)
  },
)

test.run()
