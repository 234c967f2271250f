// Proves the broker survives mutated requests over TCP: at least 10^5 frames (WEIR_FUZZ_FRAMES; 10^6 in `pnpm fuzz`) sent to a `weir broker` child process, which afterwards still serves a healthy client, has every acknowledged record intact, and never answered UNKNOWN_SERVER_ERROR (an untyped exception).
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, codecs, defineTopic } from '@weir/client'
import { ApiKeys } from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, spawnCli } from '../cli/cli-support.js'
import { take } from '../client/helpers.js'
import { type CorpusRequest, captureCorpus } from './corpus.js'
import { fieldVariants } from './mutations.js'
import { type FuzzStats, fuzzRequestPath } from './request-path.js'

const frames = Number(process.env.WEIR_FUZZ_FRAMES ?? 100_000)
const seed = Number(process.env.WEIR_FUZZ_SEED ?? 12)
/** The peer APIs too: the client listener refuses them, so mutations of them must change nothing. */
const peerApis = process.env.WEIR_FUZZ_PEER_APIS !== '0'

let dataDir: string
let broker: { child: ChildProcess; bootstrap: string }
let corpus: readonly CorpusRequest[]

test.before(async () => {
  const captured = await captureCorpus()
  corpus = captured.requests.filter(
    (request) =>
      peerApis || (request.apiKey !== ApiKeys.RaftMessages && request.apiKey !== ApiKeys.ControllerPropose),
  )
  dataDir = mkdtempSync(join(tmpdir(), 'weir-fuzz-'))
  broker = await startQuietBroker(dataDir)
})

/**
 * A `weir broker` child at log level error: every malformed frame logs a warning, and 10^5 of
 * them through a pipe would measure logging, not the request path. Without the "listening" line
 * the port is chosen here and the broker is ready once it accepts a connection.
 */
async function startQuietBroker(directory: string): Promise<{ child: ChildProcess; bootstrap: string }> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
  const bootstrap = `127.0.0.1:${port}`
  const child = spawnCli(['broker', '--listen', bootstrap, '--data-dir', directory, '--log-level', 'error'])
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  await eventually(
    () => `the broker to accept connections on ${bootstrap} (output: ${output})`,
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1')
        socket.once('connect', () => resolve(socket.destroy() !== undefined))
        socket.once('error', () => resolve(false))
      }),
    { timeoutMs: 15_000, intervalMs: 50 },
  )
  brokerOutput = () => output
  return { child, bootstrap }
}

let brokerOutput = () => ''

test.after(() => {
  killChildren()
  rmSync(dataDir, { recursive: true, force: true })
})

const topic = defineTopic<string>({ name: 'acked', codec: codecs.string })

async function produce(client: Client, from: number, count: number): Promise<void> {
  const producer = client.producer({ acks: 'all' })
  await producer.sendMany(
    Array.from({ length: count }, (_, index) => ({
      topic,
      key: `k${(from + index) % 7}`,
      value: `acked ${from + index}`,
    })),
  )
  await producer.close()
}

function progress(stats: FuzzStats): void {
  if (frames < 200_000 || stats.rounds % 200 !== 0) return
  process.stdout.write(
    `  fuzz: ${stats.confirmed.toLocaleString('en')} of ${frames.toLocaleString('en')} frames read by the broker (${stats.sent.toLocaleString('en')} sent), ${stats.answered.toLocaleString('en')} answers, ${stats.closedByBroker} connections closed by the broker, ${stats.held} held\n`,
  )
}

test(`${frames.toLocaleString('en')} mutated frames, then a healthy client reads every acknowledged record`, async () => {
  const before = new Client({ brokers: [broker.bootstrap], clientId: 'fuzz-before' })
  await before.admin().createTopic({ topic: 'acked', partitions: 3 })
  await produce(before, 0, 300)
  await before.close()

  const started = Date.now()
  const port = Number(broker.bootstrap.split(':')[1])
  // Every field of every request replaced by each hostile value once, then random mutations.
  const variants = fieldVariants(corpus)
  const systematic = await fuzzRequestPath({
    host: '127.0.0.1',
    port,
    corpus: variants,
    frames: 0,
    seed,
    eachOnce: true,
  })
  console.log(`  fuzz: ${systematic.confirmed} of ${variants.length} field variants certainly read`)
  assert.equal(
    Object.fromEntries(systematic.unknownServerErrors),
    {},
    `UNKNOWN_SERVER_ERROR answers to field variants; the broker's log: ${brokerOutput().slice(0, 4000)}`,
  )
  const stats = await fuzzRequestPath({
    host: '127.0.0.1',
    port: Number(broker.bootstrap.split(':')[1]),
    corpus,
    frames,
    seed,
    onProgress: progress,
  })
  const seconds = (Date.now() - started) / 1000
  console.log(
    `  fuzz: ${stats.sent} frames sent, ${stats.confirmed} certainly read, in ${seconds.toFixed(1)} s (${Math.round(stats.confirmed / seconds)}/s), ${stats.rounds} rounds, ${stats.answered} answers, ${stats.closedByBroker} closed by the broker, ${stats.held} held, ${stats.connectFailures} refused`,
  )
  assert.ok(
    stats.confirmed >= frames,
    `only ${stats.confirmed} of ${frames} frames certainly reached the broker`,
  )
  assert.is(broker.child.exitCode, null, `the broker process exited: ${brokerOutput()}`)
  assert.equal(
    Object.fromEntries(stats.unknownServerErrors),
    {},
    `UNKNOWN_SERVER_ERROR answers (untyped exceptions in the broker); its log: ${brokerOutput().slice(0, 4000)}`,
  )

  const after = new Client({ brokers: [broker.bootstrap], clientId: 'fuzz-after' })
  try {
    await produce(after, 300, 20)
    const consumer = after.consumer({ topics: [topic], fromBeginning: true })
    const messages = await take(consumer, 320, 20_000)
    await consumer.close()
    const values = messages.map((message) => message.value).sort()
    const expected = Array.from({ length: 320 }, (_, index) => `acked ${index}`).sort()
    assert.equal(values, expected)
  } finally {
    await after.close()
  }
})

test.run()
