// Valid frames to mutate: everything a real client says to a real broker and every answer, taped
// off the broker's sockets while a workload touches every client API (topics, idempotent and
// gzip produce, fetch, offsets, a consumer group, admin), plus the two peer APIs built by hand.
// Real traffic rather than hand-written samples: it covers each API in the shape clients send.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker, nodeBrokerEnvironment } from '@weir/broker'
import { Client, codecs, defineTopic } from '@weir/client'
import {
  ApiKeys,
  encodeBody,
  encodeRecordBatch,
  FrameReader,
  parseRequestFrame,
  parseResponseFrame,
  type Transport,
  type TransportSocket,
} from '@weir/protocol'
import { eventually, withTimeout } from '@weir/protocol/testing'

export interface CorpusRequest {
  readonly apiKey: number
  readonly apiVersion: number
  readonly body: Buffer
}

export interface CorpusResponse {
  readonly apiKey: number
  readonly body: Buffer
}

export interface Corpus {
  readonly requests: readonly CorpusRequest[]
  readonly responses: readonly CorpusResponse[]
}

/** Per API, keep at most this many distinct samples: enough variety, a corpus that stays small. */
const samplesPerApiMax = 12

/** A transport whose accepted sockets report every chunk read and written. */
function tappedTransport(
  inner: Transport,
  tap: (socket: TransportSocket, direction: 'in' | 'out', chunk: Buffer) => void,
): Transport {
  return {
    connect: (address, timeoutMs) => inner.connect(address, timeoutMs),
    listen: (address, accept) =>
      inner.listen(address, (socket) => {
        socket.on('data', (chunk) => tap(socket, 'in', chunk))
        const write = socket.write.bind(socket)
        Object.assign(socket, {
          write: (data: Uint8Array, callback?: (error?: Error | null) => void) => {
            tap(socket, 'out', Buffer.from(data))
            return write(data, callback)
          },
        })
        accept(socket)
      }),
  }
}

class Recorder {
  readonly requests = new Map<number, CorpusRequest[]>()
  readonly responses = new Map<number, CorpusResponse[]>()
  private readonly sockets = new Map<
    TransportSocket,
    { in: FrameReader; out: FrameReader; apis: Map<number, number> }
  >()

  tap(socket: TransportSocket, direction: 'in' | 'out', chunk: Buffer): void {
    let state = this.sockets.get(socket)
    if (state === undefined) {
      state = { in: new FrameReader(), out: new FrameReader(), apis: new Map() }
      this.sockets.set(socket, state)
    }
    if (direction === 'in') {
      for (const payload of state.in.push(chunk)) {
        const { header, body } = parseRequestFrame(payload)
        state.apis.set(header.correlationId, header.apiKey)
        keep(this.requests, header.apiKey, {
          apiKey: header.apiKey,
          apiVersion: header.apiVersion,
          body: Buffer.from(body),
        })
      }
    } else {
      for (const payload of state.out.push(chunk)) {
        const { correlationId, body } = parseResponseFrame(payload)
        const apiKey = state.apis.get(correlationId)
        if (apiKey !== undefined) keep(this.responses, apiKey, { apiKey, body: Buffer.from(body) })
      }
    }
  }
}

function keep<T extends { body: Buffer }>(samples: Map<number, T[]>, apiKey: number, sample: T): void {
  const list = samples.get(apiKey) ?? []
  samples.set(apiKey, list)
  if (list.length < samplesPerApiMax && !list.some((known) => known.body.equals(sample.body)))
    list.push(sample)
}

function gzipBatch(): Buffer {
  const records = Array.from({ length: 8 }, (_, index) => ({
    key: Buffer.from(`g${index}`),
    value: Buffer.from(`zipped ${index}`),
  }))
  return encodeRecordBatch(records, { timestamp: 1_700_000_000_000, compression: 'gzip' })
}

/** What the client never sends (ApiVersions, the peer APIs, a gzip Produce): one valid sample each. */
function peerSamples(): Corpus {
  const raftMessage = {
    type: 'append',
    term: 3,
    from: 1,
    to: 2,
    index: 7,
    logTerm: 2,
    commit: 6,
    entries: [],
  }
  return {
    requests: [
      { apiKey: ApiKeys.ApiVersions, apiVersion: 0, body: encodeBody({}) },
      {
        apiKey: ApiKeys.RaftMessages,
        apiVersion: 0,
        body: encodeBody({
          from: 1,
          messages: [{ group: 'fuzz-peer/0', incarnation: 'i1', message: raftMessage }],
          leaders: [{ group: 'fuzz-peer/0', incarnation: 'i1', leaderId: 1, term: 3, isr: [1] }],
        }),
      },
      {
        // The client does not compress yet; a gzip batch is what other clients may send.
        apiKey: ApiKeys.Produce,
        apiVersion: 0,
        body: encodeBody({
          acks: 1,
          timeoutMs: 5000,
          topics: [{ name: 'corpus', partitions: [{ partition: 0, records: gzipBatch() }] }],
        }),
      },
      {
        apiKey: ApiKeys.ControllerPropose,
        apiVersion: 0,
        body: encodeBody({
          record: encodeBody({ type: 'topicCreated', name: 'fuzz-peer', partitions: 1, replicas: [[1]] }),
        }),
      },
    ],
    responses: [
      { apiKey: ApiKeys.RaftMessages, body: encodeBody({ errorCode: 0 }) },
      {
        apiKey: ApiKeys.ControllerPropose,
        body: encodeBody({ errorCode: 6, errorMessage: 'moved', leaderId: 2 }),
      },
    ],
  }
}

/** Runs the workload against a broker of its own (temp directory, removed after) and returns what was said. */
export async function captureCorpus(): Promise<Corpus> {
  const recorder = new Recorder()
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-fuzz-corpus-'))
  const environment = {
    ...nodeBrokerEnvironment,
    transport: tappedTransport(nodeBrokerEnvironment.transport, (socket, direction, chunk) =>
      recorder.tap(socket, direction, chunk),
    ),
  }
  const broker = await Broker.start({ dataDir, listen: '127.0.0.1:0', logLevel: 'silent', environment })
  const client = new Client({ brokers: [`127.0.0.1:${broker.address.port}`], clientId: 'fuzz-corpus' })
  try {
    await withTimeout(workload(client, recorder), 30_000, 'the corpus workload')
  } finally {
    await client.close()
    await broker.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  const peers = peerSamples()
  return {
    requests: [...[...recorder.requests.values()].flat(), ...peers.requests],
    responses: [...[...recorder.responses.values()].flat(), ...peers.responses],
  }
}

async function workload(client: Client, recorder: Recorder): Promise<void> {
  const admin = client.admin()
  await admin.createTopic({
    topic: 'corpus',
    partitions: 3,
    config: { retentionMs: 86_400_000, fsync: 'never' },
  })
  await admin.createTopics([{ topic: 'corpus-extra', partitions: 1 }])
  const topic = defineTopic<string>({ name: 'corpus', codec: codecs.string })
  const plain = client.producer({ acks: 'leader', lingerMs: 1 })
  await plain.sendMany(
    Array.from({ length: 20 }, (_, index) => ({
      topic,
      key: `k${index % 4}`,
      value: `value ${index}`,
      headers: { trace: `t${index}` },
    })),
  )
  await plain.close()
  const idempotent = client.producer({ idempotent: true })
  await idempotent.sendBatch({
    topic,
    messages: Array.from({ length: 10 }, (_, index) => ({ value: `batch ${index}` })),
  })
  await idempotent.close()
  const consumer = client.consumer({ topics: [topic], fromBeginning: true })
  let read = 0
  for await (const _message of consumer) if (++read === 30) break
  await consumer.close()
  const grouped = client.consumer({
    topics: [topic],
    groupId: 'corpus-group',
    autoOffsetReset: 'earliest',
    heartbeatIntervalMs: 50,
  })
  read = 0
  for await (const _message of grouped) if (++read === 30) break
  await grouped.commit()
  await eventually('a Heartbeat from the group member', () => recorder.requests.has(ApiKeys.Heartbeat))
  await grouped.close()
  await admin.listTopics()
  await admin.describeTopic('corpus')
  await admin.describeCluster()
  await admin.listGroups()
  await admin.describeGroup('corpus-group')
  await admin.resetOffsets('corpus-group', 'corpus', 'earliest')
  await admin.deleteGroup('corpus-group')
  await admin.createPartitions({ topic: 'corpus-extra', count: 2 })
  await admin.deleteTopic('corpus-extra')
}
