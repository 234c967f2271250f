// This broker's part in a cluster: the controller replica, one Raft replica per partition it
// hosts, the peer links, and the one timer that ticks them all. The controller's committed image
// decides what this broker hosts: applying a topic creation creates the local logs and opens the
// replicas, a deletion closes and deletes them. Handlers ask it who leads what.
import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ErrorCodes, Fetch, type LeaderNews, type RaftMessagesRequest, WeirError } from '@weir/protocol'
import type { Entry, Message } from '@weir/raft'
import { nodeFileIo, type TopicStore } from '@weir/storage'
import type { Logger } from 'pino'
import type { PartitionWatch } from '../partition-watch.js'
import { assignReplicas, ClusterImage, type MetadataRecord, type TopicImage } from './cluster-image.js'
import { Controller, controllerGroup, controllerTopic, recordsOfEntry } from './controller.js'
import { defaultPeerLinkLimits, PeerLinks } from './peer-links.js'
import type { Peer } from './peers.js'
import { checkRaftMessage } from './raft-message-check.js'
import { LogStartMoved, RaftReplica, type RaftTiming, type ReplicaTransport } from './raft-replica.js'

export interface ClusterOptions {
  readonly selfId: number
  readonly peers: readonly Peer[]
  /** One Raft tick; election timeouts are electionTicks to 2x that many ticks. */
  readonly tickMs: number
  readonly electionTicks: number
  readonly heartbeatTicks: number
  /** A follower that has not held everything committed for this long is out of the in-sync replicas. */
  readonly replicaLagMaxMs: number
}

// Election timeouts of 0.8 to 1.6 s; heartbeats every 100 ms; Kafka's replica.lag.time.max.ms is 30 s.
export const defaultClusterTiming = {
  tickMs: 50,
  electionTicks: 16,
  heartbeatTicks: 2,
  replicaLagMaxMs: 10_000,
} as const

const announceIntervalMs = 2000
const topicIdFileName = 'cluster-topic-id'
const controllerIncarnation = ''
/** How often leaders hand partitions back to their preferred (first) replica once it caught up. */
const preferredLeaderCheckMs = 5000
const controllerLogConfig = { fsync: 'always', segmentBytes: 8 * 1024 * 1024 } as const

export function groupOf(topic: string, partition: number): string {
  return `${topic}/${partition}`
}

function topicOfGroup(group: string): { topic: string; partition: number } {
  const slash = group.lastIndexOf('/')
  return { topic: group.slice(0, slash), partition: Number(group.slice(slash + 1)) }
}

export class Cluster {
  readonly image = new ClusterImage()
  private readonly replicas = new Map<string, RaftReplica>()
  /** Which creation of its topic each hosted group belongs to (the controller's is ""). */
  private readonly incarnations = new Map<string, string>()
  private readonly leaders = new Map<
    string,
    { leaderId: number; term: number; isr?: readonly number[] | undefined }
  >()
  private readonly timing: RaftTiming
  private controller!: Controller
  private tickTimer: NodeJS.Timeout | undefined
  private announceTimer: NodeJS.Timeout | undefined
  private preferredTimer: NodeJS.Timeout | undefined
  private applying: Promise<void> = Promise.resolve()
  private readonly appliedListeners = new Set<() => void>()
  private readonly controllerLeaderHooks: (() => Promise<void>)[] = []
  private readonly anyLeadershipHooks: ((replica: RaftReplica) => void)[] = []
  private readonly leadershipHooks = new Map<
    string,
    (partition: number, replica: RaftReplica | undefined) => void
  >()
  private closed = false

  private constructor(
    readonly options: ClusterOptions,
    private readonly store: TopicStore,
    private readonly watch: PartitionWatch,
    private readonly logger: Logger,
    readonly links: PeerLinks,
  ) {
    this.timing = {
      electionTicks: options.electionTicks,
      heartbeatTicks: options.heartbeatTicks,
      random: Math.random,
    }
  }

  /** The transport of one replica: its messages carry the incarnation of the group they belong to. */
  private transportFor(incarnation: string): ReplicaTransport {
    return {
      send: (group, message) => this.sendRaft(group, incarnation, message),
      fetchCommitted: (leaderId, group, offset, maxBytes) =>
        this.fetchCommitted(leaderId, group, offset, maxBytes),
    }
  }

  /** Opens the controller log (replaying it into the image), then every hosted replica, then ticks. */
  static async start(
    options: ClusterOptions,
    store: TopicStore,
    watch: PartitionWatch,
    logger: Logger,
  ): Promise<Cluster> {
    const links = new PeerLinks(options.selfId, options.peers, defaultPeerLinkLimits, logger)
    const cluster = new Cluster(options, store, watch, logger, links)
    await cluster.openController()
    for (const topic of cluster.image.topics()) await cluster.hostTopic(topic)
    cluster.tickTimer = setInterval(() => cluster.tick(), options.tickMs)
    cluster.announceTimer = setInterval(() => cluster.announceAll(), announceIntervalMs)
    cluster.preferredTimer = setInterval(() => cluster.restorePreferredLeaders(), preferredLeaderCheckMs)
    cluster.tickTimer.unref()
    cluster.announceTimer.unref()
    cluster.preferredTimer.unref()
    return cluster
  }

  get selfId(): number {
    return this.options.selfId
  }

  get controllerId(): number {
    return this.controller.leaderId
  }

  get peers(): readonly Peer[] {
    return this.options.peers
  }

  private async openController(): Promise<void> {
    const log = await this.localLog(controllerTopic, 1, controllerLogConfig, 0)
    const replica = await RaftReplica.open({
      group: controllerGroup,
      log,
      selfId: this.selfId,
      voters: this.options.peers.map((peer) => peer.id),
      timing: this.timing,
      transport: this.transportFor(controllerIncarnation),
      logger: this.logger,
      replay: (entry) => this.applyToImage(entry),
      applied: (entries) => this.applyCommitted(entries),
      leaderChanged: (leaderId, term) => this.leaderChanged(controllerGroup, leaderId, term),
    })
    this.controller = new Controller(replica, this.image, this.links)
    this.replicas.set(controllerGroup, replica)
    this.incarnations.set(controllerGroup, controllerIncarnation)
    // A brand-new cluster: the lowest id starts the first election at once instead of waiting.
    const lowest = Math.min(...this.options.peers.map((peer) => peer.id))
    if (replica.term === 0 && lowest === this.selfId) replica.campaign()
  }

  /** The local log of `topic`/`partition`, creating the topic's logs when missing. */
  private async localLog(topic: string, partitions: number, config: object, partition: number) {
    if (!this.store.topicNames().includes(topic)) await this.store.createTopic(topic, partitions, config)
    const local = this.store.topic(topic)
    if (local.partitionCount < partitions) await this.store.createPartitions(topic, partitions)
    return this.store.topic(topic).partition(partition)
  }

  private applyToImage(entry: Entry): MetadataRecord[] {
    const records = recordsOfEntry(entry)
    for (const record of records) this.image.apply(record)
    return records
  }

  /** Committed controller entries: update the image now, host or drop replicas in order after. */
  private applyCommitted(entries: readonly Entry[]): void {
    for (const entry of entries) {
      for (const record of this.applyToImage(entry)) {
        const topic = this.image.topic(record.name)
        this.applying = this.applying
          .then(() =>
            record.type === 'topicDeleted' ? this.dropTopic(record.name) : topic && this.hostTopic(topic),
          )
          .catch((error: unknown) =>
            this.logger.error({ err: error, record }, 'applying a metadata change failed'),
          )
      }
    }
    void this.applying.then(() => {
      for (const listener of this.appliedListeners) listener()
    })
  }

  /** Creates the topic's local logs and opens a replica for each partition this broker hosts. */
  private async hostTopic(topic: TopicImage): Promise<void> {
    if (this.closed) return
    await this.dropStaleIncarnation(topic)
    for (let partition = 0; partition < topic.replicas.length; partition++) {
      const replicas = topic.replicas[partition]!
      const group = groupOf(topic.name, partition)
      if (!replicas.includes(this.selfId) || this.replicas.has(group)) continue
      const log = await this.localLog(topic.name, topic.replicas.length, topic.config, partition)
      const replica = await RaftReplica.open({
        group,
        log,
        selfId: this.selfId,
        voters: replicas,
        timing: this.timing,
        transport: this.transportFor(topic.id),
        logger: this.logger,
        committed: () => this.watch.notify(topic.name, partition),
        leaderChanged: (leaderId, term) => this.leaderChanged(group, leaderId, term),
        replicaLagMaxMs: this.options.replicaLagMaxMs,
        // Every broker answers Metadata with the in-sync replicas: the leader tells them at once.
        inSyncChanged: () => {
          const replica = this.replicas.get(group)
          if (replica?.isLeader) this.announce(group, this.selfId, replica.term)
        },
      })
      this.replicas.set(group, replica)
      this.incarnations.set(group, topic.id)
      // The preferred leader of a new partition campaigns at once: leaders spread and start fast.
      if (replica.term === 0 && replicas[0] === this.selfId) replica.campaign()
    }
    await this.recordIncarnation(topic)
  }

  /**
   * A broker that was down while a topic was deleted and created again still holds the old
   * topic's logs under the same name: they belong to another Raft group and must go before the
   * new one is hosted. Each local topic records the id of the creation it belongs to.
   */
  private async dropStaleIncarnation(topic: TopicImage): Promise<void> {
    const local = await this.localIncarnation(topic.name)
    if (local === undefined || local === topic.id) return
    this.logger.warn(
      { topic: topic.name },
      `deleting local logs of an earlier topic ${topic.name} (it was deleted and created again)`,
    )
    await this.dropTopic(topic.name)
  }

  /** Writes the creation id beside local logs that have none yet (just created, or from before ids). */
  private async recordIncarnation(topic: TopicImage): Promise<void> {
    if (!this.store.topicNames().includes(topic.name)) return
    if ((await this.localIncarnation(topic.name)) !== undefined) return
    const path = join(this.store.topic(topic.name).directory, topicIdFileName)
    await nodeFileIo.writeFileAtomic(path, Buffer.from(`${topic.id}\n`))
  }

  /** The creation id of the local topic's logs; undefined without logs or without an id. */
  private async localIncarnation(name: string): Promise<string | undefined> {
    if (!this.store.topicNames().includes(name)) return undefined
    const path = join(this.store.topic(name).directory, topicIdFileName)
    return readFile(path, 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    )
  }

  private async dropTopic(name: string): Promise<void> {
    const groups = [...this.replicas.keys()].filter((group) => topicOfGroup(group).topic === name)
    for (const group of groups) {
      await this.replicas.get(group)!.close()
      this.replicas.delete(group)
      this.incarnations.delete(group)
      this.leaders.delete(group)
    }
    if (this.store.topicNames().includes(name)) await this.store.deleteTopic(name)
  }

  /** Resolves once every committed change known now is applied locally (or `timeoutMs` passed). */
  async caughtUp(check: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (!check()) {
      const remainingMs = deadline - Date.now()
      if (remainingMs <= 0) return false
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          this.appliedListeners.delete(done)
          resolve()
        }
        const timer = setTimeout(done, Math.min(remainingMs, 100))
        this.appliedListeners.add(done)
      })
    }
    return true
  }

  replicaOf(topic: string, partition: number): RaftReplica | undefined {
    return this.replicas.get(groupOf(topic, partition))
  }

  /** The leader this broker knows for a partition: its own replica's view, else peers' news; -1 if none. */
  leaderOf(topic: string, partition: number): number {
    const group = groupOf(topic, partition)
    const own = this.replicas.get(group)
    const known =
      own !== undefined && own.leaderId !== 0 ? own.leaderId : (this.leaders.get(group)?.leaderId ?? 0)
    return known === 0 ? -1 : known
  }

  /** The leader replica of a partition on this broker; NOT_LEADER / UNKNOWN_TOPIC otherwise. */
  leaderReplica(topic: string, partition: number): RaftReplica {
    const replica = this.replicaOf(topic, partition)
    if (replica?.isLeader) return replica
    const image = this.image.topic(topic)
    if (image === undefined) throw new WeirError('UNKNOWN_TOPIC', `topic ${topic} does not exist`)
    if (partition < 0 || partition >= image.replicas.length) {
      throw new WeirError(
        'UNKNOWN_PARTITION',
        `topic ${topic} has partitions 0 to ${image.replicas.length - 1}`,
      )
    }
    const leader = this.leaderOf(topic, partition)
    const where = leader === -1 ? 'no leader is elected yet; retry shortly' : `broker ${leader} leads it`
    throw new WeirError('NOT_LEADER', `broker ${this.selfId} does not lead ${topic}/${partition}: ${where}`)
  }

  /** Commits a metadata change through the controller. */
  submit(record: MetadataRecord, timeoutMs: number): Promise<void> {
    return this.controller.submit(record, timeoutMs)
  }

  proposeHere(record: MetadataRecord): Promise<void> {
    if (!this.controller.replica.isLeader) return Promise.reject(this.controller.replica.notLeader())
    return this.controller.proposeHere(record)
  }

  /** Replica sets for new partitions, spread over every broker. */
  assign(first: number, count: number, replicationFactor: number): number[][] {
    const ids = this.options.peers.map((peer) => peer.id)
    if (!Number.isInteger(replicationFactor) || replicationFactor < 1 || replicationFactor > ids.length) {
      throw new WeirError(
        'INVALID_CONFIG',
        `replicationFactor must be from 1 to ${ids.length} (the brokers in --peers), got ${replicationFactor}`,
      )
    }
    return assignReplicas(ids, first, count, replicationFactor)
  }

  /** A RaftMessages request from a peer: step each message into its group. */
  receive(request: RaftMessagesRequest): void {
    for (const news of request.leaders) this.learnLeader(news)
    for (const envelope of request.messages) {
      const replica = this.replicas.get(envelope.group)
      // Another creation of the topic (this broker or the sender missed a delete and re-create):
      // its terms and offsets mean nothing here. The stale side drops its logs once its
      // controller replica catches up.
      if (replica === undefined || this.incarnations.get(envelope.group) !== envelope.incarnation) continue
      replica.step(checkRaftMessage(envelope.message))
    }
  }

  private learnLeader(news: LeaderNews): void {
    // Only groups the image knows: a peer cannot grow this map with names of its own making.
    const { topic, partition } = topicOfGroup(news.group)
    const known = this.leaders.get(news.group)
    const image = this.image.topic(topic)
    const exists =
      news.group === controllerGroup
        ? news.incarnation === controllerIncarnation
        : image !== undefined && image.id === news.incarnation && partition < image.replicas.length
    if (!exists) return
    if (known !== undefined && known.term > news.term) return
    this.leaders.set(news.group, { leaderId: news.leaderId, term: news.term, isr: news.isr })
  }

  /** The in-sync replicas of a partition as this broker knows them (its own if it leads); undefined if unknown. */
  inSyncOf(topic: string, partition: number): readonly number[] | undefined {
    const group = groupOf(topic, partition)
    const own = this.replicas.get(group)
    if (own?.isLeader) return own.inSyncReplicas
    const known = this.leaders.get(group)
    const leader = this.leaderOf(topic, partition)
    return known !== undefined && known.leaderId === leader ? known.isr : undefined
  }

  private sendRaft(group: string, incarnation: string, message: Message): void {
    let bytes = 64
    if (message.type === 'append') for (const entry of message.entries) bytes += entry.data.length + 32
    const envelope = { group, incarnation, message: message as unknown as Record<string, unknown> }
    this.links.send(message.to, envelope, bytes)
  }

  private announce(group: string, leaderId: number, term: number): void {
    const incarnation = this.incarnations.get(group)
    if (incarnation === undefined) return
    const isr = group === controllerGroup ? undefined : this.replicas.get(group)?.inSyncReplicas
    this.links.announce({ group, incarnation, leaderId, term, ...(isr?.length ? { isr } : {}) })
  }

  /** Runs `hook` each time this broker becomes the controller leader (bootstrap work). */
  onControllerLeader(hook: () => Promise<void>): void {
    this.controllerLeaderHooks.push(hook)
    if (this.controller.replica.isLeader) void this.runControllerHooks()
  }

  /** Calls `hook(partition, replica)` when this broker starts leading a partition of `topic`, and with undefined when it stops. */
  onLeadership(topic: string, hook: (partition: number, replica: RaftReplica | undefined) => void): void {
    this.leadershipHooks.set(topic, hook)
    for (const replica of this.replicas.values()) {
      const where = topicOfGroup(replica.group)
      if (where.topic === topic && replica.isLeader) hook(where.partition, replica)
    }
  }

  /** Calls `hook(replica)` whenever this broker becomes the leader of any partition. */
  onLeadershipGained(hook: (replica: RaftReplica) => void): void {
    this.anyLeadershipHooks.push(hook)
  }

  /** Creates an internal topic when missing (run by the controller leader). */
  async ensureTopic(
    name: string,
    partitions: number,
    config: object,
    replicationFactorMax: number,
  ): Promise<void> {
    if (this.image.topic(name) !== undefined) return
    const replicationFactor = Math.min(replicationFactorMax, this.options.peers.length)
    const replicas = this.assign(0, partitions, replicationFactor)
    try {
      await this.proposeHere({ type: 'topicCreated', name, id: randomUUID(), config, replicas })
      this.logger.info({ topic: name, partitions, replicationFactor }, `created ${name}`)
    } catch (error) {
      this.logger.warn(
        { err: error, topic: name },
        `could not create ${name} yet; the next controller leader retries`,
      )
    }
  }

  private async runControllerHooks(): Promise<void> {
    // After the leader's no-op commits, the image holds everything earlier leaders committed.
    await this.controller.replica.caughtUp()
    await this.applying
    for (const hook of this.controllerLeaderHooks) await hook()
  }

  private leaderChanged(group: string, leaderId: number, term: number): void {
    this.leaders.set(group, { leaderId, term })
    const { topic, partition } = topicOfGroup(group)
    const led = leaderId === this.selfId ? this.replicas.get(group) : undefined
    if (led !== undefined) {
      if (group === controllerGroup) void this.runControllerHooks()
      for (const hook of this.anyLeadershipHooks) hook(led)
      this.announce(group, leaderId, term)
    }
    this.leadershipHooks.get(topic)?.(partition, led)
    this.watch.notify(topic, partition)
    this.logger.info(
      { group, leaderId, term },
      leaderId === 0 ? `${group} has no leader` : `${group} is led by broker ${leaderId}`,
    )
  }

  /**
   * Leadership spreads as assigned (the first replica of each partition leads): after a failover
   * or a lost first election, the leader hands a partition back once its preferred replica has
   * the whole log, as Kafka's auto leader rebalance does.
   */
  private restorePreferredLeaders(): void {
    for (const replica of this.replicas.values()) {
      if (!replica.isLeader || replica.group === controllerGroup) continue
      const { topic, partition } = topicOfGroup(replica.group)
      const preferred = this.image.topic(topic)?.replicas[partition]?.[0]
      if (preferred === undefined || preferred === this.selfId) continue
      if (replica.transferTo(preferred)) {
        this.logger.info(
          { group: replica.group, to: preferred },
          `handing ${replica.group} back to its preferred leader`,
        )
      }
    }
  }

  /** Leaders re-announce what they lead, for brokers that restarted and know nothing. */
  private announceAll(): void {
    for (const replica of this.replicas.values()) {
      if (replica.isLeader) this.announce(replica.group, this.selfId, replica.term)
    }
  }

  private async fetchCommitted(
    leaderId: number,
    group: string,
    offset: number,
    maxBytes: number,
  ): Promise<Buffer> {
    const { topic, partition } = topicOfGroup(group)
    const response = await this.links.request(leaderId, Fetch, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes,
      topics: [{ name: topic, partitions: [{ partition, fetchOffset: offset, maxBytes }] }],
    })
    const result = response.topics[0]?.partitions[0]
    if (
      result !== undefined &&
      result.errorCode === ErrorCodes.OFFSET_OUT_OF_RANGE.code &&
      result.logStartOffset > offset
    ) {
      throw new LogStartMoved(group, result.logStartOffset)
    }
    if (result === undefined || result.errorCode !== 0) {
      throw new WeirError(
        'BROKER_UNAVAILABLE',
        `restore fetch of ${group} from broker ${leaderId} failed: ${result?.errorMessage ?? 'no partition in the answer'}`,
      )
    }
    return result.records
  }

  private tick(): void {
    for (const replica of this.replicas.values()) replica.tick()
  }

  async close(): Promise<void> {
    this.closed = true
    clearInterval(this.tickTimer)
    clearInterval(this.announceTimer)
    clearInterval(this.preferredTimer)
    await this.applying
    await Promise.all([...this.replicas.values()].map((replica) => replica.close()))
    this.links.close()
  }
}
