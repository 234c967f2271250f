// Redis Streams through ioredis against redis-server with the append-only file on. Produce: XADD
// in explicit pipelines of 1,000 commands, 20 pipelines (20,000 messages) in flight on one
// connection. Consume: XREAD COUNT 1000 from the last id read, as Weir's consumer reads without a
// group. Consumer group: one stream with one consumer group and 4 consumers (XREADGROUP ... >,
// each batch acknowledged with one XACK); Redis has no partitions, a stream is its unit of order.
import { Redis } from 'ioredis'
import type { Progress } from '../measurement.js'
import { findRedis, type RedisAppendFsync, startRedis } from '../servers/redis.js'
import type { RunningServer } from '../servers/server.js'
import {
  type GroupSpec,
  type LatencyChannel,
  type SystemConfiguration,
  type SystemSession,
  type ThroughputMeasurement,
  type ThroughputSpec,
  throttledProgress,
  throughput,
} from './system.js'

export const redisPipelineCommands = 1_000
export const redisPipelinesInFlight = 20
export const redisReadCount = 1_000
/** A consumer that finds nothing waits this long in XREADGROUP BLOCK before looking again. */
const groupBlockMs = 50
const field = 'v'

/** RESP2 XREAD/XREADGROUP reply with buffers: [[key, [[id, [field, value, ...]], ...]]] or null. */
type StreamReply = [Buffer, [Buffer, Buffer[]][]][] | null

export function redisConfiguration(appendFsync: RedisAppendFsync): SystemConfiguration {
  const always = appendFsync === 'always'
  return {
    id: `redis-appendfsync-${appendFsync}`,
    system: 'Redis Streams',
    label: `Redis Streams, appendfsync ${appendFsync}`,
    isWeir: false,
    durability: always
      ? {
          lossWindowMs: 0,
          short: 'fsync before ack',
          description: 'appendonly yes, appendfsync always: AOF fsynced before replies',
        }
      : {
          lossWindowMs: 1000,
          short: 'fsync every 1 s',
          description: 'appendonly yes, appendfsync everysec: AOF fsynced every second',
        },
    method: {
      produce: `XADD in pipelines of ${redisPipelineCommands.toLocaleString('en-US')}, ${redisPipelinesInFlight} pipelines in flight, one connection`,
      consume: `XREAD COUNT ${redisReadCount} from the last id read (no group, like Weir's consumer), Buffer replies`,
      latency: 'XADD per message; a second connection in XREAD BLOCK COUNT 1000 from the last id',
      consumerGroup:
        'one stream, one consumer group, 4 consumers on their own connections: XREADGROUP COUNT 1000 >, one XACK per batch',
    },
    find: findRedis,
    start: async (executable) => {
      const server = await startRedis(executable, appendFsync)
      try {
        return new RedisSession(server, await connect(server))
      } catch (error) {
        await server.stop()
        throw error
      }
    },
  }
}

async function connect(server: RunningServer): Promise<Redis> {
  const redis = new Redis({
    host: server.host,
    port: server.port,
    // RESP2 shapes for stream replies; RESP3 maps would only be flattened back by the client.
    protocol: 2,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  })
  await redis.connect()
  return redis
}

class RedisSession implements SystemSession {
  private readonly connections: Redis[] = []

  constructor(
    private readonly server: RunningServer,
    private readonly redis: Redis,
  ) {
    this.connections.push(redis)
  }

  private async openConnection(): Promise<Redis> {
    const redis = await connect(this.server)
    this.connections.push(redis)
    return redis
  }

  async produce(stream: string, spec: ThroughputSpec, progress: Progress): Promise<ThroughputMeasurement> {
    const started = performance.now()
    await fill(this.redis, stream, spec, progress)
    return throughput(spec.messages, spec.valueBytes, (performance.now() - started) / 1000)
  }

  async consume(stream: string, spec: ThroughputSpec, progress: Progress): Promise<ThroughputMeasurement> {
    const report = throttledProgress(progress, spec.messages)
    const started = performance.now()
    let lastId = '0-0'
    let received = 0
    while (received < spec.messages) {
      const reply = (await this.redis.callBuffer(
        'XREAD',
        'COUNT',
        redisReadCount,
        'STREAMS',
        stream,
        lastId,
      )) as StreamReply
      const entries = reply?.[0]?.[1]
      if (entries === undefined || entries.length === 0) {
        throw new Error(`XREAD found nothing after ${received} of ${spec.messages} messages`)
      }
      received += entries.length
      lastId = entries[entries.length - 1]![0].toString('latin1')
      report(received)
    }
    return throughput(received, spec.valueBytes, (performance.now() - started) / 1000)
  }

  async deleteStream(stream: string): Promise<void> {
    await this.redis.del(stream)
  }

  async openLatencyChannel(stream: string): Promise<LatencyChannel> {
    const reader = await this.openConnection()
    const pending = new Set<Promise<unknown>>()
    let failure: unknown
    let closed = false
    let reading: Promise<void> = Promise.resolve()
    return {
      subscribe: async (onValue) => {
        reading = (async () => {
          let lastId = '0-0'
          while (!closed) {
            const reply = (await reader.callBuffer(
              'XREAD',
              'COUNT',
              redisReadCount,
              'BLOCK',
              100,
              'STREAMS',
              stream,
              lastId,
            )) as StreamReply
            const entries = reply?.[0]?.[1] ?? []
            for (const [id, fields] of entries) {
              onValue(fields[1]!)
              lastId = id.toString('latin1')
            }
          }
        })()
      },
      send: (value) => {
        const sending = this.redis.xadd(stream, '*', field, value)
        pending.add(sending)
        sending.then(
          () => pending.delete(sending),
          (error: unknown) => (failure ??= error),
        )
        return sending
      },
      drain: async () => {
        await Promise.all(pending)
        if (failure !== undefined) throw failure
      },
      close: async () => {
        closed = true
        await reading
        await this.deleteStream(stream)
      },
    }
  }

  async consumerGroup(stream: string, spec: GroupSpec, progress: Progress): Promise<ThroughputMeasurement> {
    await fill(this.redis, stream, spec, () => {})
    await this.redis.xgroup('CREATE', stream, 'group', '0')
    const readers = await Promise.all(Array.from({ length: spec.consumers }, () => this.openConnection()))
    const report = throttledProgress(progress, spec.messages)
    let received = 0
    let finished = 0
    const started = performance.now()
    await Promise.all(
      readers.map(async (reader, index) => {
        while (received < spec.messages) {
          const reply = (await reader.callBuffer(
            'XREADGROUP',
            'GROUP',
            'group',
            `consumer-${index}`,
            'COUNT',
            redisReadCount,
            'BLOCK',
            groupBlockMs,
            'STREAMS',
            stream,
            '>',
          )) as StreamReply
          const entries = reply?.[0]?.[1] ?? []
          if (entries.length === 0) continue
          // Sent without waiting: the next XREADGROUP follows it on the same connection.
          void reader.xack(stream, 'group', ...entries.map(([id]) => id))
          received += entries.length
          report(received)
          // The others may still sit in BLOCK: the clock stops at the last message.
          if (received >= spec.messages && finished === 0) finished = performance.now()
        }
      }),
    )
    const seconds = (finished - started) / 1000
    // Every XACK answered before the clock is read again by anyone.
    await Promise.all(readers.map((reader) => reader.ping()))
    return throughput(received, spec.valueBytes, seconds)
  }

  async close(): Promise<void> {
    try {
      for (const connection of this.connections) connection.disconnect()
    } finally {
      await this.server.stop()
    }
  }
}

/** XADD `spec.messages` in pipelines, a window of them in flight. */
async function fill(redis: Redis, stream: string, spec: ThroughputSpec, progress: Progress): Promise<void> {
  const value = Buffer.alloc(spec.valueBytes, 0x61)
  const inFlight: Promise<unknown>[] = []
  for (let sent = 0; sent < spec.messages; ) {
    const count = Math.min(redisPipelineCommands, spec.messages - sent)
    const pipeline = redis.pipeline()
    for (let index = 0; index < count; index++) pipeline.xadd(stream, '*', field, value)
    inFlight.push(pipeline.exec().then(checkPipeline))
    sent += count
    if (inFlight.length >= redisPipelinesInFlight) {
      await inFlight.shift()
      progress(sent - inFlight.length * redisPipelineCommands, spec.messages)
    }
  }
  await Promise.all(inFlight)
  progress(spec.messages, spec.messages)
}

function checkPipeline(results: [Error | null, unknown][] | null): void {
  if (results === null) throw new Error('pipeline was discarded')
  for (const [error] of results) if (error) throw error
}
