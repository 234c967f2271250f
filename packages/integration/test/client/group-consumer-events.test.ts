// Proves a group consumer's instrumentation against a real broker, with either group protocol: `rebalancing` then `group_join` (member, generation, leader, duration, assignment) on joining, the same through the client's injected logger, and `crash` (willRestart false) when a run() handler throws.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '@weir/broker'
import { Client, type GroupConsumerEvents, type Logger } from '@weir/client'
import { withTimeout } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const waitMs = 20_000
let broker: Broker
let dataDir: string

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'weir-group-events-'))
  broker = await Broker.start({
    dataDir,
    listen: '127.0.0.1:0',
    logLevel: 'silent',
    groups: { offsetsPartitions: 2, limits: { minSessionTimeoutMs: 10, initialRebalanceDelayMs: 50 } },
  })
  await broker.groups.loaded
})

test.after(async () => {
  await broker.close()
  rmSync(dataDir, { recursive: true, force: true })
})

for (const groupProtocol of ['classic', 'consumer'] as const)
  test(`rebalancing, group_join and crash are emitted with their details, and the join is logged (groupProtocol ${groupProtocol})`, async () => {
    const lines: Array<{ level: string; fields: object; message?: string }> = []
    const log =
      (level: string) =>
      (fields: object | string, message?: string): void => {
        lines.push(
          typeof fields === 'string' ? { level, fields: {}, message: fields } : { level, fields, message },
        )
      }
    const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
    const client = new Client({ brokers: [`${broker.address.host}:${broker.address.port}`], logger })
    const topic = `observed-${groupProtocol}`
    await client.admin().createTopic({ topic, partitions: 3 })
    const consumer = client.consumer({
      groupId: `events-group-${groupProtocol}`,
      groupProtocol,
      topics: [topic],
      autoOffsetReset: 'earliest',
      sessionTimeoutMs: 1000,
      heartbeatIntervalMs: 100,
      maxWaitMs: 100,
    })
    const seen: Array<{ name: keyof GroupConsumerEvents; payload: unknown }> = []
    for (const name of ['rebalancing', 'group_join', 'crash'] as const) {
      consumer.on(name, (payload) => seen.push({ name, payload }))
      // A listener that throws is logged; it must not crash the process or fail the join.
      consumer.on(name, () => {
        throw new Error(`listener of ${name} failed`)
      })
    }
    await withTimeout(consumer.ready(), waitMs, 'the first assignment')

    const names = seen.map((entry) => entry.name)
    assert.equal(names.slice(0, 2), ['rebalancing', 'group_join'])
    const joined = seen[1]!.payload as GroupConsumerEvents['group_join']
    assert.is(joined.groupId, `events-group-${groupProtocol}`)
    assert.ok(joined.memberId.length > 0)
    assert.ok(joined.generationId >= 1)
    // The broker-driven protocol has no leader: the coordinator assigns.
    assert.is(joined.isLeader, groupProtocol === 'classic', 'the only member leads a classic group')
    assert.ok(joined.durationMs >= 0)
    assert.equal(joined.assignment.map((entry) => entry.partition).sort(), [0, 1, 2])
    assert.ok(
      lines.some((line) => line.level === 'info' && line.message === 'joined consumer group'),
      JSON.stringify(lines),
    )

    assert.ok(
      lines.some(
        (line) =>
          line.level === 'error' && line.message === 'a listener of group consumer event group_join threw',
      ),
      JSON.stringify(lines),
    )

    const producer = client.producer()
    await producer.send({ topic, partition: 0, value: 'boom' })
    const failure = new Error('handler bug')
    const ran = await withTimeout(
      consumer
        .run({
          eachMessage: () => {
            throw failure
          },
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        ),
      waitMs,
      'run() to reject',
    )
    assert.is(ran, failure)
    const crash = seen.find((entry) => entry.name === 'crash')?.payload as GroupConsumerEvents['crash']
    assert.ok(crash !== undefined, names.join())
    assert.is(crash.error, failure)
    assert.is(crash.willRestart, false)
    await client.close()
  })

test.run()
