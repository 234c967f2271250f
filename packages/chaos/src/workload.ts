// The workload of a chaos run: several idempotent producers (acks all), each writing unique values
// `producer:sequence` round-robin over the partitions of one topic, and a consumer group polling
// and committing by hand. Everything acknowledged, failed, polled and committed goes into the
// history the checker reads. Each producer and member has its own Client, as separate
// applications would, bootstrapped from the whole broker list.
import { Client, codecs, defineTopic, type GroupConsumer } from '@weir/client'
import type { Ack, Commit, Poll, SendFailure } from './history.js'

export interface WorkloadOptions {
  readonly bootstrap: readonly string[]
  readonly topic: string
  readonly partitions: number
  readonly producers: number
  /** Sends started per second by each producer. */
  readonly sendsPerSecond: number
  /** Sends one producer has unanswered on one partition, at most. */
  readonly maxInFlightSendsPerPartition: number
  readonly groupMembers: number
  /** A member commits after this many polls. */
  readonly pollsPerCommit: number
}

const deliveryTimeoutMs = 30_000

export class Workload {
  readonly acks: Ack[] = []
  readonly failures: SendFailure[] = []
  readonly polls: Poll[] = []
  readonly commits: Commit[] = []
  /** Every rebalance event of every member, for reading a failed run (the checker does not use it). */
  readonly rebalances: {
    timeMs: number
    member: string
    type: string
    lost: boolean
    partitions: number[]
  }[] = []
  private running = true
  private readonly producing: Promise<void>[] = []
  private readonly members = new Map<string, Member>()
  private memberCount = 0
  private readonly topic

  constructor(private readonly options: WorkloadOptions) {
    this.topic = defineTopic<string>({ name: options.topic, codec: codecs.string })
  }

  start(): void {
    for (let index = 1; index <= this.options.producers; index++)
      this.producing.push(this.produce(`p${index}`))
    for (let index = 0; index < this.options.groupMembers; index++) this.addMember()
  }

  private client(clientId: string): Client {
    return new Client({ brokers: [...this.options.bootstrap], clientId })
  }

  /**
   * One producer (one client, one idempotent Producer) with one send loop per partition, so a
   * partition whose leader is unreachable holds back only its own sends, as an application's
   * independent keys would. Sequences come from one counter per producer: per partition they rise
   * in send order.
   */
  private async produce(name: string): Promise<void> {
    const client = this.client(`chaos-${name}`)
    const producer = client.producer({ acks: 'all', idempotent: true, lingerMs: 2, deliveryTimeoutMs })
    let nextSequence = 0
    const loops = Array.from({ length: this.options.partitions }, async (_, partition) => {
      const inFlight = new Set<Promise<void>>()
      const intervalMs = (1000 * this.options.partitions) / this.options.sendsPerSecond
      let nextAtMs = Date.now() + (intervalMs * partition) / this.options.partitions
      while (this.running) {
        while (inFlight.size >= this.options.maxInFlightSendsPerPartition) await Promise.race(inFlight)
        const sequence = nextSequence++
        const value = `${name}:${sequence}`
        const sending = producer.send({ topic: this.topic, partition, value }).then(
          (result) => {
            const timeMs = Date.now()
            this.acks.push({ producer: name, sequence, value, partition, offset: result.offset, timeMs })
          },
          (error: Error) => {
            const timeMs = Date.now()
            this.failures.push({ producer: name, sequence, value, partition, timeMs, error: error.message })
          },
        )
        const tracked: Promise<void> = sending.finally(() => inFlight.delete(tracked))
        inFlight.add(tracked)
        nextAtMs += intervalMs
        const waitMs = nextAtMs - Date.now()
        if (waitMs > 0) await sleep(waitMs)
        else nextAtMs = Date.now()
      }
      await Promise.all(inFlight)
    })
    await Promise.all(loops)
    await client.close().catch(() => undefined)
  }

  /** Starts one more group member; returns its name. */
  addMember(): string {
    const name = `m${++this.memberCount}`
    const client = this.client(`chaos-${name}`)
    const consumer = client.consumer({
      groupId: 'chaos',
      topics: [this.topic],
      autoOffsetReset: 'earliest',
      autoCommit: false,
    })
    const member: Member = { name, client, consumer, sessions: new Map(), loop: Promise.resolve() }
    consumer.on('rebalance', (event) => {
      const partitions = event.partitions.map((entry) => entry.partition)
      this.rebalances.push({
        timeMs: Date.now(),
        member: name,
        type: event.type,
        lost: event.lost,
        partitions,
      })
      if (event.type !== 'assigned') return
      for (const { partition } of event.partitions)
        member.sessions.set(partition, {
          id: (member.sessions.get(partition)?.id ?? 0) + 1,
          first: undefined,
        })
    })
    member.loop = this.consume(member)
    this.members.set(name, member)
    return name
  }

  private async consume(member: Member): Promise<void> {
    let polls = 0
    const lastCommitted = new Map<string, number>()
    try {
      for await (const message of member.consumer) {
        const session = member.sessions.get(message.partition) ?? { id: 0, first: undefined }
        session.first ??= message.offset
        member.sessions.set(message.partition, session)
        this.polls.push({
          member: member.name,
          session: session.id,
          partition: message.partition,
          offset: message.offset,
          value: message.value,
          timeMs: Date.now(),
        })
        if (++polls % this.options.pollsPerCommit === 0) await this.commit(member, lastCommitted)
        if (!this.running) break
      }
    } catch {
      // A member whose iteration failed (a fatal error, or closed under it) just stops polling.
    }
  }

  /** Commits and records, per owned partition, a commit point above what this session committed. */
  private async commit(member: Member, lastCommitted: Map<string, number>): Promise<void> {
    const points: Commit[] = []
    for (const [partition, session] of member.sessions) {
      const point = member.consumer.committable(this.options.topic, partition)
      const key = `${partition}/${session.id}`
      const floor = lastCommitted.get(key) ?? session.first
      if (point === undefined || floor === undefined || point <= floor) continue
      points.push({ member: member.name, partition, offset: point, timeMs: 0 })
      lastCommitted.set(key, point)
    }
    if (points.length === 0) return
    try {
      await member.consumer.commit()
      const timeMs = Date.now()
      // A partition revoked while the commit waited was not part of it: record only owned ones.
      for (const point of points)
        if (member.consumer.committable(this.options.topic, point.partition) !== undefined)
          this.commits.push({ ...point, timeMs })
    } catch {
      for (const point of points)
        lastCommitted.delete(`${point.partition}/${member.sessions.get(point.partition)?.id}`)
    }
  }

  /** Closes one member (it leaves the group: its partitions move to the others). */
  async removeMember(name: string): Promise<void> {
    const member = this.members.get(name)
    if (member === undefined) return
    this.members.delete(name)
    await member.client.close().catch(() => undefined)
    await member.loop
  }

  memberNames(): string[] {
    return [...this.members.keys()]
  }

  /** Stops sending, waits for every send to be answered, then closes the members. */
  async stop(): Promise<void> {
    this.running = false
    await Promise.all(this.producing)
    await Promise.all([...this.members.keys()].map((name) => this.removeMember(name)))
  }
}

interface Member {
  readonly name: string
  readonly client: Client
  readonly consumer: GroupConsumer<string>
  /** Per partition: the current assignment's number and its first polled offset. */
  readonly sessions: Map<number, { id: number; first: number | undefined }>
  loop: Promise<void>
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
