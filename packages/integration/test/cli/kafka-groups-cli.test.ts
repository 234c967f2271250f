// Proves `weir groups list/describe` show a consumer group whose members joined through the Kafka
// listener (`weir broker --kafka-listen`): its protocol type is 'kafka:consumer', and describe reads
// its Kafka ConsumerProtocol assignment for the assignment column and the lag of each partition;
// Weir's own consumer cannot join that group (INCONSISTENT_GROUP_PROTOCOL).
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Socket, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@weir/client'
import { isWeirError, Kafka } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killChildren, run, startBrokerChild } from './cli-support.js'

let dataDir = ''
let bootstrap = ''
let kafkaPort = 0
let socket: Socket | undefined

/** A port free now (the broker binds it a moment later; nothing else here takes ports meanwhile). */
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

/** One Kafka request at a time over a raw socket: the frames a Kafka client would send. */
class KafkaSocket {
  private buffered = Buffer.alloc(0)
  private waiting: ((frame: Buffer) => void) | undefined
  private correlationId = 0

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk])
      if (this.buffered.length < 4) return
      const size = this.buffered.readInt32BE(0)
      if (this.buffered.length < 4 + size) return
      const frame = this.buffered.subarray(4, 4 + size)
      this.buffered = this.buffered.subarray(4 + size)
      this.waiting?.(frame)
    })
  }

  call<Request extends object, Response>(
    api: Kafka.KafkaApi<Request, Response>,
    version: number,
    request: Request,
  ): Promise<Response> {
    const header = { apiVersion: version, correlationId: ++this.correlationId, clientId: 'raw-kafka' }
    const answer = new Promise<Buffer>((resolve) => (this.waiting = resolve))
    this.socket.write(Kafka.encodeKafkaRequest(api, header, request))
    return answer.then((frame) => Kafka.decodeKafkaResponse(api, version, frame).response)
  }
}

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'weir-cli-kafka-groups-'))
  kafkaPort = await freePort()
  ;({ bootstrap } = await startBrokerChild(dataDir, ['--kafka-listen', `127.0.0.1:${kafkaPort}`]))
  const created = await run(['topics', 'create', 'orders', '--partitions', '3', '--bootstrap', bootstrap])
  assert.is(created.code, 0, created.stderr)
  const lines = Array.from({ length: 30 }, (_, index) => `v${index}`)
  for (const partition of ['0', '2']) {
    const produced = await run(
      ['produce', 'orders', '--partition', partition, '--bootstrap', bootstrap],
      `${lines.join('\n')}\n`,
    )
    assert.is(produced.code, 0, produced.stderr)
  }
})

test.after(async () => {
  socket?.destroy()
  killChildren()
  await rm(dataDir, { recursive: true, force: true })
})

test('a Kafka consumer group shows its protocol type, assignment and lag', async () => {
  socket = await new Promise<Socket>((resolve, reject) => {
    const opened = tcpConnect({ host: '127.0.0.1', port: kafkaPort }, () => resolve(opened))
    opened.once('error', reject)
  })
  const kafka = new KafkaSocket(socket)
  const groupId = 'kafka-billing'
  const joined = await kafka.call(Kafka.joinGroupApi, 5, {
    groupId,
    sessionTimeoutMs: 60_000,
    rebalanceTimeoutMs: 60_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [
      {
        name: 'range',
        metadata: Kafka.encodeConsumerProtocolSubscription({
          version: 0,
          topics: ['orders'],
          userData: null,
          ownedPartitions: [],
          generationId: -1,
          rackId: null,
        }),
      },
    ],
  })
  assert.is(joined.errorCode, 0)
  const synced = await kafka.call(Kafka.syncGroupApi, 3, {
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    assignments: [
      {
        memberId: joined.memberId,
        assignment: Kafka.encodeConsumerProtocolAssignment({
          version: 0,
          partitions: [{ topic: 'orders', partitions: [0, 2] }],
          userData: null,
        }),
      },
    ],
  })
  assert.is(synced.errorCode, 0)
  const committed = await kafka.call(Kafka.offsetCommitApi, 7, {
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null },
        ],
      },
    ],
  })
  assert.is(committed.topics[0]!.partitions[0]!.errorCode, 0)

  const listed = await run(['groups', 'list', '--bootstrap', bootstrap])
  assert.is(listed.code, 0, listed.stderr)
  assert.match(listed.stdout, /\nkafka-billing\s+stable\s+kafka:consumer/)
  const described = await run(['groups', 'describe', groupId, '--json', '--bootstrap', bootstrap])
  assert.is(described.code, 0, described.stderr)
  const description = JSON.parse(described.stdout)
  assert.is(description.protocol, 'range')
  assert.equal(description.members[0].assignment, [
    { topic: 'orders', partition: 0 },
    { topic: 'orders', partition: 2 },
  ])
  const rows = new Map<number, { committedOffset: number | null; logEndOffset: number; lag: number | null }>(
    description.offsets.map((row: { partition: number }) => [row.partition, row]),
  )
  assert.equal([...rows.keys()].sort(), [0, 2], 'the assigned partitions and the committed one')
  const first = rows.get(0)!
  assert.is(first.committedOffset, 1)
  assert.is(first.logEndOffset, 30)
  assert.is(first.lag, 29)
  assert.is(rows.get(2)!.lag, null, 'assigned, nothing committed yet')
})

test('a Weir consumer cannot join the Kafka group: its ready() rejects with INCONSISTENT_GROUP_PROTOCOL', async () => {
  const client = new Client({ brokers: [bootstrap], clientId: 'weir-joiner' })
  try {
    const consumer = client.consumer({ groupId: 'kafka-billing', topics: ['orders'] })
    const failure = await consumer.ready().then(
      () => undefined,
      (error: unknown) => error,
    )
    assert.ok(isWeirError(failure, 'INCONSISTENT_GROUP_PROTOCOL'), String(failure))
    await consumer.close().catch(() => undefined)
  } finally {
    await client.close()
  }
})

test.run()
