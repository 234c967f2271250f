// The memory and connection attacks of issue 12, replayed against a real broker child process
// (the `weir` CLI of this checkout, default limits): broker RSS before, at its peak during and
// after each attack (goal: under 1 GiB throughout), and a healthy client's p99 produce latency
// with and without 3,000 slowloris sockets open (goal: within 2x). Not part of `pnpm test`.
//
//   pnpm --filter @weir/bench attacks            (after `pnpm build`)
//   pnpm --filter @weir/bench attacks -- --only slowloris,fetch
//   pnpm --filter @weir/bench attacks -- --only slowloris --burst   (every slowloris byte in one tick)
//
// Needs Linux (/proc for RSS, 127.0.0.2-4 as extra loopback source addresses) and about 7,000
// file descriptors across the two processes: raise `ulimit -n` to 8192 or more if it is lower.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Acks, CreateTopics, encodeBody, encodeRecordBatch, Fetch, Produce } from '@weir/protocol'
import { type BrokerProcess, rssBytes, sampleRss, startBrokerProcess } from './broker-process.js'
import { type Endpoint, parseEndpoint, RawConnection } from './raw-connection.js'
import { startCrowd } from './slowloris-crowd.js'

const mebibyte = 1024 * 1024
const mib = (bytes: number) => (bytes / mebibyte).toFixed(0)
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Row {
  readonly attack: string
  readonly rssBeforeMiB: string
  readonly rssPeakMiB: string
  readonly rssAfterMiB: string
  readonly outcome: string
}

/** Runs `attack` on a fresh broker, sampling its RSS, then reports before/peak/after. */
async function measured(
  name: string,
  attack: (broker: BrokerProcess, endpoint: Endpoint) => Promise<string>,
): Promise<Row> {
  const broker = await startBrokerProcess()
  try {
    const endpoint = parseEndpoint(broker.address)
    const before = await rssBytes(broker.pid)
    const sampler = sampleRss(broker.pid)
    const outcome = await attack(broker, endpoint)
    const peak = await sampler.stop()
    await pause(1000)
    const after = await rssBytes(broker.pid)
    return {
      attack: name,
      rssBeforeMiB: mib(before),
      rssPeakMiB: mib(peak),
      rssAfterMiB: mib(after),
      outcome,
    }
  } finally {
    await broker.stop()
  }
}

async function createTopicWithData(endpoint: Endpoint, topic: string, totalBytes: number): Promise<void> {
  const connection = await RawConnection.open(endpoint)
  const created = await connection.call(CreateTopics, {
    topics: [{ name: topic, partitions: 1, replicationFactor: 1, config: {} }],
  })
  if (created.topics[0]!.errorCode !== 0)
    throw new Error(`create ${topic}: ${created.topics[0]!.errorMessage}`)
  const value = Buffer.alloc(512 * 1024, 1)
  for (let written = 0; written < totalBytes; written += value.length) {
    const records = encodeRecordBatch([{ key: null, value }], { timestamp: Date.now() })
    const response = await connection.call(Produce, {
      acks: Acks.all,
      timeoutMs: 10_000,
      topics: [{ name: topic, partitions: [{ partition: 0, records }] }],
    })
    const result = response.topics[0]!.partitions[0]!
    if (result.errorCode !== 0) throw new Error(`produce ${topic}: ${result.errorMessage}`)
  }
  await connection.destroy()
}

/** One Fetch naming the same partition 100 times, maxBytes 2^31-1 (the 839 MB response). */
async function fetchAmplification(_broker: BrokerProcess, endpoint: Endpoint): Promise<string> {
  await createTopicWithData(endpoint, 'amplified', 8 * mebibyte)
  const connection = await RawConnection.open(endpoint)
  const partition = { partition: 0, fetchOffset: 0, maxBytes: 2 ** 31 - 1 }
  const request = {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 2 ** 31 - 1,
    topics: [{ name: 'amplified', partitions: Array.from({ length: 100 }, () => partition) }],
  }
  const duplicate = await connection.send(Fetch.apiKey, encodeBody(request))
  const single = await connection.call(Fetch, {
    ...request,
    topics: [{ name: 'amplified', partitions: [partition] }],
  })
  await connection.destroy()
  const bytes = single.topics[0]!.partitions[0]!.records.length
  return `100x the same partition: errorCode ${String(duplicate.errorCode)}; once: ${mib(bytes)} MiB of records`
}

/** 60 connections each sending 15 MiB of a frame and never the last byte. */
async function partialFrames(_broker: BrokerProcess, endpoint: Endpoint): Promise<string> {
  const chunk = Buffer.alloc(mebibyte)
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32BE(15 * mebibyte)
  const connections = await Promise.all(Array.from({ length: 60 }, () => RawConnection.open(endpoint)))
  for (const connection of connections) {
    connection.writeRaw(prefix)
    // The same megabyte written 15 times: the benchmark's own memory stays small.
    for (let index = 0; index < 14; index++) connection.writeRaw(chunk)
    connection.writeRaw(chunk.subarray(0, mebibyte - 1))
  }
  await pause(5000)
  const healthy = await RawConnection.open(endpoint, '127.0.0.5')
  const started = performance.now()
  const answer = await Promise.race([
    healthy.call(Fetch, { maxWaitMs: 0, minBytes: 0, maxBytes: 1, topics: [] }).then(() => 'answered'),
    pause(40_000).then(() => 'no answer in 40 s'),
  ])
  const waitedMs = performance.now() - started
  const closedByBroker = connections.filter((connection) => connection.socket.destroyed).length
  await Promise.all([...connections, healthy].map((connection) => connection.destroy()))
  return `a new client ${answer} after ${waitedMs.toFixed(0)} ms; ${closedByBroker} of 60 closed by the broker by then`
}

/** One connection that does not read for 65 s, with 1,024 Fetches of 8 MiB each in flight. */
async function nonReader(_broker: BrokerProcess, endpoint: Endpoint): Promise<string> {
  await createTopicWithData(endpoint, 'unread', 8 * mebibyte)
  const connection = await RawConnection.open(endpoint)
  connection.socket.pause()
  const partition = { partition: 0, fetchOffset: 0, maxBytes: 8 * mebibyte }
  for (let index = 0; index < 1024; index++)
    void connection.call(Fetch, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 8 * mebibyte,
      topics: [{ name: 'unread', partitions: [partition] }],
    })
  // Past writeStallTimeoutMs (60 s by default) above the write-buffer mark, the broker hangs up.
  await pause(65_000)
  // A paused socket notices a close only once it reads again.
  connection.socket.resume()
  const closed = await Promise.race([connection.closed.then(() => true), pause(10_000).then(() => false)])
  await connection.destroy()
  return closed ? 'the broker closed the non-reading client within 65 s' : 'still open after 75 s'
}

/** 1,000 idle sockets from one address (and 200 more, refused): does a real client get in, and when do they go? */
async function idleLockout(_broker: BrokerProcess, endpoint: Endpoint): Promise<string> {
  const started = performance.now()
  const idle = await Promise.all(
    Array.from({ length: 1200 }, () => RawConnection.open(endpoint, '127.0.0.2')),
  )
  const real = await RawConnection.open(endpoint)
  await real.call(Fetch, { maxWaitMs: 0, minBytes: 0, maxBytes: 1, topics: [] })
  const realMs = performance.now() - started
  await Promise.race([Promise.all(idle.map((connection) => connection.closed)), pause(60_000)])
  const allClosedMs = performance.now() - started
  const open = idle.filter((connection) => !connection.socket.destroyed).length
  await Promise.all([...idle, real].map((connection) => connection.destroy()))
  return `real client served after ${realMs.toFixed(0)} ms; all idle sockets closed after ${(allClosedMs / 1000).toFixed(1)} s (${open} still open)`
}

/** 100,000 frames with an unknown API key: bytes the broker logs for them. */
async function badFrames(broker: BrokerProcess, endpoint: Endpoint): Promise<string> {
  const connection = await RawConnection.open(endpoint)
  const before = broker.logBytes()
  for (let round = 0; round < 100; round++)
    await Promise.all(Array.from({ length: 1000 }, () => connection.send(999, encodeBody({}))))
  await pause(500)
  await connection.destroy()
  return `${broker.logBytes() - before} bytes of log for 100,000 bad frames`
}

async function produceLatenciesMs(endpoint: Endpoint, topic: string, seconds: number): Promise<number[]> {
  const connection = await RawConnection.open(endpoint)
  const latencies: number[] = []
  const value = Buffer.alloc(100, 2)
  const end = performance.now() + seconds * 1000
  while (performance.now() < end) {
    const records = encodeRecordBatch([{ key: null, value }], { timestamp: Date.now() })
    const started = performance.now()
    await connection.call(Produce, {
      acks: Acks.all,
      timeoutMs: 10_000,
      topics: [{ name: topic, partitions: [{ partition: 0, records }] }],
    })
    latencies.push(performance.now() - started)
  }
  await connection.destroy()
  return latencies
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((left, right) => left - right)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

async function slowloris(_broker: BrokerProcess, endpoint: Endpoint): Promise<string> {
  await createTopicWithData(endpoint, 'latency', 0)
  await produceLatenciesMs(endpoint, 'latency', 2) // warm-up
  const baseline = await produceLatenciesMs(endpoint, 'latency', 8)
  // The crowd runs in its own process: its reconnects must not share the measured client's event loop.
  const crowd = await startCrowd(endpoint, 3000, process.argv.includes('--burst'))
  const openAtStart = await crowd.openCount()
  const attacked = await produceLatenciesMs(endpoint, 'latency', 8)
  const openAtEnd = await crowd.openCount()
  await crowd.stop()
  const [p99Before, p99During] = [percentile(baseline, 99), percentile(attacked, 99)]
  return (
    `p99 produce ${p99Before.toFixed(2)} ms alone (${baseline.length} sends), ` +
    `${p99During.toFixed(2)} ms with ${openAtStart}-${openAtEnd} slowloris sockets open${process.argv.includes('--burst') ? ' (bytes in one burst a second)' : ''} (${attacked.length} sends): ` +
    `${(p99During / p99Before).toFixed(2)}x`
  )
}

const attacks: Record<string, (broker: BrokerProcess, endpoint: Endpoint) => Promise<string>> = {
  fetch: fetchAmplification,
  partial: partialFrames,
  'non-reader': nonReader,
  idle: idleLockout,
  'bad-frames': badFrames,
  slowloris,
}

const onlyIndex = process.argv.indexOf('--only')
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1]!.split(',') : Object.keys(attacks)
const rows: Row[] = []
for (const name of only) {
  const attack = attacks[name]
  if (attack === undefined)
    throw new Error(`unknown attack ${name}; known: ${Object.keys(attacks).join(', ')}`)
  process.stderr.write(`running ${name}...\n`)
  const row = await measured(name, attack)
  rows.push(row)
  process.stderr.write(`${JSON.stringify(row)}\n`)
}
const table = [
  '| attack | RSS before (MiB) | RSS peak (MiB) | RSS after (MiB) | outcome |',
  '| --- | --- | --- | --- | --- |',
  ...rows.map(
    (row) =>
      `| ${row.attack} | ${row.rssBeforeMiB} | ${row.rssPeakMiB} | ${row.rssAfterMiB} | ${row.outcome} |`,
  ),
].join('\n')
console.log(table)
// Written beside the other benchmarks' results, one file per day, JSON and Markdown.
const results = fileURLToPath(new URL('../../results/', import.meta.url))
const stem = join(results, `${new Date().toISOString().slice(0, 10)}-attacks`)
await writeFile(`${stem}.json`, `${JSON.stringify({ limits: 'defaults', rows }, null, 2)}\n`)
await writeFile(`${stem}.md`, `${table}\n`)
console.log(`written to ${stem}.json and .md`)
