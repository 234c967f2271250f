// One replica of one Raft group, hosting the pure @weir/raft node over a partition log. The
// ready loop is the only writer of the log: it appends (and truncates) what the node says, makes
// term and vote durable, then sends, then tells waiting producers and the applier what committed,
// then advances the node. One ready at a time per group; proposals made meanwhile ride the next
// one, so every fsync covers all of them (group commit at the Raft level).
import { BatchField, delay, offsetCountAt, readUint64, settlesWithin, WeirError } from '@weir/protocol'
import {
  type ClusterConfig,
  type Entry,
  EntryKind,
  type HardState,
  type Message,
  RaftNode,
  type Ready,
  type Restore,
  type Role,
} from '@weir/raft'
import { LogCorruption, type PartitionLog } from '@weir/storage'
import type { Logger } from 'pino'
import type { BrokerEnvironment } from '../environment.js'
import { CommittedPrefixFile } from './committed-prefix-file.js'
import { CopyThrottle } from './copy-throttle.js'
import { HardStateFile } from './hard-state-file.js'
import { InSyncReplicas } from './in-sync-replicas.js'
import { handoffTarget } from './leadership-handoff.js'
import { restoreFromLog } from './log-restore.js'
import { type Acks, LeadershipTransferring, type PartitionReplica } from './partition-replica.js'
import { asBuffer, batchesIn, batchOfEntry, entryOfBatch, logStartBatch, logStartOf } from './raft-batches.js'
import { indexOfOffset, offsetOfIndex } from './raft-index.js'

export interface RaftTiming {
  readonly electionTicks: number
  readonly heartbeatTicks: number
  readonly random: () => number
  /** Entry payload bytes the core keeps for sending appends; older entries go by restore. */
  readonly windowBytesMax?: number
}

export interface ReplicaTransport {
  /** Queues `message` for its destination broker (coalesced with other groups' messages). */
  send(group: string, message: Message): void
  /** Committed batches of `group` from `leaderId`, starting at `offset` (a restore copies them). */
  fetchCommitted(leaderId: number, group: string, offset: number, maxBytes: number): Promise<Buffer>
}

export interface ReplicaOptions {
  readonly group: string
  readonly log: PartitionLog
  readonly selfId: number
  readonly voters: readonly number[]
  readonly timing: RaftTiming
  readonly transport: ReplicaTransport
  readonly logger: Logger
  /** Time for the in-sync window and state-file stamps; the disk of the state files. */
  readonly environment: Pick<BrokerEnvironment, 'clock' | 'files' | 'timers'>
  /** Entries committed at open, in order (the controller rebuilds its image from them). */
  readonly replay?: (entry: Entry) => void
  /** Newly committed entries, in order, after they are durable on a majority. */
  readonly applied?: (entries: readonly Entry[]) => void
  /** The high watermark moved (wake long polls). */
  readonly committed?: () => void
  readonly leaderChanged?: (leaderId: number, term: number) => void
  /** While leading: how long a follower may go without holding everything committed and stay in sync. */
  readonly maxReplicaLagMs?: number
  /** The in-sync replicas changed (this replica leads, or just stopped leading). */
  readonly inSyncChanged?: () => void
  /**
   * The log held entries up to this index and lost some (a read met damage and cut it): the
   * replica neither votes nor leads until it holds them again (RestoredState.repairThrough).
   */
  readonly repairThrough?: number
  /** Bytes per second a restore (this replica copying from its leader) may copy; undefined: no cap. */
  readonly copyBytesPerSec?: () => number | undefined
  /** This replica stopped leading because it could not reach a majority (`unreachable` named). */
  readonly quorumLost?: (unreachable: readonly number[]) => void
}

const defaultReplicaLagMaxMs = 10_000
const inSyncEveryTicks = 5

const cutWaitMs = 10_000

interface Waiter {
  readonly lastIndex: number
  readonly term: number
  readonly acks: Acks
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

const restoreReadBytes = 1024 * 1024
/** Damaged batches met while reading the log at open, each cut and read past, before giving up. */
const damagedReadsAtOpenMax = 8

/**
 * A restore asked the leader for offsets its retention has already deleted: the copy continues
 * from the leader's log start, and this replica drops what it held below (it is retention here too).
 */
export class LogStartMoved extends WeirError {
  constructor(
    group: string,
    readonly logStartOffset: number,
  ) {
    super('OFFSET_OUT_OF_RANGE', `the leader of ${group} keeps offsets from ${logStartOffset} only`)
  }
}

/**
 * The last index a log held before its open cut damage away (storage's recovery.corruption), for
 * a group with other replicas to copy it back from; undefined when nothing was lost.
 */
function lostAtOpen(options: ReplicaOptions, soleVoter: boolean): number | undefined {
  const cut = options.log.recovery.corruption
  if (cut === undefined || cut.logEndOffsetBefore <= cut.offset) return undefined
  if (soleVoter) {
    options.logger.error(
      { group: options.group, cutAtOffset: cut.offset, logEndOffsetBefore: cut.logEndOffsetBefore },
      `${options.group} lost offsets ${cut.offset} to ${cut.logEndOffsetBefore - 1} to a damaged segment (${cut.reason}); it has no other replica to copy them from`,
    )
    return undefined
  }
  options.logger.warn(
    { group: options.group, cutAtOffset: cut.offset, logEndOffsetBefore: cut.logEndOffsetBefore },
    `${options.group}: a damaged segment was cut at offset ${cut.offset} (${cut.reason})`,
  )
  return indexOfOffset(cut.logEndOffsetBefore) - 1
}

/** Cuts the log where a read met damage; returns the last index the log held before. */
async function cutDamage(options: ReplicaOptions, damage: LogCorruption): Promise<number> {
  const { log, group, logger } = options
  const before = log.logEndOffset
  await log.truncateSuffix(damage.offset)
  logger.warn(
    { group, cutAtOffset: damage.offset, logEndOffsetBefore: before },
    `${group}: cut the log at offset ${damage.offset}, where damage starts (${damage.message})`,
  )
  return indexOfOffset(before) - 1
}

function sendsEarly(message: Message): boolean {
  return message.type === 'append' || message.type === 'heartbeat'
}

export class RaftReplica implements PartitionReplica {
  private readonly waiters: Waiter[] = []
  private persistedIndex: number
  /** The last index handed to `applied` (or replayed at open). */
  private appliedThrough: number
  /** The ready loop while it runs; close() waits for it. */
  private running: Promise<void> | undefined
  /** Settles once every entry a leader wrote ahead (see drain) is durable, in order. */
  private writes: Promise<void> = Promise.resolve()
  private closed = false
  private role: Role = 'follower'
  private leader = 0
  private readonly commitListeners = new Set<() => void>()
  /** Told on every role or leader change, and at close (transferEnded waits on them). */
  private readonly roleListeners = new Set<() => void>()
  private readonly inSync: InSyncReplicas
  private ticksSinceInSync = 0
  /** While leading: when each follower last answered (append or heartbeat response). */
  private readonly heardAtMs = new Map<number, number>()
  /** The highest commit index a leader has told this replica of (appends, heartbeats, restores). */
  private leaderCommitSeen = -1
  private heardFromLeader = false
  /** The node was repairing at the last look: once it is not, the hard-state file forgets it. */
  private repairPending: boolean
  private readonly copyThrottle = new CopyThrottle()
  /** Ticks since open, and the tick each peer's last message arrived at (who is unreachable). */
  private ticks = 0
  private readonly heardAtTick = new Map<number, number>()

  private constructor(
    private readonly options: ReplicaOptions,
    private readonly node: RaftNode,
    private readonly hardState: HardStateFile,
    private readonly prefixFile: CommittedPrefixFile,
  ) {
    this.persistedIndex = node.lastIndex
    this.appliedThrough = node.commitIndex
    const lagMaxMs = options.maxReplicaLagMs ?? defaultReplicaLagMaxMs
    this.inSync = new InSyncReplicas(options.selfId, options.voters, lagMaxMs)
    this.repairPending = node.repairing
    // Counted from open: nobody is unreachable before an election timeout of silence.
    for (const id of options.voters) this.heardAtTick.set(id, 0)
  }

  static async open(options: ReplicaOptions): Promise<RaftReplica> {
    const { files } = options.environment
    const hardState = await HardStateFile.open(files, options.log.directory)
    const prefixFile = new CommittedPrefixFile(files, options.log.directory)
    const config: ClusterConfig = { voters: [...options.voters] }
    const saved = await prefixFile.read()
    // A group of one voter has committed everything it holds (no other log can overrule it), and a
    // log written before the broker ran Raft has no hard state at all: read neither as a tail.
    const soleVoter = options.voters.length === 1 && options.voters[0] === options.selfId
    const restoredHardState = soleVoter
      ? { ...hardState.state, commit: Number.MAX_SAFE_INTEGER }
      : hardState.state
    const lost = [options.repairThrough, hardState.repairThrough, lostAtOpen(options, soleVoter)]
    let repairThrough = Math.max(-1, ...lost.filter((index) => index !== undefined))
    let restoring: Awaited<ReturnType<typeof restoreFromLog>> | undefined
    for (let damaged = 0; restoring === undefined; damaged++) {
      try {
        restoring = await restoreFromLog(options.log, restoredHardState, config, options.replay, saved)
      } catch (error) {
        // The controller has replayed part of its log into its image already: it cannot read again.
        const canCut = !soleVoter && options.replay === undefined && damaged < damagedReadsAtOpenMax
        if (!(error instanceof LogCorruption) || !canCut) throw error
        repairThrough = Math.max(repairThrough, await cutDamage(options, error))
      }
    }
    const { state, prefixUsed } = restoring
    // A prefix the log no longer matches must not come back once new entries reach its offsets.
    if (saved !== undefined && !prefixUsed) await prefixFile.remove()
    const repairing = repairThrough > state.lastIndex
    // Durable before the node runs: a restart mid-repair must still know what the log lost.
    const wanted = repairing ? repairThrough : undefined
    if (hardState.repairThrough !== wanted) {
      await hardState.setRepairThrough(wanted, options.environment.clock.now())
    }
    if (repairing) {
      options.logger.warn(
        { group: options.group, lastIndex: state.lastIndex, repairThrough },
        `${options.group} lost log entries up to ${repairThrough}; repairing from the leader (this replica neither votes nor leads until it holds them again)`,
      )
    }
    const restored = repairing ? { ...state, repairThrough } : state
    const node = new RaftNode({ id: options.selfId, ...options.timing }, restored)
    return new RaftReplica(options, node, hardState, prefixFile)
  }

  /** The log lacks entries it once held and has not yet copied them back from the leader. */
  get repairing(): boolean {
    return this.node.repairing
  }

  get group(): string {
    return this.options.group
  }

  get leaderId(): number {
    return this.node.leaderId
  }

  get isLeader(): boolean {
    return this.node.role === 'leader'
  }

  get term(): number {
    return this.node.term
  }

  /** The first offset consumers may not read: everything below is committed by a majority. */
  get highWatermark(): number {
    return Math.max(offsetOfIndex(this.node.commitIndex) + 1, this.options.log.logStartOffset)
  }

  get log(): PartitionLog {
    return this.options.log
  }

  /** Resolves once this replica's log starts at `offset` or later (a log-start marker applied), or it closed. */
  logStartReached(offset: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.options.log.logStartOffset < offset && !this.closed) return
        this.commitListeners.delete(check)
        resolve()
      }
      this.commitListeners.add(check)
      check()
    })
  }

  /** Resolves once everything in the log now is committed (a new leader: its no-op committed). */
  caughtUp(): Promise<void> {
    const end = this.options.log.logEndOffset
    return new Promise((resolve) => {
      const check = () => {
        if (this.highWatermark < end && !this.closed) return
        this.commitListeners.delete(check)
        resolve()
      }
      this.commitListeners.add(check)
      check()
    })
  }

  tick(): void {
    if (this.closed) return
    this.ticks++
    this.node.tick()
    this.kick()
    if (this.repairPending && !this.node.repairing) this.repaired()
    // The in-sync set needs no 50 ms precision against a window of seconds: every 5th tick.
    if (this.role === 'leader' && ++this.ticksSinceInSync >= inSyncEveryTicks) {
      this.ticksSinceInSync = 0
      const matches = new Map<number, number>()
      for (const [id, progress] of this.node.progress())
        if (id !== this.options.selfId) matches.set(id, progress.match)
      const now = this.options.environment.clock.now()
      const { voters } = this.node.config
      if (this.inSync.update(now, this.node.commitIndex, matches, this.heardAtMs, voters))
        this.options.inSyncChanged?.()
    }
  }

  /** The leader and the followers in sync with it, in replica order; empty unless this replica leads. */
  get inSyncReplicas(): readonly number[] {
    // Until the first sample (a few ticks after winning), only the leader itself is known in sync.
    if (this.inSync.members.length === 0 && this.isLeader) return [this.options.selfId]
    return this.inSync.members
  }

  private repaired(): void {
    this.repairPending = false
    const { group } = this
    this.hardState.setRepairThrough(undefined, this.options.environment.clock.now()).then(
      () =>
        this.options.logger.info(
          { group, lastIndex: this.node.lastIndex },
          `${group} is repaired: its log holds again every entry it lost`,
        ),
      (error: unknown) => {
        // Still marked as repairing on disk: a restart repairs again, which costs only time.
        this.options.logger.warn({ err: error, group }, 'could not record that the replica is repaired')
      },
    )
  }

  step(message: Message): void {
    if (this.closed) return
    this.noteLeaderCommit(message)
    this.heardAtTick.set(message.from, this.ticks)
    this.node.step(message)
    if (
      this.node.role === 'leader' &&
      message.term === this.node.term &&
      (message.type === 'appendResponse' || message.type === 'heartbeatResponse')
    )
      this.heardAtMs.set(message.from, this.options.environment.clock.now())
    this.kick()
  }

  /**
   * How much of the committed log this replica holds, as far as it knows, in offsets from its log
   * start: what it holds of it, and how much its leader has committed (a leader holds all of it).
   * Until a leader spoke to it (since this broker started) it cannot know: `leaderHeard` false.
   * A broker is catching up while some replica holds less (broker-state.ts).
   */
  get catchUp(): {
    readonly heldOffsets: number
    readonly committedOffsets: number
    readonly leaderHeard: boolean
  } {
    const log = this.options.log
    const start = log.logStartOffset
    const end = this.isLeader
      ? this.highWatermark
      : Math.max(this.highWatermark, offsetOfIndex(this.leaderCommitSeen) + 1)
    // A follower that applies what commits (the controller, into its image) holds it only once applied.
    const applied =
      this.options.applied === undefined || this.isLeader
        ? log.logEndOffset
        : offsetOfIndex(this.appliedThrough) + 1
    return {
      heldOffsets: Math.min(log.logEndOffset, applied, end) - start,
      committedOffsets: end - start,
      leaderHeard: this.isLeader || this.heardFromLeader,
    }
  }

  private noteLeaderCommit(message: Message): void {
    if (message.type === 'append' || message.type === 'heartbeat') {
      this.leaderCommitSeen = Math.max(this.leaderCommitSeen, message.commit)
      this.heardFromLeader = true
    } else if (message.type === 'snapshot') {
      this.leaderCommitSeen = Math.max(this.leaderCommitSeen, message.snapshot.index)
      this.heardFromLeader = true
    }
  }

  /**
   * Hands leadership to `to` when this replica leads and `to` holds the whole log (Kafka's
   * preferred-leader election, done by Raft leadership transfer). Returns whether it started.
   */
  transferTo(to: number): boolean {
    if (this.closed || this.node.role !== 'leader') return false
    const progress = this.node.progress().get(to)
    if (progress === undefined || progress.match < this.node.lastIndex) return false
    this.node.transferLeadership(to)
    this.kick()
    return true
  }

  /** Follower, pre-candidate, candidate or leader (the metrics endpoint reports it). */
  get raftRole(): Role {
    return this.node.role
  }

  /** The Raft index of the last entry known committed. */
  get commitIndex(): number {
    return this.node.commitIndex
  }

  /** The group's latest config (in effect once appended, committed or not). */
  get voters(): readonly number[] {
    return this.node.config.voters
  }

  /** A membership change is appended but not committed yet. */
  get configPending(): boolean {
    return this.node.configPending
  }

  /** The highest offset known to be in `broker`'s log while this replica leads (-1: none or unknown). */
  matchOf(broker: number): number {
    if (broker === this.options.selfId) return this.persistedIndex
    return this.node.progress().get(broker)?.match ?? -1
  }

  /** While leading: whether `broker` holds everything committed (this replica always does). */
  holdsCommitted(broker: number): boolean {
    return this.isLeader && (broker === this.options.selfId || this.matchOf(broker) >= this.node.commitIndex)
  }

  /**
   * Proposes one single-server membership change (Raft dissertation §4.1); false when the core
   * refuses it (not leading, or the last change is not committed yet).
   */
  changeMembership(change: { add: number } | { remove: number }): boolean {
    if (this.closed) return false
    const result = this.node.proposeConfigChange(change)
    this.kick()
    return result.ok
  }

  /**
   * Hands leadership to `to` (a voter holding everything committed) even while writes go on: the
   * core brings it up to the last entry, then tells it to campaign. Proposals are refused
   * (NOT_LEADER, retriable) for that moment. Returns whether it started.
   */
  handOver(to: number): boolean {
    if (this.closed || !this.holdsCommitted(to)) return false
    this.node.transferLeadership(to)
    this.kick()
    return true
  }

  /**
   * Starts handing leadership to the best follower not in `avoid` (see handoffTarget), even one a
   * few entries behind: the core sends it what it lacks, then tells it to campaign, and refuses
   * proposals meanwhile (NOT_LEADER, so clients look for the new leader). Returns the target, or
   * undefined when this replica does not lead or no follower is fit. Called again while a transfer
   * runs, it keeps that one going; the core abandons a transfer after an election timeout.
   */
  handOff(avoid: ReadonlySet<number>): number | undefined {
    if (this.closed || this.node.role !== 'leader') return undefined
    const to = handoffTarget(this.options.selfId, this.node.progress(), this.inSyncReplicas, avoid)
    if (to === undefined) return undefined
    this.node.transferLeadership(to)
    this.kick()
    return to
  }

  campaign(): void {
    this.node.campaign()
    this.kick()
  }

  /**
   * Appends `batches` as entries of this group. Resolves with the first offset once the batches
   * are in the leader's durable log (acks 'leader') or committed by a majority (acks 'all').
   * Errors: NOT_LEADER (naming the leader, retriable) here or when leadership is lost before the
   * batches commit: they may still commit, which the idempotent producer makes harmless.
   */
  propose(batches: readonly Buffer[], acks: Acks): { baseOffset: number; done: Promise<void> } {
    if (this.closed) throw new WeirError('BROKER_SHUTTING_DOWN', `replica ${this.group} is closing`)
    const result = this.node.propose(batches.map((batch) => ({ span: offsetCountAt(batch), data: batch })))
    if (!result.ok) {
      const error = this.notLeader(result.reason)
      throw result.reason === 'transferring' ? new LeadershipTransferring(error.message) : error
    }
    const done = new Promise<void>((resolve, reject) => {
      this.waiters.push({ lastIndex: result.lastIndex, term: result.term, acks, resolve, reject })
    })
    this.kick()
    return { baseOffset: offsetOfIndex(result.firstIndex), done }
  }

  durableThrough(offset: number, acks: Acks): Promise<void> {
    if (this.closed)
      return Promise.reject(new WeirError('BROKER_SHUTTING_DOWN', `replica ${this.group} is closing`))
    if (this.node.role !== 'leader') return Promise.reject(this.notLeader())
    const lastIndex = indexOfOffset(offset)
    // Committed entries never change (and may lie below what the core still holds terms for).
    if (lastIndex <= this.node.commitIndex) return Promise.resolve()
    const term = this.node.termAt(lastIndex)
    return new Promise<void>((resolve, reject) => {
      // Behind any later waiter it is answered no sooner than that one: never too early.
      this.waiters.push({ lastIndex, term, acks, resolve, reject })
      this.settleWaiters()
    })
  }

  transferEnded(): Promise<void> {
    const { timers } = this.options.environment
    // The core abandons a transfer after electionTicks ticks; ticks are 50 ms by default, and a
    // loaded machine ticks late: twice that, at most a second and a half.
    const waitMs = Math.min(1500, this.options.timing.electionTicks * 100)
    return new Promise((resolve) => {
      const done = () => {
        timers.clear(timer)
        this.roleListeners.delete(changed)
        resolve()
      }
      // Once another leader is known, so the NOT_LEADER that follows names it.
      const changed = () => {
        if (this.closed || (this.node.role !== 'leader' && this.node.leaderId !== 0)) done()
      }
      const timer = timers.setTimeout(done, waitMs)
      this.roleListeners.add(changed)
    })
  }

  /**
   * Adds or removes one voter: Raft's single-server membership change. Resolves once the config
   * entry is committed (by a majority of the new voters). Errors: NOT_LEADER, also while another
   * change is uncommitted or this leader has not committed an entry of its term yet (retry).
   */
  changeVoters(change: { readonly add: number } | { readonly remove: number }): Promise<void> {
    if (this.closed) throw new WeirError('BROKER_SHUTTING_DOWN', `replica ${this.group} is closing`)
    const result = this.node.proposeConfigChange(change)
    if (!result.ok) throw this.notLeader(result.reason)
    const done = new Promise<void>((resolve, reject) => {
      this.waiters.push({ lastIndex: result.lastIndex, term: result.term, acks: 'all', resolve, reject })
    })
    this.kick()
    return done
  }

  /**
   * Moves every replica's log start to `offset` through a committed log-start marker; resolves once
   * this replica cut its own log there (or, should its cut fail, after a while: the caller's
   * compaction then simply runs again later).
   */
  async truncatePrefix(offset: number): Promise<void> {
    const { done } = this.propose([logStartBatch(offset)], 'all')
    await done
    await settlesWithin(this.options.environment.timers, this.logStartReached(offset), cutWaitMs)
  }

  notLeader(reason = 'notLeader'): WeirError {
    return new WeirError(
      'NOT_LEADER',
      `this broker does not lead ${this.group} (${reason}): ${this.whereLeader()}`,
    )
  }

  /** Who leads, as this replica knows, for NOT_LEADER messages: a lost majority is named. */
  whereLeader(): string {
    const leader = this.node.leaderId
    if (leader !== 0) return `broker ${leader} leads it`
    const unreachable = this.unreachablePeers()
    if (!this.quorumUnreachable(unreachable)) return 'no leader is elected yet; retry shortly'
    return `no leader is known here: brokers ${unreachable.join(', ')} are unreachable from broker ${this.options.selfId}, and electing one needs a majority of ${this.options.voters.length} replicas; nothing was written here`
  }

  private quorumLostError(unreachable: readonly number[]): WeirError {
    const { selfId, voters } = this.options
    return new WeirError(
      'NOT_ENOUGH_REPLICAS',
      `broker ${selfId} stored the batch for ${this.group} but could not reach a majority of its ${voters.length} replicas (brokers ${unreachable.join(', ')} did not answer), so it stepped down and the batch is not committed; it may still be committed later, so resending with an idempotent producer is safe`,
    )
  }

  async close(): Promise<void> {
    this.closed = true
    this.failWaiters(new WeirError('BROKER_SHUTTING_DOWN', `replica ${this.group} closed`))
    for (const listener of this.commitListeners) listener()
    for (const listener of [...this.roleListeners]) listener()
    await this.running
    await this.writes
    const state = this.hardState.state
    await this.hardState.write(
      { ...state, commit: this.node.commitIndex },
      this.options.environment.clock.now(),
    )
    // A clean restart then reads nothing of the log below the commit.
    await this.savePrefix({ force: true })
  }

  private async savePrefix({ force }: { force: boolean }): Promise<void> {
    if (this.options.replay !== undefined) return // the controller reads its whole log anyway
    await this.prefixFile
      .maybeWrite(this.node.committedPrefix(), this.options.environment.clock.now(), { force })
      .catch((error: unknown) =>
        this.options.logger.warn(
          { err: error, group: this.group },
          'could not save the committed prefix; the next start reads more of the log',
        ),
      )
  }

  /** Runs the ready loop unless it runs already. */
  private kick(): void {
    if (this.running !== undefined || this.closed || !this.node.hasReady()) return
    this.running = this.drain().finally(() => {
      this.running = undefined
      if (this.node.hasReady()) this.kick()
    })
  }

  private async drain(): Promise<void> {
    while (!this.closed && this.node.hasReady()) {
      const ready = this.node.ready()
      // A leader's appends and heartbeats may leave before its own write (Raft allows it: the
      // leader counts itself toward the commit only once durable), so its fsync and the
      // followers' overlap instead of running one after the other.
      const early = this.node.role === 'leader'
      if (early)
        for (const message of ready.messages)
          if (sendsEarly(message)) this.options.transport.send(this.group, message)
      // Leader and follower alike write this Ready's entries and move on to the next Ready while
      // their fsync runs: appends arriving meanwhile are written behind them and share the next
      // fsync, as storage's group commit does on its own, so a follower keeps several appends in
      // flight instead of a write, an fsync and an answer per round. The node counts them only
      // once durable (persisted(), in writeAhead). A truncation or restore first waits for every
      // earlier write.
      const rewrites = ready.truncateFrom !== undefined || ready.restore !== undefined
      const ahead = !rewrites && ready.entries.length > 0
      if (rewrites) await this.writes
      try {
        if (ahead) await this.writeAhead(ready)
        else await this.persist(ready)
      } catch (error) {
        // Never advance the node past what is not on disk.
        this.cannotWrite(error)
        return
      }
      const held = early ? ready.messages.filter((message) => !sendsEarly(message)) : ready.messages
      // A follower's answers claim the entries it wrote (this Ready's and earlier ones): they
      // leave once all of those are durable, in order. A leader's other messages claim none.
      if (early) for (const message of held) this.options.transport.send(this.group, message)
      else if (held.length > 0) this.afterWrites(held)
      if (ready.softState !== undefined) this.roleChanged(ready.softState.role, ready.softState.leaderId)
      this.node.advance(ready, { entriesDurable: !ahead })
      if (this.options.replay === undefined) await this.applyLogStarts(ready.committed)
      this.settle(ready)
      if (ready.restore !== undefined) await this.restore(ready.restore)
    }
  }

  /** Sends `messages` once every entry written so far is durable (never if a write failed). */
  private afterWrites(messages: readonly Message[]): void {
    this.writes = this.writes.then(() => {
      if (this.closed) return
      for (const message of messages) this.options.transport.send(this.group, message)
    })
  }

  private async persist(ready: Ready): Promise<void> {
    const log = this.options.log
    if (ready.truncateFrom !== undefined) await log.truncateSuffix(offsetOfIndex(ready.truncateFrom))
    await Promise.all(ready.entries.map((entry) => this.appendEntry(entry)))
    // After the entries: a commit index saved first could, after a crash, point at entries this
    // very ready was replacing. Still before any message leaves.
    await this.saveHardState(ready.hardState)
    const last = ready.entries.at(-1)
    if (last !== undefined) this.persistedIndex = last.index + last.span - 1
    else if (ready.truncateFrom !== undefined) this.persistedIndex = ready.truncateFrom - 1
  }

  /**
   * Starts the appends of a Ready (storage keeps them in call order) and saves the hard state;
   * the entries become durable later, when `writes` reports them to the node in order.
   */
  private async writeAhead(ready: Ready): Promise<void> {
    const appended = Promise.all(ready.entries.map((entry) => this.appendEntry(entry)))
    appended.catch(() => {}) // handled in order, through `writes`, below
    const last = ready.entries.at(-1)!
    const lastIndex = last.index + last.span - 1
    this.writes = this.writes
      .then(() => appended)
      .then(
        () => {
          if (this.closed) return
          this.persistedIndex = Math.max(this.persistedIndex, lastIndex)
          this.node.persisted(lastIndex, last.term)
          this.settleWaiters()
          this.kick()
        },
        (error: unknown) => this.cannotWrite(error),
      )
    // The commit counts only durable entries, so it never points past what a crash keeps.
    await this.saveHardState(ready.hardState)
  }

  /**
   * Term and vote are durable before anything that depends on them leaves (Raft's safety). A
   * commit alone is a hint (a replica learns it again from its leader; a sole voter needs none),
   * saved at most once a second and never waited for: its file write must not stall the loop.
   */
  private async saveHardState(next: HardState | undefined): Promise<void> {
    if (next === undefined) return
    const current = this.hardState.state
    const safety = next.term !== current.term || next.vote !== current.vote
    const saving = this.hardState
      .save(next, this.options.environment.clock.now())
      .then((written) => (written ? this.savePrefix({ force: false }) : undefined))
    if (safety) {
      await saving
      return
    }
    saving.catch((error: unknown) =>
      this.options.logger.warn(
        { err: error, group: this.group },
        'could not save the commit index; a restart reads more of the log',
      ),
    )
  }

  /** The log could not take entries (disk full, I/O error): fail the waiters and stop this replica. */
  private cannotWrite(error: unknown): void {
    if (this.closed) return
    this.options.logger.error(
      { err: error, group: this.group },
      'replica cannot write its log; it stops taking part in its group (fix the disk, then restart this broker)',
    )
    this.closed = true
    this.failWaiters(error)
  }

  private async appendEntry(entry: Entry): Promise<void> {
    const expected = offsetOfIndex(entry.index)
    const result = await this.options.log.append(batchOfEntry(entry), { term: entry.term })
    if (result.baseOffset !== expected) {
      throw new Error(
        `${this.group}: entry ${entry.index} landed at offset ${result.baseOffset}, expected ${expected}`,
      )
    }
  }

  /** Answers producers whose batches are durable enough now, and hands committed entries on. */
  private settle(ready: Ready): void {
    // Applied first: a producer answered for a controller change finds it in the image.
    const last = ready.committed.at(-1)
    if (last !== undefined) {
      this.appliedThrough = Math.max(this.appliedThrough, last.index + last.span - 1)
      this.options.applied?.(ready.committed)
    }
    this.settleWaiters()
    this.options.committed?.()
    for (const listener of this.commitListeners) listener()
  }

  /** Answers producers whose batches reached what their acks asked for. */
  private settleWaiters(): void {
    const commit = this.node.commitIndex
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0]!
      const reached = waiter.acks === 'all' ? commit : this.persistedIndex
      if (waiter.lastIndex > reached) break
      this.waiters.shift()
      if (this.node.termAt(waiter.lastIndex) === waiter.term) waiter.resolve()
      else waiter.reject(this.notLeader('the entry was replaced by a newer leader'))
    }
  }

  /**
   * The other voters no message came from for an election timeout: from a majority of them, this
   * replica can neither lead (check quorum steps it down) nor help elect anyone.
   */
  unreachablePeers(): number[] {
    const { selfId, voters, timing } = this.options
    return voters.filter(
      (id) => id !== selfId && this.ticks - (this.heardAtTick.get(id) ?? 0) > timing.electionTicks,
    )
  }

  /** Whether the voters this replica hears from, itself included, are fewer than a majority. */
  private quorumUnreachable(unreachable: readonly number[]): boolean {
    const voters = this.options.voters.length
    return voters > 1 && voters - unreachable.length <= voters / 2
  }

  private roleChanged(role: Role, leaderId: number): void {
    const wasLeader = this.role === 'leader'
    this.role = role
    if (!wasLeader && role === 'leader') {
      // A new leader gives every follower one window to answer it before counting it gone.
      const now = this.options.environment.clock.now()
      for (const id of this.node.progress().keys()) this.heardAtMs.set(id, now)
    }
    if (wasLeader && role !== 'leader') {
      const unreachable = this.unreachablePeers()
      if (leaderId === 0 && this.quorumUnreachable(unreachable)) {
        this.options.quorumLost?.(unreachable)
        this.failWaiters(this.quorumLostError(unreachable))
      } else this.failWaiters(this.notLeader('leadership moved'))
      if (this.inSync.reset()) this.options.inSyncChanged?.()
    }
    if (leaderId !== this.leader) {
      this.leader = leaderId
      this.options.leaderChanged?.(leaderId, this.node.term)
    }
    for (const listener of [...this.roleListeners]) listener()
  }

  /** Committed log-start markers: every replica cuts its prefix there (never past the marker). */
  private async applyLogStarts(committed: readonly Entry[]): Promise<void> {
    let cut: number | undefined
    for (const entry of committed) {
      if (entry.kind !== EntryKind.normal) continue
      const offset = logStartOf(asBuffer(entry.data))
      if (offset !== undefined) cut = Math.max(cut ?? 0, Math.min(offset, offsetOfIndex(entry.index)))
    }
    const log = this.options.log
    if (cut === undefined || cut <= log.logStartOffset) return
    try {
      await log.truncatePrefix(cut)
    } catch (error) {
      // Only disk space is at stake: the records below are superseded by the snapshot above.
      this.options.logger.warn({ err: error, group: this.group, offset: cut }, 'could not cut the log prefix')
    }
  }

  private failWaiters(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error)
  }

  /** Copies the committed range the leader says this replica lacks, then tells the node. */
  private async restore(restore: Restore): Promise<void> {
    const { snapshot, keepThrough, leaderId } = restore
    const log = this.options.log
    try {
      await this.prefixFile.remove()
      if (keepThrough < snapshot.firstIndex - 1) {
        await this.restartLogAt(offsetOfIndex(snapshot.firstIndex))
      } else {
        await log.truncateSuffix(offsetOfIndex(keepThrough) + 1)
      }
      const end = offsetOfIndex(snapshot.index) + 1
      while (log.logEndOffset < end) {
        let bytes: Buffer
        const bytesPerSec = this.options.copyBytesPerSec?.()
        const startedAtMs = this.options.environment.clock.now()
        try {
          bytes = await this.options.transport.fetchCommitted(
            leaderId,
            this.group,
            log.logEndOffset,
            CopyThrottle.chunkBytes(bytesPerSec, restoreReadBytes),
          )
        } catch (error) {
          if (!(error instanceof LogStartMoved)) throw error
          await this.restartLogAt(error.logStartOffset)
          continue
        }
        if ((await this.appendCopies(bytes, end)) === 0)
          throw new WeirError(
            'BROKER_UNAVAILABLE',
            `leader ${leaderId} sent nothing to restore ${this.group} from offset ${log.logEndOffset}`,
          )
        await this.paceCopy(bytes.length, startedAtMs, bytesPerSec)
      }
      this.persistedIndex = snapshot.index
      await this.applyRestored(snapshot.index)
      this.options.logger.info(
        { group: this.group, index: snapshot.index, leaderId },
        'replica restored from the leader',
      )
      this.node.restored(snapshot)
    } catch (error) {
      this.options.logger.warn(
        { err: error, group: this.group, leaderId },
        'restore from the leader failed; will retry',
      )
      // The node forgets a partial copy; the log must too.
      const keep = Math.max(offsetOfIndex(keepThrough) + 1, log.logStartOffset)
      await log
        .truncateSuffix(keep)
        .catch((cutError: unknown) =>
          this.options.logger.error({ err: cutError, group: this.group }, 'cannot cut a partial restore'),
        )
      this.persistedIndex = Math.min(this.persistedIndex, keepThrough)
      this.node.restoreFailed()
    }
  }

  /** Waits out a throttled copy's share of time (a partition reassignment's throttleBytesPerSec). */
  private async paceCopy(bytes: number, startedAtMs: number, bytesPerSec: number | undefined): Promise<void> {
    const { clock, timers } = this.options.environment
    const waitMs = this.copyThrottle.waitMsAfter(bytes, startedAtMs, clock.now(), bytesPerSec)
    if (waitMs > 0 && !this.closed) await delay(timers, waitMs)
    if (this.closed)
      throw new WeirError('BROKER_SHUTTING_DOWN', `replica ${this.group} closed while restoring`)
  }

  /**
   * The core counts a restored range as applied without handing it out, so a host that applies
   * committed entries (the controller, into its image) reads them from the log it just copied,
   * in order. Without this a controller replica that caught up by restore (say, after its leader
   * restarted with only the log's tail in memory) never learned the topics created meanwhile.
   */
  private async applyRestored(through: number): Promise<void> {
    const applied = this.options.applied
    if (applied === undefined || through <= this.appliedThrough) return
    const log = this.options.log
    const entries: Entry[] = []
    let offset = Math.max(offsetOfIndex(this.appliedThrough + 1), log.logStartOffset)
    const end = offsetOfIndex(through) + 1
    while (offset < end) {
      const read = await log.read(offset, restoreReadBytes)
      if (read.nextOffset <= offset) break
      for (const batch of batchesIn(read.bytes)) {
        const entry = entryOfBatch(batch)
        if (entry.index > through) break
        if (entry.index > this.appliedThrough && entry.index >= indexOfOffset(offset)) entries.push(entry)
      }
      offset = read.nextOffset
    }
    this.appliedThrough = through
    if (entries.length > 0) applied(entries)
  }

  /**
   * Appends the whole batches of `bytes` from the log's end up to `end` (exclusive), all queued at
   * once so one fsync covers them. Resolves with how many were appended.
   */
  private async appendCopies(bytes: Buffer, end: number): Promise<number> {
    const log = this.options.log
    let next = log.logEndOffset
    const appends: Promise<unknown>[] = []
    for (const batch of batchesIn(bytes)) {
      const baseOffset = readUint64(batch, BatchField.baseOffset)
      if (baseOffset < next) continue
      if (baseOffset >= end) break
      // A copy: the log patches the buffer in place and keeps it until the write settles.
      const copy = Buffer.from(batch)
      appends.push(log.append(copy, { term: copy.readUInt32BE(BatchField.term) }))
      next = baseOffset + offsetCountAt(copy)
    }
    await Promise.all(appends)
    return appends.length
  }

  /** Drops the whole log and starts it again, empty, at `offset` (the leader's log start). */
  private async restartLogAt(offset: number): Promise<void> {
    const log = this.options.log
    await log.truncateSuffix(log.logStartOffset)
    await log.truncatePrefix(offset)
  }
}
