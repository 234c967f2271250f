// Proves the membership scenario with real processes while an idempotent acks=all producer
// keeps writing: a fourth broker joins (`weir cluster add-broker`), `weir cluster rebalance` moves
// a live RF 3 topic onto it (it then holds replicas and leads some partitions), and
// `weir cluster remove-broker 1` moves everything off broker 1 and removes it (it holds nothing and
// is gone from Metadata). Every acknowledged record is read back exactly once. Prints the
// reassignment rate (payload bytes copied to new replicas per second of rebalance) and the longest
// gap between acknowledgements.
import { Client, codecs, defineTopic } from '@weir/client'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { run } from '../cli/cli-support.js'
import { startCluster, type TestCluster, waitFor } from './cluster-support.js'

const topic = defineTopic<string>({ name: 'ledger', codec: codecs.string })
const partitionCount = 6
/** Records written before the broker joins, so a move copies real data. */
const prefillRecords = 24_000
const valueBytes = 1024
let cluster: TestCluster
/** WEIR_TEST_STAGES=1 prints when each step starts, to line up with the brokers' logs. */
const stage = (what: string) => process.env.WEIR_TEST_STAGES && console.log(new Date().toISOString(), what)

test.before(async () => {
  cluster = await startCluster(3, undefined, 'secret', { spareBrokers: 1 })
})

test.after(async () => {
  if (process.env.WEIR_TEST_STAGES)
    for (const b of cluster.brokers)
      (await import('node:fs')).writeFileSync(`/tmp/members/gs-${b.id}.log`, b.output)
  await cluster?.close()
})

const address = (id: number) => `127.0.0.1:${cluster.brokers[id - 1]!.port}`
const padding = 'x'.repeat(valueBytes - 16)

/** Writes unique values one small window at a time until stopped; remembers what was acknowledged. */
function startWriter(client: Client) {
  const producer = client.producer({ acks: 'all', idempotent: true, lingerMs: 2 })
  const acked = new Set<string>()
  let failed = 0
  let stop = false
  let lastAckMs = Date.now()
  let longestGapMs = 0
  let longestGapEndMs = 0
  const running = (async () => {
    for (let next = 0; !stop; ) {
      const window = Array.from({ length: 20 }, () => `live-${next++}`)
      await Promise.all(
        window.map((value) =>
          producer.send({ topic, value }).then(
            () => {
              const now = Date.now()
              if (now - lastAckMs > longestGapMs) {
                longestGapMs = now - lastAckMs
                longestGapEndMs = now
              }
              lastAckMs = now
              acked.add(value)
            },
            () => failed++,
          ),
        ),
      )
    }
    await producer.close()
  })()
  return {
    acked,
    stats: () => ({ failed, longestGapMs, longestGapEnd: new Date(longestGapEndMs).toISOString() }),
    async stop() {
      stop = true
      await running
    },
  }
}

async function describe(client: Client) {
  return (await client.admin().describeTopic(topic.name)).partitions
}

async function brokersSeenBy(id: number): Promise<number[]> {
  const client = new Client({ brokers: [address(id)], clientId: 'grow-shrink-view' })
  try {
    return (await client.admin().describeCluster()).brokers.map((broker) => broker.id)
  } finally {
    await client.close()
  }
}

test('add-broker, rebalance and remove-broker move a live RF 3 topic while acks continue', async () => {
  const client = new Client({
    brokers: cluster.bootstrap.slice(1),
    clientId: 'grow-shrink',
    maxMetadataAgeMs: 1000,
  })
  const writer = { current: undefined as ReturnType<typeof startWriter> | undefined }
  try {
    await waitFor('topic created', 20_000, async () => {
      await client
        .admin()
        .createTopic({ topic: topic.name, partitions: partitionCount, replicationFactor: 3 })
      return true
    })
    const filler = client.producer({ acks: 'all', idempotent: true })
    const prefill = Array.from({ length: prefillRecords }, (_, index) => ({
      value: `fill-${index}-${padding}`,
      partition: index % partitionCount,
    }))
    await filler.sendBatch({ topic, messages: prefill })
    await filler.close()
    stage('prefilled; the writer starts')
    writer.current = startWriter(client)

    await cluster.startSpare(4)
    const fourth = cluster.brokers[3]!
    const added = await run([
      'cluster',
      'add-broker',
      '4',
      '--address',
      `127.0.0.1:${fourth.port}/${fourth.peerPort}`,
      '--bootstrap',
      address(2),
    ])
    stage('broker 4 added')
    assert.is(added.code, 0, `${added.stderr}\n${cluster.logs()}`)

    const before = await describe(client)
    const rebalanceStartMs = Date.now()
    const rebalanced = await run(['cluster', 'rebalance', '--bootstrap', address(2)])
    stage(rebalanced.stdout)
    stage('rebalanced')
    const rebalanceMs = Date.now() - rebalanceStartMs
    assert.is(rebalanced.code, 0, `${rebalanced.stdout}\n${rebalanced.stderr}\n${cluster.logs()}`)
    const after = await describe(client)
    const onFour = after.filter((partition) => partition.replicas.includes(4))
    assert.ok(onFour.length >= 4, `broker 4 holds ${onFour.length} of ${partitionCount} replicas`)
    // Payload copied: each replica added to a partition copied that partition's records.
    let copiedBytes = 0
    for (const partition of after) {
      const was = before.find((item) => item.partition === partition.partition)!
      const added = partition.replicas.filter((id) => !was.replicas.includes(id)).length
      copiedBytes += added * (partition.highWatermark - partition.logStartOffset) * valueBytes
    }
    stage('waiting for broker 4 to lead')
    // Leaders follow the first replicas through the preferred-leader handback (every 5 s, once the
    // preferred replica holds the whole log): idle partitions (__consumer_offsets) hand over at once.
    await waitFor('broker 4 leads some partitions', 60_000, async () => {
      for (const name of [topic.name, '__consumer_offsets']) {
        const { partitions } = await client.admin().describeTopic(name)
        if (partitions.some((partition) => partition.leader === 4)) return true
      }
      return undefined
    })

    stage('removing broker 1')
    const removed = await run(['cluster', 'remove-broker', '1', '--bootstrap', address(2)])
    assert.is(removed.code, 0, `${removed.stdout}\n${removed.stderr}\n${cluster.logs()}`)
    for (const partition of await describe(client)) assert.not.ok(partition.replicas.includes(1))
    for (const id of [2, 3, 4])
      await waitFor(`broker ${id} forgets broker 1`, 20_000, async () =>
        (await brokersSeenBy(id)).join() === '2,3,4' ? true : undefined,
      )
    stage('broker 1 removed; stopping it')
    await cluster.kill(1)
    // Writes go on without broker 1.
    const ackedBeforeStop = writer.current.acked.size
    await waitFor('acks after broker 1 stopped', 20_000, async () =>
      writer.current!.acked.size > ackedBeforeStop + 50 ? true : undefined,
    )
    stage('stopping the writer')
    await writer.current.stop()
    const { failed, longestGapMs, longestGapEnd } = writer.current.stats()
    stage(`longest gap ${longestGapMs} ms ending ${longestGapEnd}`)

    const reader = new Client({ brokers: [address(2), address(3)], clientId: 'grow-shrink-read' })
    try {
      const total = (await describe(reader)).reduce((sum, partition) => sum + partition.highWatermark, 0)
      const seen = new Map<string, number>()
      const consumer = reader.consumer({ topics: [topic], fromBeginning: true })
      let read = 0
      const reading = (async () => {
        for await (const message of consumer) {
          read++
          if (message.value.startsWith('live-')) seen.set(message.value, (seen.get(message.value) ?? 0) + 1)
          // Offsets count control batches too: stop once every acked value is in.
          if ([...writer.current!.acked].every((value) => seen.has(value))) return
        }
      })()
      await waitFor('every acknowledged value read', 60_000, async () =>
        [...writer.current!.acked].every((value) => seen.has(value)) ? true : undefined,
      )
        .catch((error: Error) => {
          const missing = [...writer.current!.acked].filter((value) => !seen.has(value))
          throw new Error(
            `${error.message}: ${missing.length} acknowledged values missing (${missing.slice(0, 5).join(', ')}), read ${read}\n${cluster.logs()}`,
          )
        })
        .finally(() => consumer.close())
      await reading
      const lost = [...writer.current.acked].filter((value) => !seen.has(value))
      const duplicated = [...seen].filter(([, count]) => count > 1)
      assert.is(lost.length, 0, `lost ${lost.slice(0, 5).join(', ')}`)
      assert.is(duplicated.length, 0, `duplicated ${duplicated.slice(0, 5).join(', ')}`)
      const rateMBps = copiedBytes / 1024 / 1024 / (rebalanceMs / 1000)
      console.log(
        `grow-shrink: ${writer.current.acked.size} acked during the moves (${failed} failed sends, lost 0, duplicates 0), ` +
          `longest gap between acks ${longestGapMs} ms; rebalance copied ${(copiedBytes / 1024 / 1024).toFixed(1)} MB ` +
          `in ${rebalanceMs} ms = ${rateMBps.toFixed(1)} MB/s; read ${read} of ${total} offsets`,
      )
    } finally {
      await reader.close()
    }
  } finally {
    await writer.current?.stop()
    await client.close()
  }
})

test.run()
