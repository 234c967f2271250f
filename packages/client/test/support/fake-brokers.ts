// Three (or more) wire-level broker stand-ins on protocol's in-memory network, on virtual time:
// each answers Metadata from its own view of who leads (which the test sets: an isolated broker
// knows no leader, a late one names the old leader), InitProducerId, and Produce as the real
// leader does (the `leaders` truth; any other broker answers NOT_LEADER), and ListOffsets and
// Fetch from one log per partition that every replica shares (replication is not the point here;
// a fetch with nothing new waits maxWaitMs, as a long poll). A paused broker keeps
// its connections and accepts new ones, but answers nothing (SIGSTOP), until resumed.
import {
  ApiKeys,
  decodeBody,
  decodeRecordBatch,
  type Environment,
  ErrorCodes,
  encodeBody,
  encodeRecordBatch,
  encodeResponseFrame,
  Fetch,
  type FetchRequest,
  FrameReader,
  ListOffsets,
  MemoryNetwork,
  type MetadataPartition,
  Produce,
  parseRequestFrame,
  SimulatedTime,
  type TransportSocket,
} from '@weir/protocol'

export const fakeTopic = 'events'
export const brokerPort = 9092

/** Who leads a partition, as one broker reports it. */
export interface Leadership {
  readonly leader: number
  readonly leaderEpoch?: number
}

export interface Produced {
  readonly brokerId: number
  readonly partition: number
  readonly atMs: number
  readonly records: number
}

export class FakeBroker {
  /** This broker's answer to Metadata, per partition. */
  readonly view: Leadership[]
  paused = false
  /** Requests received while paused (answered never). */
  ignored = 0
  /** Metadata requests answered. */
  metadataAnswers = 0

  constructor(
    readonly id: number,
    partitionCount: number,
    private readonly brokers: FakeBrokers,
  ) {
    this.view = Array.from({ length: partitionCount }, () => ({ leader: -1 }))
  }

  get host(): string {
    return `b${this.id}`
  }

  answer(socket: TransportSocket, payload: Buffer): void {
    if (this.paused) {
      this.ignored++
      return
    }
    const { header, body } = parseRequestFrame(payload)
    const reply = (response: unknown) =>
      socket.write(encodeResponseFrame(header.correlationId, encodeBody(response)))
    if (header.apiKey === ApiKeys.ApiVersions) {
      // A broker of the first release: version 0 of every API, so clients fall back to v0 bodies.
      reply({ brokerId: this.id, apis: [] })
    } else if (header.apiKey === ApiKeys.Metadata) {
      this.metadataAnswers++
      reply({
        brokers: this.brokers.all.map((broker) => ({ id: broker.id, host: broker.host, port: brokerPort })),
        controllerId: 1,
        topics: [{ name: fakeTopic, errorCode: 0, config: {}, partitions: this.partitions() }],
      })
    } else if (header.apiKey === ApiKeys.InitProducerId) {
      reply({ producerId: 7, producerEpoch: 0 })
    } else if (header.apiKey === ApiKeys.ListOffsets) {
      const request = ListOffsets.decodeRequest(decodeBody(body, 'ListOffsets'))
      const partitions = request.topics[0]!.partitions.map(({ partition, timestamp }) =>
        this.brokers.leaders[partition] === this.id
          ? {
              partition,
              errorCode: 0,
              offset: timestamp === -2 ? 0 : this.brokers.logEnd(partition),
              timestamp: -1,
            }
          : { partition, errorCode: ErrorCodes.NOT_LEADER.code, offset: -1, timestamp: -1 },
      )
      reply({ topics: [{ name: fakeTopic, partitions }] })
    } else if (header.apiKey === ApiKeys.Fetch) {
      const request = Fetch.decodeRequest(decodeBody(body, 'Fetch'))
      const answer = () => reply({ topics: [{ name: fakeTopic, partitions: this.fetched(request) }] })
      const empty = request.topics[0]!.partitions.every(
        ({ partition, fetchOffset }) =>
          this.brokers.leaders[partition] === this.id && fetchOffset >= this.brokers.logEnd(partition),
      )
      if (empty) this.brokers.time.setTimeout(answer, request.maxWaitMs)
      else answer()
    } else if (header.apiKey === ApiKeys.Produce) {
      const request = Produce.decodeRequest(decodeBody(body, 'Produce'))
      const partitions = request.topics[0]!.partitions.map(({ partition, records }) => {
        if (this.brokers.leaders[partition] !== this.id) {
          const notLeader = ErrorCodes.NOT_LEADER.code
          return {
            partition,
            errorCode: notLeader,
            errorMessage: `broker ${this.id} does not lead it`,
            baseOffset: -1,
            logStartOffset: 0,
          }
        }
        const count = decodeRecordBatch(records).records.length
        const baseOffset = this.brokers.produced.filter((entry) => entry.partition === partition).length
        this.brokers.produced.push({
          brokerId: this.id,
          partition,
          atMs: this.brokers.time.elapsedMs,
          records: count,
        })
        return { partition, errorCode: 0, baseOffset, logStartOffset: 0 }
      })
      reply({ topics: [{ name: fakeTopic, partitions }] })
    }
  }

  private fetched(request: FetchRequest) {
    return request.topics[0]!.partitions.map(({ partition, fetchOffset }) => {
      if (this.brokers.leaders[partition] !== this.id) {
        const notLeader = ErrorCodes.NOT_LEADER.code
        return {
          partition,
          errorCode: notLeader,
          highWatermark: -1,
          logStartOffset: 0,
          records: Buffer.alloc(0),
        }
      }
      const log = this.brokers.logs[partition]!
      const records = Buffer.concat(log.slice(fetchOffset).map((entry) => entry.batch))
      return { partition, errorCode: 0, highWatermark: log.length, logStartOffset: 0, records }
    })
  }

  private partitions(): MetadataPartition[] {
    return this.view.map((leadership, partition) => ({
      partition,
      errorCode: 0,
      leader: leadership.leader,
      ...(leadership.leaderEpoch === undefined ? {} : { leaderEpoch: leadership.leaderEpoch }),
      replicas: this.brokers.all.map((broker) => broker.id),
      logStartOffset: 0,
      highWatermark: 0,
    }))
  }
}

export class FakeBrokers {
  readonly time = new SimulatedTime()
  readonly network = new MemoryNetwork({ timers: this.time, random: () => 0.5, latencyMs: () => 1 })
  readonly all: FakeBroker[]
  /** The truth: which broker accepts Produce for each partition. */
  readonly leaders: number[]
  readonly produced: Produced[] = []
  /** One batch of one record per offset, per partition: what every replica holds. */
  readonly logs: Array<Array<{ batch: Buffer }>>

  private constructor(brokerCount: number, partitionCount: number) {
    this.all = Array.from(
      { length: brokerCount },
      (_, index) => new FakeBroker(index + 1, partitionCount, this),
    )
    this.leaders = Array.from({ length: partitionCount }, () => -1)
    this.logs = Array.from({ length: partitionCount }, () => [])
  }

  /** Appends `values` to `partition`'s log, one record batch each. */
  append(partition: number, values: readonly string[]): void {
    const log = this.logs[partition]!
    for (const value of values) {
      const batch = encodeRecordBatch([{ value: Buffer.from(value) }], {
        timestamp: 1000,
        baseOffset: log.length,
      })
      log.push({ batch })
    }
  }

  logEnd(partition: number): number {
    return this.logs[partition]!.length
  }

  static async start(brokerCount = 3, partitionCount = 1): Promise<FakeBrokers> {
    const brokers = new FakeBrokers(brokerCount, partitionCount)
    for (const broker of brokers.all) {
      await brokers.network
        .transport(broker.host)
        .listen({ host: broker.host, port: brokerPort }, (socket) => {
          const reader = new FrameReader(1 << 20)
          socket.on('data', (chunk) => {
            for (const payload of reader.push(chunk)) broker.answer(socket, payload)
          })
        })
    }
    return brokers
  }

  broker(id: number): FakeBroker {
    return this.all[id - 1]!
  }

  /**
   * An election: `leader` leads `partition` in `epoch`, and the brokers in `toldTo` know it.
   * `epoch` undefined: brokers older than Metadata's leaderEpoch, which leave it out.
   */
  elect(partition: number, leader: number, epoch: number | undefined, toldTo: readonly number[]): void {
    this.leaders[partition] = leader
    for (const id of toldTo)
      this.broker(id).view[partition] = epoch === undefined ? { leader } : { leader, leaderEpoch: epoch }
  }

  /** The client's environment: virtual time and this network, from host 'app'. */
  environment(): Environment {
    return {
      clock: this.time,
      timers: this.time,
      random: () => 0.5,
      transport: this.network.transport('app'),
    }
  }
}
