// Proves that after kill -9 of a child broker mid-produce, a restarted broker holds every acknowledged batch exactly once, where it was acknowledged.
import { Acks, Produce, type ProduceResponse } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { batchOf, createTopic, readAll, removeTempDirectories, tempDirectory } from '../support/broker.js'
import { exited, killChildren, startChildBroker } from '../support/child-broker.js'
import { WireClient } from '../support/wire-client.js'

const producers = 8
const pipelineDepth = 16
const partitions = 3
const recordsPerBatch = 4

interface Acked {
  readonly partition: number
  readonly baseOffset: number
  readonly values: readonly string[]
}

test.after(async () => {
  await killChildren()
  removeTempDirectories()
})

/** Keeps `pipelineDepth` produces in flight on one connection until it breaks; records every ack. */
async function producer(port: number, id: number, acked: Acked[]): Promise<void> {
  const client = await WireClient.connect(port)
  let sequence = 0
  const next = async (): Promise<void> => {
    for (;;) {
      const batchNumber = sequence++
      const partition = (id + batchNumber) % partitions
      const values = Array.from({ length: recordsPerBatch }, (_, index) => `p${id}-b${batchNumber}-r${index}`)
      const records = batchOf(values.map((value) => ({ key: null, value: Buffer.from(value) })))
      let response: ProduceResponse
      try {
        response = await client.call(Produce, {
          acks: Acks.all,
          timeoutMs: 10_000,
          topics: [{ name: 'crash', partitions: [{ partition, records }] }],
        })
      } catch {
        return // the broker died with this request in flight: not acknowledged
      }
      const result = response.topics[0]!.partitions[0]!
      assert.is(result.errorCode, 0, result.errorMessage)
      acked.push({ partition, baseOffset: result.baseOffset, values })
    }
  }
  await Promise.all(Array.from({ length: pipelineDepth }, next))
}

test('kill -9 mid-produce loses no acknowledged batch and duplicates none', async () => {
  const dataDir = tempDirectory()
  const first = await startChildBroker(dataDir)
  const admin = await WireClient.connect(first.port)
  await createTopic(admin, 'crash', partitions)
  const acked: Acked[] = []
  const running = Array.from({ length: producers }, (_, id) => producer(first.port, id, acked))
  // Kill once plenty of acks arrived, with every producer still pipelining.
  while (acked.length < 400) await new Promise((resolve) => setImmediate(resolve))
  first.child.kill('SIGKILL')
  assert.is((await exited(first.child)).signal, 'SIGKILL')
  await Promise.all(running)
  await admin.closed

  const second = await startChildBroker(dataDir)
  const client = await WireClient.connect(second.port)
  const seen = new Map<string, { partition: number; offset: number }>()
  for (let partition = 0; partition < partitions; partition++) {
    for (const record of await readAll(client, 'crash', partition)) {
      assert.not.ok(seen.has(record.value), `${record.value} appears twice`)
      seen.set(record.value, { partition, offset: record.offset })
    }
  }
  for (const batch of acked) {
    batch.values.forEach((value, index) => {
      const where = seen.get(value)
      assert.ok(where, `acknowledged ${value} is missing after the restart`)
      assert.equal(where, { partition: batch.partition, offset: batch.baseOffset + index })
    })
  }
  assert.ok(acked.length >= 400)
  await client.close()
  second.child.kill('SIGTERM')
  assert.is((await exited(second.child)).code, 0)
})

test.run()
