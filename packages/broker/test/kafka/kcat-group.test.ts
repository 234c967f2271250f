// Proves librdkafka's consumer group (kcat -G, a client no one here wrote) against an in-process
// broker: with the cooperative-sticky assignor it reads every message of a 4-partition topic once
// and commits, and the next kcat in the group resumes from the committed offsets.
import { spawn } from 'node:child_process'
import { OffsetFetch } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { batchOf, createTopic, produce, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'
import { kcatPath, kcatTest } from './kcat-support.js'

const topic = 'kcat-events'
const groupId = 'kcat-group'
const partitionCount = 4
/** Far above what a run takes; only a hang reaches it. */
const kcatTimeoutMs = 120_000
let broker: Broker
let native: WireClient

test.before(async () => {
  broker = await startBroker({ kafkaListen: '127.0.0.1:0', groups: { offsetsPartitions: 2 } })
  await broker.groups.loaded
  native = await WireClient.connect(broker.address.port)
  await createTopic(native, topic, partitionCount)
})

test.after(async () => {
  await native.close()
  await broker.close()
  removeTempDirectories()
})

/** `count` records on each partition, values `${label}-${partition}-${index}`. */
async function produceEverywhere(label: string, count: number): Promise<string[]> {
  const values: string[] = []
  for (let partition = 0; partition < partitionCount; partition++) {
    const records = Array.from({ length: count }, (_, index) => ({
      key: null,
      value: Buffer.from(`${label}-${partition}-${index}`),
    }))
    assert.is((await produce(native, topic, partition, batchOf(records))).errorCode, 0)
    values.push(...records.map((record) => record.value.toString()))
  }
  return values
}

/** Runs a balanced kcat consumer until every assigned partition is at its end (-e); its values. */
function kcatGroupConsume(): Promise<string[]> {
  const args = [
    '-b',
    `127.0.0.1:${broker.kafkaAddress!.port}`,
    '-G',
    groupId,
    '-X',
    'partition.assignment.strategy=cooperative-sticky',
    // Not `-o beginning`: kcat applies -o to every assignment, overriding committed offsets.
    '-X',
    'auto.offset.reset=earliest',
    '-e',
    '-q',
    '-f',
    '%s\\n',
    topic,
  ]
  return new Promise((resolve, reject) => {
    const child = spawn(kcatPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), kcatTimeoutMs)
    child.once('error', (error) =>
      reject(new Error(`kcat did not start (${error.message}); install it: apt-get install kcat`)),
    )
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (code !== 0) reject(new Error(`kcat exited ${code ?? signal}: ${stderr}`))
      else resolve(stdout.split('\n').filter((line) => line.length > 0))
    })
  })
}

kcatTest(
  'kcat -G with cooperative-sticky reads every message once and commits; the next run resumes there',
  async () => {
    const first = await produceEverywhere('first', 50)
    const read = await kcatGroupConsume()
    assert.is(read.length, first.length, 'no message twice')
    assert.equal([...read].sort(), [...first].sort())
    const committed = await native.call(OffsetFetch, { groupId, topics: null })
    assert.equal(
      committed.topics
        .flatMap((entry) => entry.partitions.map(({ partition, offset }) => [partition, offset]))
        .sort(([a], [b]) => a! - b!),
      Array.from({ length: partitionCount }, (_, partition) => [partition, 50]),
    )
    const second = await produceEverywhere('second', 5)
    const resumed = await kcatGroupConsume()
    assert.equal(
      [...resumed].sort(),
      [...second].sort(),
      'only what came after the commit, although the reset policy is earliest',
    )
  },
)

test.run()
