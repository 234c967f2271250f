// This broker's part in its cluster, which may be a cluster of one: the controller replica, the
// partition replicas it hosts (HostedReplicas), who leads what (LeaderDirectory), which creation
// of each topic the local logs belong to (TopicIncarnations), the peer links, and the one timer
// that ticks every replica. The controller's committed image decides what this broker hosts:
// applying a topic creation opens the replicas, a deletion closes and deletes them. A broker
// started without --peers is the only voter of every group, so it elects itself at once and needs
// no other broker; the code paths are the same.
import { type FetchRequest, type RaftMessagesRequest, randomId, type Timer, WeirError } from '@weir/protocol'
import type { Entry } from '@weir/raft'
import { LogCorruption, type PartitionLog, partitionCountMax, type TopicStore } from '@weir/storage'
import type { Logger } from 'pino'
import { isAclRecord } from '../acl/acl-records.js'
import { isUserRecord } from '../auth/user-records.js'
import type { BrokerEnvironment } from '../environment.js'
import type { PartitionWatch } from '../partition-watch.js'
import { WarningRateLimit, warnLimited } from '../warning-rate-limit.js'
import { BrokerHeartbeats, type KafkaAddress } from './broker-heartbeats.js'
import { isBrokerRecord } from './broker-registry.js'
import { assignReplicas, ClusterImage, type MetadataRecord, type TopicImage } from './cluster-image.js'
import { Controller, controllerGroup, controllerTopic } from './controller.js'
import { isDrainRecord } from './drain-records.js'
import { groupOf, topicOfGroup } from './group-names.js'
import { handOffDrained, handOffLeaders, logHandOff } from './hand-off-leaders.js'
import { HostedReplicas } from './hosted-replicas.js'
import { controllerIncarnation, LeaderDirectory } from './leader-directory.js'
import { leadershipLogLevel } from './leadership-log.js'
import { applyCommittedEntry } from './metadata-apply.js'
import type { ProposalOrigin } from './metadata-record-check.js'
import { defaultPeerLinkLimits, PeerLinks } from './peer-links.js'
import { nodeRandomBytes, type PeerSecurity } from './peer-security.js'
import type { Peer } from './peers.js'
import type { PlacementLimits } from './placement-limits.js'
import { indexOfOffset } from './raft-index.js'
import { RaftReplica, type RaftTiming } from './raft-replica.js'
import { RaftTraffic } from './raft-traffic.js'
import { ReassignmentEngine } from './reassignment-engine.js'
import { TopicIncarnations } from './topic-incarnations.js'

export { groupOf } from './group-names.js'

export interface ClusterOptions {
  readonly selfId: number
  /** Every broker of the cluster, this one included; just this one for a broker started alone. */
  readonly peers: readonly Peer[]
  /** How peers prove membership (mutual TLS or a cluster secret); undefined for a broker alone. */
  readonly security?: PeerSecurity | undefined
  /** One Raft tick; election timeouts are electionTicks to 2x that many ticks. */
  readonly tickMs: number
  readonly electionTicks: number
  readonly heartbeatTicks: number
  /** A follower that has not held everything committed for this long is out of the in-sync replicas. */
  readonly maxReplicaLagMs: number
  /**
   * Topics and replicas per broker the controller allows while this broker leads it (checked
   * again there, so creates sent to different brokers at once cannot overshoot). Default: none.
   */
  readonly placement?: PlacementLimits | undefined
  /** Where Kafka clients reach this broker (--kafka-listen); sent to peers in BrokerHeartbeat. */
  readonly kafkaAddress?: KafkaAddress | undefined
}

export { defaultClusterTiming } from './cluster-timing.js'

const announceIntervalMs = 2000
/** How long a leader's reassignmentCompleted may take to commit before the next pass retries it. */
const reassignmentSubmitMs = 10_000
/** How often partition leaders take the next step of a running reassignment. */
const reassignmentCheckMs = 200
/** How often leaders hand partitions back to their preferred (first) replica once it caught up. */
const preferredLeaderCheckMs = 5000
/** One lost-majority warning per set of unreachable brokers per this long. */
const quorumWarningIntervalMs = 10_000
/** How often a draining broker hands away leaderships it still holds or gained since. */
const drainCheckMs = 1000
// The controller's image is rebuilt from its whole log at start: retention must never cut it.
const controllerLogConfig = {
  fsync: 'always',
  segmentBytes: 8 * 1024 * 1024,
  retentionMs: -1,
  retentionBytes: -1,
} as const

export class Cluster {
  readonly image = new ClusterImage()
  readonly hosted = new HostedReplicas()
  readonly leaders: LeaderDirectory
  private readonly incarnations: TopicIncarnations
  private readonly timing: RaftTiming
  private controller!: Controller
  private controllerReplica!: RaftReplica
  private readonly timers: Timer[] = []
  private applying: Promise<void> = Promise.resolve()
  private readonly appliedListeners = new Set<() => void>()
  private readonly userDeletedHooks: ((name: string) => void)[] = []
  private readonly controllerLeaderHooks: (() => Promise<void>)[] = []
  private readonly anyLeadershipHooks: ((replica: RaftReplica) => void)[] = []
  private readonly leadershipHooks = new Map<
    string,
    (partition: number, replica: RaftReplica | undefined) => void
  >()
  private readonly traffic: RaftTraffic
  /** Broker liveness: heartbeats to and from every peer, and this broker's own state. */
  readonly heartbeats: BrokerHeartbeats
  /** Replicas being repaired after a read met damage, by group. */
  private readonly repairs = new Map<string, Promise<void>>()
  readonly reassignments: ReassignmentEngine
  private readonly quorumWarnings = new WarningRateLimit(quorumWarningIntervalMs)
  private closed = false
  /** This broker leads the controller and has run (or is running) the controller-leader hooks. */
  private leadingController = false

  private constructor(
    readonly options: ClusterOptions,
    private readonly store: TopicStore,
    private readonly watch: PartitionWatch,
    private readonly logger: Logger,
    private readonly environment: BrokerEnvironment,
    readonly links: PeerLinks,
  ) {
    this.timing = {
      electionTicks: options.electionTicks,
      heartbeatTicks: options.heartbeatTicks,
      random: environment.random,
    }
    this.leaders = new LeaderDirectory(this.image, this.hosted)
    this.incarnations = new TopicIncarnations(store, environment.files)
    this.traffic = new RaftTraffic(options.selfId, () => this.brokerIds(), this.hosted, this.leaders, links)
    this.heartbeats = new BrokerHeartbeats({
      selfId: options.selfId,
      brokerIds: () => this.brokerIds(),
      hosted: this.hosted,
      leaders: this.leaders,
      image: this.image,
      links,
      environment,
      logger,
      draining: () => this.image.drainingBrokers().has(options.selfId),
      kafkaAddress: options.kafkaAddress,
    })
    this.reassignments = new ReassignmentEngine({
      selfId: options.selfId,
      image: this.image,
      hosted: this.hosted,
      submit: (record) => this.submit(record, reassignmentSubmitMs),
      logger,
    })
    this.traffic.progressOf = (group) => this.reassignments.progressOf(group)
  }

  /** Opens the controller log (replaying it into the image), then every hosted replica, then ticks. */
  static async start(
    options: ClusterOptions,
    store: TopicStore,
    watch: PartitionWatch,
    logger: Logger,
    environment: BrokerEnvironment,
  ): Promise<Cluster> {
    const { selfId, security } = options
    const randomBytes = environment.randomBytes ?? nodeRandomBytes
    const handshake = security === undefined ? undefined : { security, randomBytes }
    const links = new PeerLinks(selfId, options.peers, defaultPeerLinkLimits, logger, environment, handshake)
    const cluster = new Cluster(options, store, watch, logger, environment, links)
    await cluster.openController()
    // Brokers added or removed since --peers was written are in the log just replayed.
    links.sync(cluster.brokers())
    for (const topic of cluster.image.topics()) await cluster.hostTopic(topic)
    // A broker alone leads its controller from the start: adopt before serving anyone.
    if (cluster.alone) {
      await cluster.adoptLocalTopics()
      await cluster.settled()
    }
    const { timers } = environment
    cluster.timers.push(
      timers.setInterval(() => cluster.hosted.tick(), options.tickMs),
      timers.setInterval(() => cluster.traffic.announceAll(), announceIntervalMs),
      timers.setInterval(() => cluster.restorePreferredLeaders(), preferredLeaderCheckMs),
      timers.setInterval(() => cluster.reassignments.run(), reassignmentCheckMs),
      timers.setInterval(() => cluster.handOffIfDraining(), drainCheckMs),
    )
    for (const timer of cluster.timers) timer.unref()
    cluster.heartbeats.start()
    return cluster
  }

  get selfId(): number {
    return this.options.selfId
  }

  get controllerId(): number {
    return this.controller.leaderId
  }

  /** Every broker of the cluster now, this one included (as brokers()). */
  get peers(): readonly Peer[] {
    return this.brokers()
  }

  /** The brokers of the cluster, by id: --peers, plus those added (add-broker), minus those removed. */
  brokers(): Peer[] {
    return this.image.brokers.brokers(this.options.peers)
  }

  /** The ids of brokers(): what replica sets and reassignment targets may name. */
  brokerIds(): number[] {
    return this.brokers().map((peer) => peer.id)
  }

  /** A broker of the cluster by id, or undefined. */
  broker(id: number): Peer | undefined {
    return this.brokers().find((peer) => peer.id === id)
  }

  /** The controller's own Raft replica (membership changes add and remove its voters). */
  get controllerRaft(): RaftReplica {
    return this.controllerReplica
  }

  /** How peers authenticate; undefined for a broker alone (it has no peer listener). */
  get security(): PeerSecurity | undefined {
    return this.options.security
  }

  /** A cluster of this broker only (started without --peers). */
  get alone(): boolean {
    return this.options.peers.length === 1
  }

  private async openController(): Promise<void> {
    const log = await this.localLog(controllerTopic, 1, controllerLogConfig, 0)
    const replica = await RaftReplica.open({
      group: controllerGroup,
      log,
      selfId: this.selfId,
      voters: this.options.peers.map((peer) => peer.id),
      timing: this.timing,
      transport: this.traffic.transportFor(controllerIncarnation),
      logger: this.logger,
      environment: this.environment,
      replay: (entry) => this.applyToImage(entry),
      applied: (entries) => this.applyCommitted(entries),
      leaderChanged: (leaderId, term) => this.leaderChanged(controllerGroup, leaderId, term),
      quorumLost: (unreachable) => this.quorumLost(controllerGroup, unreachable),
    })
    this.controllerReplica = replica
    this.controller = new Controller(
      replica,
      this.image,
      this.links,
      this.environment,
      () => this.brokers(),
      this.options.placement,
    )
    this.hosted.add(replica, controllerIncarnation)
    // A brand-new cluster: the lowest id starts the first election at once instead of waiting;
    // a broker alone always does (no one else could).
    const lowest = Math.min(...this.options.peers.map((peer) => peer.id))
    if (this.alone || (replica.term === 0 && lowest === this.selfId)) replica.campaign()
  }

  /** The local log of `topic`/`partition`, creating the topic's logs when missing. */
  private async localLog(topic: string, partitions: number, config: object, partition: number) {
    if (!this.store.topicNames().includes(topic)) await this.store.createTopic(topic, partitions, config)
    const local = this.store.topic(topic)
    if (local.partitionCount < partitions) await this.store.createPartitions(topic, partitions)
    return this.store.topic(topic).partition(partition)
  }

  /** Applies a committed entry's valid records; an invalid one is logged and skipped (never thrown: a restart must not fail on it). */
  private applyToImage(entry: Entry): readonly MetadataRecord[] {
    const { applied, skipped } = applyCommittedEntry(this.image, entry)
    for (const { position, summary, error } of skipped) {
      this.logger.error(
        { err: error, entryIndex: entry.index, position },
        `skipped an invalid committed metadata record (${summary}): ${error.message}`,
      )
    }
    return applied
  }

  /** Committed controller entries: update the image now, host or drop replicas in order after. */
  private applyCommitted(entries: readonly Entry[]): void {
    for (const entry of entries) {
      for (const record of this.applyToImage(entry)) {
        // The image is the whole of an ACL change: nothing to open or delete locally.
        if (isAclRecord(record)) continue
        if (isBrokerRecord(record)) {
          this.membershipChanged(record.type === 'brokerRemoved' ? record.id : undefined)
          continue
        }
        // A user change is complete once in the image: nothing to host or drop. A deleted user's
        // open connections are told (the broker closes them).
        if (isUserRecord(record)) {
          if (record.type === 'userDeleted') for (const hook of this.userDeletedHooks) hook(record.name)
          continue
        }
        // A drain is complete in the image; the drained broker starts handing off at once.
        if (isDrainRecord(record)) {
          const { id, draining } = record
          this.logger.info(
            { brokerId: id, draining },
            `broker ${id} ${draining ? 'is draining' : 'is no longer draining'}`,
          )
          if (id === this.selfId && draining) this.handOffIfDraining()
          continue
        }
        this.applying = this.applying
          .then(async () => {
            if (record.type === 'topicDeleted') return this.dropTopic(record.name)
            // The image as it is now, not as it was when this record applied: several moves of one
            // topic completing in one batch must not leave an older replica set beside a newer
            // (cleared) target, which read as "not assigned here" and deleted a voter's log.
            const topic = this.image.topic(record.name)
            if (topic === undefined) return
            // A completed reassignment moved some partition away from this broker, perhaps.
            if (record.type === 'reassignmentCompleted') await this.releaseUnassigned(topic)
            return this.hostTopic(topic)
          })
          .catch((error: unknown) =>
            this.logger.error({ err: error, record }, 'applying a metadata change failed'),
          )
      }
    }
    void this.applying.then(() => {
      for (const listener of this.appliedListeners) listener()
    })
  }

  /** The brokers changed: links follow them (a new broker gets one, a removed broker loses its own). */
  private membershipChanged(removed: number | undefined): void {
    this.links.sync(this.brokers())
    if (removed === this.selfId)
      this.logger.warn(
        'this broker was removed from the cluster (remove-broker): it holds no replicas and takes no part; stop it',
      )
  }

  /** Whether this broker holds a replica of the partition: in its replica set or a reassignment's target. */
  private assignedHere(topic: TopicImage, partition: number): boolean {
    const target = this.image.targets.of(topic.name, partition)?.replicas ?? []
    return topic.replicas[partition]!.includes(this.selfId) || target.includes(this.selfId)
  }

  /** Creates the topic's local logs and opens a replica for each partition this broker hosts. */
  private async hostTopic(topic: TopicImage): Promise<void> {
    if (this.closed) return
    await this.dropStaleIncarnation(topic)
    // Left over from a reassignment that completed while this broker was down.
    await this.releaseUnassigned(topic)
    for (let partition = 0; partition < topic.replicas.length; partition++) {
      // A broker joining through a reassignment opens with the current set, of which it is no
      // voter: it never campaigns, and becomes a voter when the leader's config entry adds it.
      const replicas = topic.replicas[partition]!
      const group = groupOf(topic.name, partition)
      // A replica under repair is reopened by repair() itself, with what its log lost.
      if (!this.assignedHere(topic, partition) || this.hosted.has(group) || this.repairs.has(group)) continue
      const log = await this.localLog(topic.name, topic.replicas.length, topic.config, partition)
      const replica = await this.openPartitionReplica(topic, partition, log)
      this.hosted.add(replica, topic.id)
      // The preferred leader of a new partition campaigns at once (leaders spread and start fast);
      // the only voter of a group always does.
      const soleVoter = replicas.length === 1 && replicas[0] === this.selfId
      if (soleVoter || (replica.term === 0 && replicas[0] === this.selfId)) replica.campaign()
    }
    await this.incarnations.record(topic.name, topic.id)
  }

  private openPartitionReplica(
    topic: TopicImage,
    partition: number,
    log: PartitionLog,
    repairThrough?: number,
  ): Promise<RaftReplica> {
    const group = groupOf(topic.name, partition)
    return RaftReplica.open({
      group,
      log,
      selfId: this.selfId,
      voters: topic.replicas[partition]!,
      timing: this.timing,
      transport: this.traffic.transportFor(topic.id),
      logger: this.logger,
      environment: this.environment,
      committed: () => this.watch.notify(topic.name, partition),
      leaderChanged: (leaderId, term) => this.leaderChanged(group, leaderId, term),
      maxReplicaLagMs: this.options.maxReplicaLagMs,
      // Every broker answers Metadata with the in-sync replicas: the leader tells them at once.
      inSyncChanged: () => {
        const hosted = this.hosted.get(group)
        if (hosted?.isLeader) this.traffic.announce(group, this.selfId, hosted.term)
      },
      copyBytesPerSec: () => this.image.targets.of(topic.name, partition)?.throttleBytesPerSec,
      quorumLost: (unreachable) => this.quorumLost(group, unreachable),
      ...(repairThrough === undefined ? {} : { repairThrough }),
    })
  }

  /**
   * What a read that met damage in a partition's log answers. With other replicas to copy from,
   * this replica stops serving and repairs (see repair): the reader gets a retriable NOT_LEADER and
   * reads from the new leader. A sole replica has nowhere to copy from: LOG_CORRUPTED as it is.
   */
  readFailed(topic: string, partition: number, error: unknown): unknown {
    if (!(error instanceof LogCorruption)) return error
    const voters = this.image.topic(topic)?.replicas[partition] ?? []
    if (voters.length <= 1) return error
    const replica = this.hosted.of(topic, partition)
    // A read that started before a repair took the replica away (or cut the damage off) ends
    // here after it: the reader still belongs at another replica, and this is not fatal.
    const alreadyCut = replica !== undefined && error.offset >= replica.log.logEndOffset
    if (replica === undefined || alreadyCut || this.repairs.has(replica.group)) {
      const where = replica?.whereLeader() ?? 'retry shortly'
      return new WeirError(
        'NOT_LEADER',
        `broker ${this.selfId} is repairing ${topic}/${partition} from another replica: ${where}`,
      )
    }
    const repair = this.repair(topic, partition, replica, error)
      .catch((repairError: unknown) =>
        this.logger.error(
          { err: repairError, group: replica.group },
          `could not repair ${replica.group}; restart this broker to retry`,
        ),
      )
      .finally(() => this.repairs.delete(replica.group))
    this.repairs.set(replica.group, repair)
    return replica.notLeader('its log is damaged here and is being repaired from another replica')
  }

  /**
   * Hands leadership to a caught-up follower (when leading), closes the replica, cuts its log where
   * the damage starts and opens it again in repair mode: it copies the rest from the leader and
   * neither votes nor leads until it holds what it lost.
   */
  private async repair(topic: string, partition: number, replica: RaftReplica, damage: LogCorruption) {
    const group = replica.group
    const image = this.image.topic(topic)
    if (image === undefined || this.closed) return
    if (replica.isLeader) await this.handOff(replica, image.replicas[partition]!)
    if (this.hosted.get(group) !== replica || this.closed) return
    const stillLeading = replica.isLeader
    await this.hosted.remove(group)
    // No hand-off in time: leadership hooks (a group coordinator) must hear that it ended here.
    if (stillLeading) this.leaderChanged(group, 0, replica.term)
    const log = replica.log
    const before = log.logEndOffset
    await log.truncateSuffix(damage.offset)
    this.logger.warn(
      { group, cutAtOffset: damage.offset, logEndOffsetBefore: before },
      `${group}: a read met damage (${damage.message}); cut the log at offset ${damage.offset} and repairing from the leader`,
    )
    const reopened = await this.openPartitionReplica(image, partition, log, indexOfOffset(before) - 1)
    // Deleted (or deleted and created again) meanwhile: the new creation is hostTopic's business.
    if (this.closed || this.hosted.has(group) || this.image.topic(topic)?.id !== image.id) {
      await reopened.close()
      return
    }
    this.hosted.add(reopened, image.id)
  }

  /** Transfers leadership to the first follower that holds the whole log; waits up to an election timeout. */
  private async handOff(replica: RaftReplica, voters: readonly number[]): Promise<void> {
    const { clock, timers } = this.environment
    const deadline = clock.now() + 2 * this.options.electionTicks * this.options.tickMs
    while (replica.isLeader && clock.now() < deadline) {
      for (const id of voters) if (id !== this.selfId && replica.transferTo(id)) break
      await new Promise<void>((resolve) => timers.setTimeout(resolve, this.options.tickMs))
    }
  }

  /** Local logs of an earlier creation of the topic (deleted and created again while away) go first. */
  private async dropStaleIncarnation(topic: TopicImage): Promise<void> {
    const local = await this.incarnations.local(topic.name)
    if (local === undefined || local === topic.id) return
    this.logger.warn(
      { topic: topic.name },
      `deleting local logs of an earlier topic ${topic.name} (it was deleted and created again)`,
    )
    await this.dropTopic(topic.name)
  }

  /**
   * A data directory from before brokers ran Raft (or written by a broker alone) may hold topics
   * the controller log does not know: a broker alone adopts them as one-voter topics, keeping
   * their records and offsets. Topics with a creation id belonged to a cluster and are left alone.
   */
  private async adoptLocalTopics(): Promise<void> {
    for (const name of this.store.topicNames()) {
      if (name === controllerTopic || this.image.topic(name) !== undefined) continue
      if ((await this.incarnations.local(name)) !== undefined) continue
      const local = this.store.topic(name)
      const replicas = Array.from({ length: local.partitionCount }, () => [this.selfId])
      const id = randomId(this.environment.random)
      try {
        await this.proposeHere({ type: 'topicCreated', name, id, config: local.config, replicas }, 'broker')
        this.logger.info({ topic: name, partitions: local.partitionCount }, `adopted local topic ${name}`)
      } catch (error) {
        this.logger.error(
          { err: error, topic: name },
          `could not adopt local topic ${name}; restart to retry`,
        )
      }
    }
  }

  /**
   * Closes this broker's replicas of partitions no longer assigned to it and deletes their local
   * data (log and Raft state): the whole topic directory when it holds nothing of the topic
   * anymore. Only where no reassignment runs: until one completes, a broker that a replaced target
   * had added may still be a voter, and a voter's log must never go (it may count toward a commit).
   */
  private async releaseUnassigned(topic: TopicImage): Promise<void> {
    if (!this.store.topicNames().includes(topic.name)) return
    const local = this.store.topic(topic.name)
    const releasing: number[] = []
    let holdsSome = false
    for (let partition = 0; partition < Math.min(topic.replicas.length, local.partitionCount); partition++) {
      const group = groupOf(topic.name, partition)
      const log = local.partition(partition)
      const holdsData = this.hosted.has(group) || log.logEndOffset > 0 || log.logStartOffset > 0
      const moving = this.image.targets.of(topic.name, partition) !== undefined
      if (this.assignedHere(topic, partition) || (moving && holdsData)) holdsSome = true
      else if (holdsData) releasing.push(partition)
    }
    if (!holdsSome) {
      if (releasing.length > 0)
        this.logger.info(
          { topic: topic.name },
          `this broker holds no replica of ${topic.name} anymore; deleting its logs`,
        )
      return this.dropTopic(topic.name)
    }
    for (const partition of releasing) {
      const group = groupOf(topic.name, partition)
      await this.hosted.remove(group)
      this.leaders.forget(group)
      await local.emptyPartition(partition)
      this.logger.info({ group }, `${group} moved away from this broker; its local log is deleted`)
    }
  }

  private async dropTopic(name: string): Promise<void> {
    for (const group of this.hosted.groupsOf(name)) {
      await this.hosted.remove(group)
      this.leaders.forget(group)
    }
    if (this.store.topicNames().includes(name)) await this.store.deleteTopic(name)
  }

  /** Resolves once `check()` holds after applying committed changes, or false after `timeoutMs`. */
  async caughtUp(check: () => boolean, timeoutMs: number): Promise<boolean> {
    const { clock, timers } = this.environment
    const deadline = clock.now() + timeoutMs
    while (!check()) {
      const remainingMs = deadline - clock.now()
      if (remainingMs <= 0) return false
      await new Promise<void>((resolve) => {
        const done = () => {
          timers.clear(timer)
          this.appliedListeners.delete(done)
          resolve()
        }
        const timer = timers.setTimeout(done, Math.min(remainingMs, 100))
        this.appliedListeners.add(done)
      })
    }
    return true
  }

  /** Resolves once every committed change applied to the image so far is applied locally too (replicas opened or dropped). */
  async settled(): Promise<void> {
    let seen: Promise<void> | undefined
    while (seen !== this.applying) {
      seen = this.applying
      await seen
    }
  }

  replicaOf(topic: string, partition: number): RaftReplica | undefined {
    return this.hosted.of(topic, partition)
  }

  leaderOf(topic: string, partition: number): number {
    return this.leaders.leaderOf(topic, partition)
  }

  inSyncOf(topic: string, partition: number): readonly number[] | undefined {
    return this.leaders.inSyncOf(topic, partition)
  }

  leaderEpochOf(topic: string, partition: number): number | undefined {
    return this.leaders.leaderEpochOf(topic, partition)
  }

  /** The leader replica of a partition on this broker. Errors: UNKNOWN_TOPIC, UNKNOWN_PARTITION, NOT_LEADER. */
  leaderReplica(topic: string, partition: number): RaftReplica {
    const replica = this.hosted.of(topic, partition)
    if (replica?.isLeader) return replica
    const image = this.image.topic(topic)
    if (image === undefined || topic === controllerTopic)
      throw new WeirError(
        'UNKNOWN_TOPIC',
        `topic ${topic} does not exist; list topics with \`weir topics list\``,
      )
    if (!Number.isInteger(partition) || partition < 0 || partition >= image.replicas.length) {
      throw new WeirError(
        'UNKNOWN_PARTITION',
        `topic ${topic} has partitions 0 to ${image.replicas.length - 1}`,
      )
    }
    const leader = this.leaderOf(topic, partition)
    const where =
      leader !== -1
        ? `broker ${leader} leads it`
        : (replica?.whereLeader() ?? 'no leader is elected yet; retry shortly')
    throw new WeirError('NOT_LEADER', `broker ${this.selfId} does not lead ${topic}/${partition}: ${where}`)
  }

  /** Commits a metadata change through the controller. */
  submit(record: MetadataRecord, timeoutMs: number): Promise<void> {
    return this.controller.submit(record, timeoutMs)
  }

  /** Commits a change on this broker, the controller leader; `origin` 'broker' for its own upkeep only. */
  proposeHere(record: MetadataRecord, origin: ProposalOrigin = 'user'): Promise<void> {
    if (!this.controller.replica.isLeader) return Promise.reject(this.controller.replica.notLeader())
    return this.controller.proposeHere(record, origin)
  }

  /** Replica sets for new partitions, spread over every broker. */
  assign(first: number, count: number, replicationFactor: number): number[][] {
    // Checked before the sets are built: a request may ask for a million partitions.
    if (!Number.isInteger(count) || count < 1 || first + count > partitionCountMax) {
      throw new WeirError(
        'INVALID_CONFIG',
        `a topic has 1 to ${partitionCountMax} partitions; ${first + count} were asked for`,
      )
    }
    const ids = this.brokerIds()
    if (!Number.isInteger(replicationFactor) || replicationFactor < 1 || replicationFactor > ids.length) {
      const why = this.alone
        ? 'this broker runs alone (no --peers), so 1 is the most it can hold; start a cluster to replicate'
        : `the cluster has ${ids.length} brokers`
      throw new WeirError(
        'INVALID_CONFIG',
        `replicationFactor must be from 1 to ${ids.length}, got ${replicationFactor}: ${why}`,
      )
    }
    return assignReplicas(ids, first, count, replicationFactor)
  }

  /** A peer's Fetch (a restore copying committed data from here): noted for reassignment progress. */
  noteCopy(peerId: number, request: FetchRequest): void {
    for (const topic of request.topics)
      for (const { partition, fetchOffset } of topic.partitions)
        this.reassignments.noteCopy(groupOf(topic.name, partition), peerId, fetchOffset)
  }

  /** A RaftMessages request from a peer. */
  receive(request: RaftMessagesRequest): void {
    this.traffic.receive(request)
  }

  /** Runs `hook` each time this broker becomes the controller leader (bootstrap work). */
  onControllerLeader(hook: () => Promise<void>): void {
    this.controllerLeaderHooks.push(hook)
    // Once this broker's leadership was announced (leaderChanged), its run of the hooks is under
    // way without this one; before that, that run will include it.
    if (this.leadingController) void this.runControllerHooks([hook])
  }

  /** Calls `hook(partition, replica)` when this broker starts leading a partition of `topic`, and with undefined when it stops. */
  onLeadership(topic: string, hook: (partition: number, replica: RaftReplica | undefined) => void): void {
    this.leadershipHooks.set(topic, hook)
    for (const replica of this.hosted.values()) {
      const where = topicOfGroup(replica.group)
      if (where.topic === topic && replica.isLeader) hook(where.partition, replica)
    }
  }

  /** Calls `hook(name)` when a committed record deletes a SCRAM user (on every broker). */
  onUserDeleted(hook: (name: string) => void): void {
    this.userDeletedHooks.push(hook)
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
    const replicationFactor = Math.min(replicationFactorMax, this.brokerIds().length)
    const replicas = this.assign(0, partitions, replicationFactor)
    try {
      const id = randomId(this.environment.random)
      await this.proposeHere({ type: 'topicCreated', name, id, config, replicas }, 'broker')
      this.logger.info({ topic: name, partitions, replicationFactor }, `created ${name}`)
    } catch (error) {
      this.logger.warn(
        { err: error, topic: name },
        `could not create ${name} yet; the next controller leader retries`,
      )
    }
  }

  private async runControllerHooks(hooks = this.controllerLeaderHooks): Promise<void> {
    // The hooks registered now: one registered while this runs runs itself (onControllerLeader).
    const registered = [...hooks]
    // After the leader's no-op commits, the image holds everything earlier leaders committed.
    await this.controller.replica.caughtUp()
    await this.applying
    for (const hook of registered) await hook()
  }

  private leaderChanged(group: string, leaderId: number, term: number): void {
    this.leaders.set(group, leaderId, term)
    const { topic, partition } = topicOfGroup(group)
    const led = leaderId === this.selfId ? this.hosted.get(group) : undefined
    if (group === controllerGroup) this.leadingController = led !== undefined
    if (led !== undefined) {
      if (group === controllerGroup) void this.runControllerHooks()
      for (const hook of this.anyLeadershipHooks) hook(led)
      this.traffic.announce(group, leaderId, term)
    }
    this.leadershipHooks.get(topic)?.(partition, led)
    this.watch.notify(topic, partition)
    this.logger[leadershipLogLevel(leaderId, this.selfId, this.alone)](
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
    for (const replica of this.hosted.values()) {
      if (!replica.isLeader || replica.group === controllerGroup) continue
      const { topic, partition } = topicOfGroup(replica.group)
      // While a partition moves, its leader hands over only when it leaves the group (the
      // reassignment engine does, once every new replica caught up): a handover while one is
      // still copying would meet a group with no voter to spare.
      if (this.image.targets.of(topic, partition) !== undefined) continue
      const preferred = this.image.topic(topic)?.replicas[partition]?.[0]
      if (preferred === undefined || preferred === this.selfId) continue
      // A preferred replica repairing a damaged log is behind the whole log (it said so in its
      // heartbeat answers), so transferTo refuses it; were it not, it would ignore the hand-over.
      if (this.image.drainingBrokers().has(preferred)) continue
      if (replica.transferTo(preferred)) {
        // debug: the preferred leader logs the outcome at info ("... is led by broker N").
        this.logger.debug(
          { group: replica.group, to: preferred },
          `handing ${replica.group} back to its preferred leader`,
        )
      }
    }
  }

  /**
   * Before this broker stops: hands every group it leads (partitions and the controller) to an
   * in-sync follower, waiting at most `boundMs`. A broker alone has no one to hand to.
   */
  async handOffLeadership(boundMs: number): Promise<void> {
    if (this.alone) return
    const startedMs = this.environment.clock.now()
    const avoid = this.image.drainingBrokers()
    const outcome = await handOffLeaders(() => this.hosted.values(), avoid, this.environment, boundMs)
    logHandOff(this.logger, outcome, this.environment.clock.now() - startedMs, 'stopping')
  }

  /**
   * A leader that lost its majority steps down and fails its pending writes: one warning per set
   * of unreachable brokers per 10 s, however many groups and requests it hits.
   */
  private quorumLost(group: string, unreachable: readonly number[]): void {
    const sink = { limiter: this.quorumWarnings, clock: this.environment.clock, logger: this.logger }
    const brokers = unreachable.join(', ')
    warnLimited(
      sink,
      brokers,
      { group, unreachable },
      `lost contact with a majority of replicas (brokers ${brokers} unreachable): stopped leading ${group} and other groups; their writes fail with NOT_ENOUGH_REPLICAS until those brokers are back`,
    )
  }

  /** While this broker is marked draining: hands every group it leads to a non-draining follower. */
  private handOffIfDraining(): void {
    const draining = this.image.drainingBrokers()
    if (this.closed || !draining.has(this.selfId)) return
    handOffDrained(this.hosted.values(), draining, this.logger)
  }

  async close(): Promise<void> {
    this.closed = true
    for (const timer of this.timers) this.environment.timers.clear(timer)
    this.heartbeats.close()
    await this.applying
    await Promise.allSettled(this.repairs.values())
    await this.hosted.close()
    this.links.close()
  }
}
