// The Raft state machine (etcd-io/raft's raft.go + rawnode.go): no I/O, no clock, no randomness of
// its own. The host calls tick/step/propose, then takes a Ready, carries it out and calls advance.
// Role behaviour is a swapped step function; outbound messages are queued, never sent.
import { decodeConfig, encodeConfigChange, previousConfig } from './config.js'
import { RaftLog } from './log.js'
import { Progress } from './progress.js'
import type {
  ClusterConfig,
  CommittedPrefix,
  Entry,
  HardState,
  Message,
  NodeId,
  ProgressView,
  ProposeResult,
  RaftOptions,
  Ready,
  Restore,
  RestoredState,
  Role,
  SnapshotInfo,
  SoftState,
} from './types.js'

type ResolvedOptions = Required<RaftOptions>
type MessageOf<T extends Message['type']> = Extract<Message, { type: T }>
type Outgoing = Message extends infer M ? (M extends Message ? Omit<M, 'from' | 'term'> : never) : never

/** How an election starts: `transfer` when the leader handed over (TimeoutNow), which skips the pre-vote. */
interface Campaign {
  readonly transfer?: boolean
}

interface ConfigPoint {
  readonly index: number
  readonly config: ClusterConfig
}

interface PendingRestore {
  readonly restore: Restore
  handed: boolean
}

interface Outstanding {
  readonly ready: Ready
  readonly hostLastIndex: number
  readonly appliedThrough: number
}

const defaultOptions = {
  preVote: true,
  checkQuorum: true,
  maxInflightMessages: 64,
  maxEntriesPerMessage: 256,
  maxBytesPerMessage: 1024 * 1024,
  windowBytesMax: 64 * 1024 * 1024,
}

export class RaftNode {
  private readonly options: ResolvedOptions
  private readonly log: RaftLog
  private currentTerm: number
  private vote: NodeId
  private lead: NodeId = 0
  private state: Role = 'follower'
  private commit: number
  /** Applied by the host (advanced); `applying` includes the outstanding Ready. */
  private applied: number
  private applying: number
  /** Config entries above commit plus the latest at or below it; the last one is in effect. */
  private configs: ConfigPoint[]
  private electionElapsed = 0
  private heartbeatElapsed = 0
  private randomizedElectionTimeout = 0
  private readonly votes = new Map<NodeId, boolean>()
  private readonly progressMap = new Map<NodeId, Progress>()
  private transferee: NodeId = 0
  private messages: Message[] = []
  private restoring: PendingRestore | undefined
  /**
   * Entries the host wrote ahead of durability (advance with entriesDurable false), not yet
   * persisted(); `durableAfter`: the last entry after them advanced as durable meanwhile (-1: none).
   */
  private writtenAhead: { from: number; through: number; durableAfter: number } | undefined
  private handedHardState: HardState
  private handedSoftState: SoftState
  private outstanding: Outstanding | undefined
  /** See RestoredState.repairThrough; -1 once repaired (or never damaged). */
  private repairThrough: number
  /** The term when the log lost entries: a committed entry of a later term proves the loss healed. */
  private readonly repairTerm: number
  /** Set by the host (setPromotable): false keeps this node from campaigning. */
  private hostPromotable = true
  private stepRole: (message: Message) => void = (message) => this.stepFollower(message)

  constructor(options: RaftOptions, restored: RestoredState) {
    this.options = resolveOptions(options)
    this.log = new RaftLog(restored.firstIndex, restored.lastIndex, restored.termRuns, restored.tail)
    const hardState = restored.hardState
    this.currentTerm = hardState.term
    this.vote = hardState.vote
    // A commit persisted ahead of its entries (crash between the two writes) is only a hint.
    this.commit = Math.max(Math.min(hardState.commit, this.log.lastIndex), this.log.firstIndex - 1)
    this.applied = this.commit
    this.applying = this.commit
    this.configs = initialConfigs(restored)
    this.dropConfigsAtOrBelow(this.commit)
    this.handedHardState = hardState
    this.handedSoftState = { leaderId: 0, role: 'follower', term: hardState.term }
    this.repairThrough = restored.repairThrough ?? -1
    this.repairTerm = hardState.term
    this.becomeFollower(this.currentTerm, 0)
  }

  get id(): NodeId {
    return this.options.id
  }
  get term(): number {
    return this.currentTerm
  }
  get role(): Role {
    return this.state
  }
  get leaderId(): NodeId {
    return this.lead
  }
  get commitIndex(): number {
    return this.commit
  }
  get lastIndex(): number {
    return this.log.lastIndex
  }
  get firstIndex(): number {
    return this.log.firstIndex
  }
  get config(): ClusterConfig {
    return this.configs[this.configs.length - 1]!.config
  }
  /** A config entry is appended but not committed: proposeConfigChange refuses until it is. */
  get configPending(): boolean {
    return this.configs[this.configs.length - 1]!.index > this.commit
  }
  get windowStart(): number {
    return this.log.windowStart
  }

  /**
   * True while the log lacks entries it once held (RestoredState.repairThrough): the node neither
   * votes nor campaigns. Repaired once the log reaches repairThrough again, or once it holds a
   * committed entry of a term later than the one it lost entries in: that entry's leader held
   * every entry committed before it (leader completeness), and this log matches it up to there.
   */
  get repairing(): boolean {
    if (this.repairThrough < 0) return false
    const commit = this.commit
    const healedByTerm = commit >= this.log.firstIndex && this.log.termAt(commit) > this.repairTerm
    if (this.log.lastIndex >= this.repairThrough || healedByTerm) this.repairThrough = -1
    return this.repairThrough >= 0
  }

  /**
   * The host's say on whether this node may lead: false stops it from campaigning and from taking
   * a leadership transfer (timeoutNow); it still votes. A leader is not deposed by this.
   */
  setPromotable(promotable: boolean): void {
    this.hostPromotable = promotable
  }

  termAt(index: number): number {
    return this.log.termAt(index)
  }

  /**
   * What the committed prefix of the log looks like to the core: its term runs and the config in
   * force at the commit index. Committed entries never change, so a host may save this and, at
   * its next start, rebuild only the log above `through` instead of reading the whole log.
   */
  committedPrefix(): CommittedPrefix {
    return {
      through: this.commit,
      termRuns: this.commit < this.log.firstIndex ? [] : this.log.runsThrough(this.commit),
      config: this.configAt(this.commit),
    }
  }

  progress(): ReadonlyMap<NodeId, ProgressView> {
    const views = new Map<NodeId, ProgressView>()
    for (const [id, pr] of this.progressMap) {
      views.set(id, { match: pr.match, next: pr.next, state: pr.state, inflight: pr.inflight.length })
    }
    return views
  }

  // ---- inputs -------------------------------------------------------------------------------

  tick(): void {
    if (this.state === 'leader') this.tickLeader()
    else this.tickElection()
  }

  step(message: Message): void {
    if (message.to !== this.id || message.from === this.id) return
    if (message.term > this.currentTerm) {
      if (!this.stepHigherTerm(message)) return
    } else if (message.term < this.currentTerm) {
      this.stepLowerTerm(message)
      return
    }
    if (message.type === 'vote' || message.type === 'preVote') this.handleVoteRequest(message)
    else this.stepRole(message)
  }

  propose(entries: readonly { span: number; data: Uint8Array }[]): ProposeResult {
    const refused = this.refuseProposal()
    if (refused !== undefined) return refused
    const first = this.log.lastIndex + 1
    let index = first
    const built: Entry[] = []
    for (const { span, data } of entries) {
      if (!Number.isInteger(span) || span < 1) throw new RangeError('raft: span must be an integer >= 1')
      built.push({ index, term: this.currentTerm, span, kind: 'normal', data })
      index += span
    }
    this.appendAsLeader(built)
    return { ok: true, firstIndex: first, lastIndex: index - 1, term: this.currentTerm }
  }

  proposeConfigChange(change: { add: NodeId } | { remove: NodeId }): ProposeResult {
    const refused = this.refuseProposal()
    if (refused !== undefined) return refused
    // One change at a time, and only once this leader has committed an entry of its own term: a
    // change appended before that can overlap a change of a deposed leader (the single-server bug
    // Ongaro described on raft-dev in 2015) and elect two leaders in one term.
    const ownTermCommitted = this.log.termAt(this.commit) === this.currentTerm || this.soleVoter()
    if (this.configs[this.configs.length - 1]!.index > this.commit || !ownTermCommitted) {
      return { ok: false, leaderId: this.lead, reason: 'configChangePending' }
    }
    const previous = this.config
    const voters =
      'add' in change
        ? [...new Set([...previous.voters, change.add])]
        : previous.voters.filter((id) => id !== change.remove)
    if (voters.length === 0) throw new RangeError('raft: cannot remove the last voter')
    const index = this.log.lastIndex + 1
    const data = encodeConfigChange({ voters }, previous)
    this.appendAsLeader([{ index, term: this.currentTerm, span: 1, kind: 'config', data }])
    return { ok: true, firstIndex: index, lastIndex: index, term: this.currentTerm }
  }

  transferLeadership(to: NodeId): void {
    if (this.state !== 'leader' || to === this.id || !this.isVoter(to)) return
    if (this.transferee === to) return
    this.transferee = to
    // The transfer is abandoned when electionElapsed next reaches electionTicks.
    this.electionElapsed = 0
    const pr = this.progressMap.get(to)
    if (pr === undefined) return
    if (pr.match === this.log.lastIndex) this.send({ type: 'timeoutNow', to })
    else this.sendAppends(to)
  }

  campaign(): void {
    if (this.state === 'leader' || !this.promotable()) return
    this.hup()
  }

  // ---- Ready --------------------------------------------------------------------------------

  hasReady(): boolean {
    if (this.outstanding !== undefined) return false
    return (
      this.messages.length > 0 ||
      this.log.lastIndex !== this.log.hostLastIndex ||
      this.log.pendingTruncateFrom !== undefined ||
      (this.restoring !== undefined && !this.restoring.handed) ||
      this.commit > this.applying ||
      !sameHardState(this.hardState(), this.handedHardState) ||
      !sameSoftState(this.softState(), this.handedSoftState)
    )
  }

  ready(): Ready {
    if (this.outstanding !== undefined) throw new Error('raft: ready() called again before advance()')
    const hardState = this.hardState()
    const softState = this.softState()
    const committed = this.log.between(this.applying, this.commit)
    const restore =
      this.restoring !== undefined && !this.restoring.handed ? this.restoring.restore : undefined
    const ready: Ready = {
      ...(sameSoftState(softState, this.handedSoftState) ? {} : { softState }),
      ...(sameHardState(hardState, this.handedHardState) ? {} : { hardState }),
      ...(this.log.pendingTruncateFrom === undefined ? {} : { truncateFrom: this.log.pendingTruncateFrom }),
      entries: this.log.unstable(),
      ...(restore === undefined ? {} : { restore }),
      committed,
      commitIndex: this.commit,
      messages: this.messages,
    }
    const last = committed[committed.length - 1]
    if (last !== undefined) this.applying = last.index + last.span - 1
    if (this.restoring !== undefined) this.restoring.handed = true
    this.messages = []
    this.handedHardState = hardState
    this.handedSoftState = softState
    this.log.hostLastIndex = this.log.lastIndex
    this.log.pendingTruncateFrom = undefined
    this.log.truncatedBelow = Number.POSITIVE_INFINITY
    this.outstanding = { ready, hostLastIndex: this.log.lastIndex, appliedThrough: this.applying }
    return ready
  }

  /**
   * The host handled `ready`. By default its entries are durable now. A host may pass
   * `{ entriesDurable: false }` for a Ready without truncation or restore: its entries are written
   * in order but not yet durable, and it calls persisted() once they are, so the next Ready's
   * entries are written while this one's fsync runs. A leader counts itself toward the commit only
   * through persisted(). Messages may claim those entries (a follower's append answers, later ones
   * included): the host sends a Ready's messages only once every entry written so far is durable,
   * except a leader's appends and heartbeats, which claim nothing of its own log.
   */
  advance(ready: Ready, { entriesDurable = true }: { entriesDurable?: boolean } = {}): void {
    const outstanding = this.outstanding
    if (outstanding === undefined || outstanding.ready !== ready) {
      throw new Error('raft: advance() must be given the outstanding Ready')
    }
    if (!entriesDurable && (ready.truncateFrom !== undefined || ready.restore !== undefined)) {
      throw new Error('raft: entries may be written ahead of durability only without a truncation or restore')
    }
    this.outstanding = undefined
    // Entries of this Ready that a later truncation removed are not durable as far as we care.
    const durable = Math.min(outstanding.hostLastIndex, this.log.truncatedBelow - 1)
    const first = ready.entries[0]?.index
    const ahead = this.writtenAhead
    if (!entriesDurable) {
      if (first !== undefined)
        this.writtenAhead = {
          from: ahead?.from ?? first,
          through: outstanding.hostLastIndex,
          durableAfter: ahead?.durableAfter ?? -1,
        }
    } else if (ahead === undefined) {
      this.log.persistedIndex = Math.max(this.log.persistedIndex, durable)
    } else {
      // A Ready advanced as durable vouches only for itself: entries written ahead by earlier
      // Readies count once persisted() reports them, not because a later Ready was advanced; this
      // Ready's own entries count from then on too.
      this.log.persistedIndex = Math.max(this.log.persistedIndex, Math.min(durable, ahead.from - 1))
      if (durable > ahead.through) ahead.durableAfter = Math.max(ahead.durableAfter, durable)
    }
    this.applied = Math.max(this.applied, outstanding.appliedThrough)
    if (this.state === 'leader') this.leaderCommitCheck()
    this.trimWindow()
  }

  /**
   * The host's write of the entries through `index` became durable (after an advance with
   * `entriesDurable: false`). Ignored when the entry at `index` is no longer of `term` (replaced
   * since) or already counted.
   */
  persisted(index: number, term: number): void {
    if (index <= this.log.persistedIndex || index > this.log.hostLastIndex) return
    if (this.log.termAt(index) !== term) return
    this.log.persistedIndex = index
    const ahead = this.writtenAhead
    if (ahead !== undefined) {
      if (index >= ahead.through) {
        this.log.persistedIndex = Math.max(index, ahead.durableAfter)
        this.writtenAhead = undefined
      } else ahead.from = Math.max(ahead.from, index + 1)
    }
    if (this.state === 'leader') this.leaderCommitCheck()
  }

  // ---- restore ------------------------------------------------------------------------------

  restored(snapshot: SnapshotInfo): void {
    const pending = this.restoring
    if (pending === undefined || !pending.handed || pending.restore.snapshot.index !== snapshot.index) {
      throw new Error('raft: restored() without a matching restore handed out in a Ready')
    }
    const { keepThrough } = pending.restore
    this.restoring = undefined
    this.log.adoptRuns(snapshot.firstIndex, snapshot.termRuns, snapshot.index, keepThrough)
    this.commit = Math.max(this.commit, snapshot.index)
    this.applied = Math.max(this.applied, snapshot.index)
    this.applying = Math.max(this.applying, snapshot.index)
    this.configs = [{ index: snapshot.index, config: snapshot.config }]
    const to = this.lead !== 0 ? this.lead : pending.restore.leaderId
    this.respondAppend(to, { success: true, matchIndex: snapshot.index })
  }

  restoreFailed(): void {
    if (this.restoring === undefined || !this.restoring.handed) {
      throw new Error('raft: restoreFailed() without a restore handed out in a Ready')
    }
    // The host has cut its log back to keepThrough, which is where the core's log already ends.
    this.restoring = undefined
  }

  // ---- term rules (etcd's Step) -------------------------------------------------------------

  /** A message from a later term; false when it must be dropped. */
  private stepHigherTerm(message: Message): boolean {
    if (message.type === 'vote' || message.type === 'preVote') {
      // A node that heard from a live leader recently ignores campaigns, unless the leader asked.
      const inLease =
        this.options.checkQuorum && this.lead !== 0 && this.electionElapsed < this.options.electionTicks
      if (inLease && !message.transfer) return false
    }
    if (message.type === 'preVote') return true
    // A granted pre-vote carries the term the pre-candidate will campaign in, not a real term.
    if (message.type === 'preVoteResponse' && message.granted) return true
    const fromLeader =
      message.type === 'append' || message.type === 'heartbeat' || message.type === 'snapshot'
    this.becomeFollower(message.term, fromLeader ? message.from : 0)
    return true
  }

  private stepLowerTerm(message: Message): void {
    const { options } = this
    if (
      (options.checkQuorum || options.preVote) &&
      (message.type === 'append' || message.type === 'heartbeat')
    ) {
      // A deposed leader cut off by a partition learns the new term from this answer and steps down.
      this.respondAppend(message.from, { success: false, matchIndex: -1 })
    } else if (message.type === 'preVote') {
      this.send({ type: 'preVoteResponse', to: message.from, granted: false })
    }
  }

  private handleVoteRequest(message: MessageOf<'vote' | 'preVote'>): void {
    const canVote =
      !this.repairing &&
      (this.vote === message.from ||
        (this.vote === 0 && this.lead === 0) ||
        (message.type === 'preVote' && message.term > this.currentTerm))
    const lastTerm = this.log.lastTerm()
    const upToDate =
      message.lastTerm > lastTerm ||
      (message.lastTerm === lastTerm && message.lastIndex >= this.log.lastIndex)
    const type = message.type === 'vote' ? 'voteResponse' : 'preVoteResponse'
    if (canVote && upToDate) {
      this.messages.push({ type, from: this.id, to: message.from, term: message.term, granted: true })
      if (message.type === 'vote') {
        this.electionElapsed = 0
        this.vote = message.from
      }
    } else {
      this.send({ type, to: message.from, granted: false })
    }
  }

  // ---- roles ----------------------------------------------------------------------------------

  private becomeFollower(term: number, leader: NodeId): void {
    this.reset(term)
    this.state = 'follower'
    this.lead = leader
    this.stepRole = (message) => this.stepFollower(message)
  }

  private becomePreCandidate(): void {
    // A pre-candidate keeps its term: a partitioned node must not inflate terms and disrupt.
    this.votes.clear()
    this.progressMap.clear()
    this.state = 'preCandidate'
    this.lead = 0
    this.stepRole = (message) => this.stepCandidate(message)
  }

  private becomeCandidate(): void {
    this.reset(this.currentTerm + 1)
    this.vote = this.id
    this.state = 'candidate'
    this.stepRole = (message) => this.stepCandidate(message)
  }

  private becomeLeader(): void {
    this.reset(this.currentTerm)
    this.state = 'leader'
    this.lead = this.id
    this.stepRole = (message) => this.stepLeader(message)
    for (const id of this.config.voters) {
      if (id !== this.id) this.progressMap.set(id, new Progress(-1, this.log.lastIndex + 1))
    }
    if (this.soleVoter()) {
      // No other log can ever overrule a group of one voter, so what it holds durably is committed
      // as it is: no no-op is needed (and a new partition's first record keeps offset 0).
      this.leaderCommitCheck()
      return
    }
    // Committing a no-op of the new term commits everything before it (§5.4.2).
    const noop: Entry = {
      index: this.log.lastIndex + 1,
      term: this.currentTerm,
      span: 1,
      kind: 'noop',
      data: empty,
    }
    this.appendAsLeader([noop])
  }

  private reset(term: number): void {
    if (term !== this.currentTerm) {
      this.currentTerm = term
      this.vote = 0
    }
    this.lead = 0
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    const { electionTicks, random } = this.options
    this.randomizedElectionTimeout = electionTicks + Math.floor(random() * electionTicks)
    this.votes.clear()
    this.progressMap.clear()
    this.transferee = 0
  }

  /**
   * A voter of the latest config may campaign, and so may a voter of the committed one while a change
   * removing it is uncommitted: otherwise nodes that each hold a different uncommitted removal of
   * themselves could all refuse to campaign and deadlock. Votes are still counted over the latest
   * config (dissertation §4.1), which need not include the candidate.
   */
  private promotable(): boolean {
    if (this.restoring !== undefined || !this.hostPromotable || this.repairing) return false
    return this.isVoter(this.id) || this.configs[0]!.config.voters.includes(this.id)
  }

  private isVoter(id: NodeId): boolean {
    return this.config.voters.includes(id)
  }

  /** This node is the only voter of every config it knows, committed or not. */
  private soleVoter(): boolean {
    return this.configs.every(({ config }) => config.voters.length === 1 && config.voters[0] === this.id)
  }

  private quorum(): number {
    return Math.floor(this.config.voters.length / 2) + 1
  }

  // ---- elections ----------------------------------------------------------------------------

  private tickElection(): void {
    this.electionElapsed++
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0
      this.hup()
    }
  }

  /** Starts an election: a pre-vote first unless this is a leadership transfer, which skips it. */
  private hup(campaign: Campaign = {}): void {
    if (this.options.preVote && !campaign.transfer) this.campaignPre()
    else this.campaignElection(campaign)
  }

  private campaignPre(): void {
    this.becomePreCandidate()
    if (this.poll(this.id, true) === 'won') {
      this.campaignElection()
      return
    }
    this.requestVotes('preVote', this.currentTerm + 1)
  }

  private campaignElection(campaign: Campaign = {}): void {
    this.becomeCandidate()
    if (this.poll(this.id, true) === 'won') {
      this.becomeLeader()
      return
    }
    this.requestVotes('vote', this.currentTerm, campaign)
  }

  private requestVotes(type: 'vote' | 'preVote', term: number, campaign: Campaign = {}): void {
    const transfer = campaign.transfer ?? false
    const lastIndex = this.log.lastIndex
    const lastTerm = this.log.lastTerm()
    for (const id of this.config.voters) {
      if (id === this.id) continue
      this.messages.push({ type, from: this.id, to: id, term, lastIndex, lastTerm, transfer })
    }
  }

  private poll(from: NodeId, granted: boolean): 'won' | 'lost' | 'pending' {
    if (!this.votes.has(from)) this.votes.set(from, granted)
    let yes = 0
    let no = 0
    for (const id of this.config.voters) {
      const vote = this.votes.get(id)
      if (vote === true) yes++
      else if (vote === false) no++
    }
    if (yes >= this.quorum()) return 'won'
    if (no > this.config.voters.length - this.quorum()) return 'lost'
    return 'pending'
  }

  // ---- follower and candidate ---------------------------------------------------------------

  private stepFollower(message: Message): void {
    switch (message.type) {
      case 'append':
        this.heardFromLeader(message.from)
        this.handleAppend(message)
        return
      case 'heartbeat':
        this.heardFromLeader(message.from)
        this.handleHeartbeat(message)
        return
      case 'snapshot':
        this.heardFromLeader(message.from)
        this.handleSnapshot(message)
        return
      case 'timeoutNow':
        if (this.promotable()) this.hup({ transfer: true })
        return
      default:
        return
    }
  }

  private stepCandidate(message: Message): void {
    switch (message.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        // Someone won this term: follow it.
        this.becomeFollower(this.currentTerm, message.from)
        this.stepFollower(message)
        return
      case 'preVoteResponse':
      case 'voteResponse': {
        const mine = this.state === 'preCandidate' ? 'preVoteResponse' : 'voteResponse'
        if (message.type !== mine) return
        const result = this.poll(message.from, message.granted)
        if (result === 'won' && this.state === 'preCandidate') this.campaignElection()
        else if (result === 'won') this.becomeLeader()
        else if (result === 'lost') this.becomeFollower(this.currentTerm, 0)
        return
      }
      default:
        return
    }
  }

  private heardFromLeader(leader: NodeId): void {
    this.electionElapsed = 0
    this.lead = leader
  }

  private handleAppend(message: MessageOf<'append'>): void {
    // During a restore the host is rewriting the log; appends wait until it is done.
    if (this.restoring !== undefined) return
    if (message.prevIndex < this.commit) {
      // Everything up to our commit matches any current leader (leader completeness).
      this.respondAppend(message.from, { success: true, matchIndex: this.commit })
      return
    }
    if (this.matchesAt(message.prevIndex, message.prevTerm)) {
      const lastNew = this.appendAsFollower(message)
      if (lastNew === undefined) return
      this.commitTo(Math.min(message.commit, lastNew))
      this.respondAppend(message.from, { success: true, matchIndex: lastNew })
      return
    }
    const hint = this.log.entryEndAtOrBelow(Math.min(message.prevIndex, this.log.lastIndex), message.prevTerm)
    this.respondAppend(message.from, {
      success: false,
      matchIndex: -1,
      rejectedPrevIndex: message.prevIndex,
      hintIndex: hint.index,
      hintTerm: hint.term,
    })
  }

  /** Log matching at an entry end of the leader's log; the prefix before firstIndex is committed. */
  private matchesAt(prevIndex: number, prevTerm: number): boolean {
    if (prevIndex === this.log.firstIndex - 1) return true
    if (prevIndex > this.log.lastIndex) return false
    return this.log.termAt(prevIndex) === prevTerm
  }

  /** Appends what is new after the matching prefix; returns the last index the append covers. */
  private appendAsFollower(message: MessageOf<'append'>): number | undefined {
    let expected = message.prevIndex + 1
    for (const entry of message.entries) {
      if (entry.index !== expected || !(entry.span >= 1)) return undefined
      expected += entry.span
    }
    let first = 0
    for (; first < message.entries.length; first++) {
      const entry = message.entries[first]!
      if (entry.index > this.log.lastIndex) break
      if (this.log.termAt(entry.index) !== entry.term) {
        if (entry.index <= this.commit) throw new Error('raft: a leader conflicts with a committed entry')
        this.truncate(entry.index)
        break
      }
    }
    if (first < message.entries.length) this.appendEntries(message.entries.slice(first))
    return expected - 1
  }

  private handleHeartbeat(message: MessageOf<'heartbeat'>): void {
    // The leader sends min(commit, our match), which our log is known to hold.
    this.commitTo(Math.min(message.commit, this.log.lastIndex))
    this.send({ type: 'heartbeatResponse', to: message.from, lastIndex: this.log.lastIndex })
  }

  private handleSnapshot(message: MessageOf<'snapshot'>): void {
    if (this.restoring !== undefined) return
    const snapshot = message.snapshot
    if (snapshot.index <= this.commit) {
      this.respondAppend(message.from, { success: true, matchIndex: this.commit })
      return
    }
    // Committed entries agree with every later leader, even where its runs no longer reach.
    const agreement = this.log.agreementWith(snapshot.firstIndex, snapshot.termRuns, snapshot.index)
    const keepThrough = Math.max(agreement, this.commit)
    if (keepThrough >= snapshot.index) {
      // Already holds the leader's log up to there: nothing to copy.
      this.commitTo(snapshot.index)
      this.respondAppend(message.from, { success: true, matchIndex: snapshot.index })
      return
    }
    const wiped = keepThrough < snapshot.firstIndex - 1
    if (wiped) this.wipeForRestore(snapshot)
    else this.log.cutForRestore(keepThrough)
    this.forgetWrittenAheadFrom(wiped ? Number.NEGATIVE_INFINITY : keepThrough + 1)
    while (this.configs.length > 1 && this.configs[this.configs.length - 1]!.index > keepThrough)
      this.configs.pop()
    this.restoring = { restore: { leaderId: message.from, keepThrough, snapshot }, handed: false }
  }

  /**
   * The host drops the whole log and restarts it at the leader's log start, so the core does too,
   * now: if the copy fails the log stays empty there. Everything below is committed on the leader.
   */
  private wipeForRestore(snapshot: SnapshotInfo): void {
    const start = snapshot.firstIndex
    this.log.adoptRuns(start, [], start - 1, Number.NEGATIVE_INFINITY)
    this.commit = Math.max(this.commit, start - 1)
    this.applied = Math.max(this.applied, start - 1)
    this.applying = Math.max(this.applying, start - 1)
    this.configs = [{ index: start - 1, config: snapshot.config }]
  }

  private respondAppend(
    to: NodeId,
    answer: {
      success: boolean
      matchIndex: number
      rejectedPrevIndex?: number
      hintIndex?: number
      hintTerm?: number
    },
  ): void {
    this.send({
      type: 'appendResponse',
      to,
      success: answer.success,
      matchIndex: answer.matchIndex,
      rejectedPrevIndex: answer.rejectedPrevIndex ?? -1,
      hintIndex: answer.hintIndex ?? -1,
      hintTerm: answer.hintTerm ?? 0,
    })
  }

  // ---- log changes --------------------------------------------------------------------------

  private appendEntries(entries: readonly Entry[]): void {
    this.log.append(entries)
    for (const entry of entries) {
      if (entry.kind !== 'config') continue
      this.configs.push({ index: entry.index, config: decodeConfig(entry.data) })
      if (this.state === 'leader') this.syncProgressWithConfig()
    }
  }

  private truncate(from: number): void {
    this.log.truncateFrom(from)
    this.forgetWrittenAheadFrom(from)
    // Config takes effect when appended, so it is undone when truncated.
    while (this.configs.length > 1 && this.configs[this.configs.length - 1]!.index >= from) this.configs.pop()
  }

  /** Entries from `from` on are gone (truncated, or cut for a restore): none of them is awaited. */
  private forgetWrittenAheadFrom(from: number): void {
    const ahead = this.writtenAhead
    if (ahead === undefined) return
    ahead.durableAfter = Math.min(ahead.durableAfter, from - 1)
    if (from > ahead.through) return
    if (from <= ahead.from) this.writtenAhead = undefined
    else {
      ahead.through = from - 1
      ahead.durableAfter = -1
    }
  }

  private commitTo(index: number): void {
    if (index <= this.commit) return
    this.commit = index
    this.dropConfigsAtOrBelow(index)
  }

  /** Keeps only the latest config at or below commit: nothing at or below commit is truncated. */
  private dropConfigsAtOrBelow(index: number): void {
    let firstKept = 0
    while (firstKept + 1 < this.configs.length && this.configs[firstKept + 1]!.index <= index) firstKept++
    if (firstKept > 0) this.configs.splice(0, firstKept)
  }

  private configAt(index: number): ClusterConfig {
    let found = this.configs[0]!.config
    for (const point of this.configs) if (point.index <= index) found = point.config
    return found
  }

  private trimWindow(): void {
    let through = this.applied
    if (this.log.windowBytes <= this.options.windowBytesMax) {
      for (const pr of this.progressMap.values()) through = Math.min(through, pr.match)
    }
    this.log.trimWindow(through)
  }

  // ---- leader -------------------------------------------------------------------------------

  private refuseProposal(): ProposeResult | undefined {
    if (this.state !== 'leader') return { ok: false, leaderId: this.lead, reason: 'notLeader' }
    if (this.transferee !== 0) return { ok: false, leaderId: this.lead, reason: 'transferring' }
    return undefined
  }

  private appendAsLeader(entries: readonly Entry[]): void {
    this.appendEntries(entries)
    // A one-voter group commits on advance, when the entries are durable.
    for (const id of this.progressMap.keys()) this.sendAppends(id)
  }

  private syncProgressWithConfig(): void {
    const voters = this.config.voters
    for (const id of voters) {
      if (id !== this.id && !this.progressMap.has(id)) {
        this.progressMap.set(id, new Progress(-1, this.log.lastIndex + 1))
      }
    }
    for (const id of this.progressMap.keys()) if (!voters.includes(id)) this.progressMap.delete(id)
    if (this.transferee !== 0 && !voters.includes(this.transferee)) this.transferee = 0
  }

  private tickLeader(): void {
    this.heartbeatElapsed++
    this.electionElapsed++
    for (const pr of this.progressMap.values()) {
      // An unanswered restore (lost message, host gave up) falls back to probing.
      if (pr.state === 'snapshot' && ++pr.snapshotTicks >= this.options.electionTicks) pr.becomeProbe()
    }
    if (this.electionElapsed >= this.options.electionTicks) {
      this.electionElapsed = 0
      if (this.options.checkQuorum && !this.quorumActive()) {
        this.becomeFollower(this.currentTerm, 0)
        return
      }
      this.transferee = 0
    }
    if (this.heartbeatElapsed >= this.options.heartbeatTicks) {
      this.heartbeatElapsed = 0
      this.broadcastHeartbeat()
    }
  }

  private quorumActive(): boolean {
    let active = this.isVoter(this.id) ? 1 : 0
    for (const [id, pr] of this.progressMap) {
      if (pr.recentActive && this.isVoter(id)) active++
      pr.recentActive = false
    }
    return active >= this.quorum()
  }

  private broadcastHeartbeat(): void {
    for (const [id, pr] of this.progressMap) {
      this.send({ type: 'heartbeat', to: id, commit: Math.min(this.commit, pr.match) })
      // Appends are not retransmitted: if the match has not moved for a few rounds while appends
      // were out, assume they were lost and probe again from the match.
      if (pr.state !== 'replicate' || pr.inflight.length === 0 || pr.match !== pr.matchAtLastRound) {
        pr.stalledRounds = 0
      } else if (++pr.stalledRounds >= stalledRoundsMax) {
        pr.next = pr.match + 1
        pr.becomeProbe()
      }
      pr.matchAtLastRound = pr.match
    }
  }

  private stepLeader(message: Message): void {
    const pr = this.progressMap.get(message.from)
    if (pr === undefined) return
    if (message.type === 'heartbeatResponse') {
      pr.recentActive = true
      pr.paused = false
      if (message.lastIndex < pr.match && pr.state !== 'snapshot') this.forgetLostMatch(pr, message.lastIndex)
      // A probe goes out even with nothing new to send: a follower that missed the last one (a
      // server just added, its host not listening yet) is otherwise never probed on an idle group.
      if (pr.match < this.log.lastIndex) this.sendAppends(message.from, { sendIfEmpty: pr.state === 'probe' })
    } else if (message.type === 'appendResponse') {
      pr.recentActive = true
      if (message.success) this.handleAppendSuccess(message, pr)
      else this.handleAppendReject(message, pr)
    }
  }

  /**
   * The follower no longer holds entries it acknowledged: its disk was wiped or replaced. Without
   * this the leader keeps believing the old match and only heartbeats it, so it would host nothing
   * until something new is appended. Probing again from what it still has copies the log now
   * (appends, or a restore below the window). A late answer reordered behind newer appends can
   * land here too; that only costs a probe, and commit never moves back.
   */
  private forgetLostMatch(pr: Progress, followerLastIndex: number): void {
    // Nothing of the follower's log is known to match any more; probe from an entry end at or
    // below its last index (a run end, or our log start, which sends a restore).
    pr.match = -1
    pr.next = this.log.entryEndAtOrBelow(followerLastIndex, this.currentTerm).index + 1
    pr.becomeProbe()
  }

  private handleAppendReject(message: MessageOf<'appendResponse'>, pr: Progress): void {
    if (pr.state === 'replicate') {
      if (message.rejectedPrevIndex <= pr.match) return
      pr.next = pr.match + 1
      pr.becomeProbe()
    } else if (pr.state === 'probe') {
      if (message.rejectedPrevIndex !== pr.next - 1) return
      pr.next = Math.max(this.probeTarget(message.hintIndex, message.hintTerm) + 1, pr.match + 1)
      pr.paused = false
    } else {
      return
    }
    this.sendAppends(message.from)
  }

  /** The largest entry end in our log <= hintIndex whose term <= hintTerm. */
  private probeTarget(hintIndex: number, hintTerm: number): number {
    // Same term at the follower's entry end: the same entry, so an entry end here too.
    if (hintIndex <= this.log.lastIndex && this.log.termAt(hintIndex) === hintTerm && hintTerm > 0)
      return hintIndex
    return this.log.entryEndAtOrBelow(hintIndex, hintTerm).index
  }

  private handleAppendSuccess(message: MessageOf<'appendResponse'>, pr: Progress): void {
    if (message.matchIndex > this.log.lastIndex) return
    const updated = pr.maybeUpdate(message.matchIndex)
    if (pr.state === 'probe' && (updated || pr.match === message.matchIndex)) pr.becomeReplicate()
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) pr.becomeReplicate()
    if (updated) {
      this.leaderCommitCheck()
      if (this.state !== 'leader') return
      if (message.from === this.transferee && pr.match === this.log.lastIndex) {
        this.send({ type: 'timeoutNow', to: message.from })
      }
      this.trimWindow()
    }
    this.sendAppends(message.from)
  }

  /** Commits by counting durable replicas for an entry of this term (§5.4.2, figure 8). */
  private leaderCommitCheck(): void {
    const matches: number[] = []
    for (const id of this.config.voters) {
      if (id === this.id) matches.push(this.log.persistedIndex)
      else matches.push(this.progressMap.get(id)?.match ?? -1)
    }
    matches.sort((a, b) => b - a)
    const candidate = matches[this.quorum() - 1]!
    // A sole voter may commit entries of earlier terms too: no other leader could replace them.
    if (candidate <= this.commit) return
    if (this.log.termAt(candidate) !== this.currentTerm && !this.soleVoter()) return
    this.commitTo(candidate)
    for (const id of this.progressMap.keys()) this.sendAppends(id, { sendIfEmpty: true })
    // A leader removed from the config leads until the removal commits, then steps down.
    if (!this.isVoter(this.id) && this.configs[this.configs.length - 1]!.index <= this.commit) {
      this.becomeFollower(this.currentTerm, 0)
    }
  }

  /** Sends appends to one follower while its flow control allows (bounded by the inflight window). */
  private sendAppends(to: NodeId, options: { sendIfEmpty?: boolean } = {}): void {
    for (let sent = 0; sent <= this.options.maxInflightMessages; sent++) {
      if (!this.sendAppend(to, { sendIfEmpty: options.sendIfEmpty === true && sent === 0 })) return
    }
  }

  /** One append (or a snapshot); true when more may follow right away. */
  private sendAppend(to: NodeId, options: { sendIfEmpty: boolean }): boolean {
    const pr = this.progressMap.get(to)
    if (pr === undefined || pr.isPaused(this.options.maxInflightMessages)) return false
    const log = this.log
    // Without payloads (or without the term before our log start) we cannot send entries.
    if (pr.next < log.windowStart || (pr.next === log.firstIndex && log.firstIndex > 0)) {
      this.sendSnapshot(to, pr)
      return false
    }
    const { maxEntriesPerMessage, maxBytesPerMessage } = this.options
    const entries =
      pr.next <= log.lastIndex ? log.slice(pr.next, maxEntriesPerMessage, maxBytesPerMessage) : []
    if (pr.next <= log.lastIndex && entries.length === 0) throw new Error('raft: next is not an entry start')
    if (entries.length === 0 && !options.sendIfEmpty) return false
    const prevIndex = pr.next - 1
    const commit = this.commit
    this.send({ type: 'append', to, prevIndex, prevTerm: log.termAt(prevIndex), entries, commit })
    const last = entries[entries.length - 1]
    if (last !== undefined) pr.sent(last.index + last.span - 1)
    else if (pr.state === 'probe') pr.paused = true
    return last !== undefined && pr.state === 'replicate'
  }

  private sendSnapshot(to: NodeId, pr: Progress): void {
    const index = this.commit
    const snapshot: SnapshotInfo = {
      index,
      term: this.log.termAt(index),
      firstIndex: this.log.firstIndex,
      termRuns: this.log.runsThrough(index),
      config: this.configAt(index),
    }
    pr.becomeSnapshot(index)
    this.send({ type: 'snapshot', to, snapshot })
  }

  // ---- helpers ------------------------------------------------------------------------------

  private send(message: Outgoing): void {
    this.messages.push({ ...message, from: this.id, term: this.currentTerm } as Message)
  }

  private hardState(): HardState {
    return { term: this.currentTerm, vote: this.vote, commit: this.commit }
  }

  private softState(): SoftState {
    return { leaderId: this.lead, role: this.state, term: this.currentTerm }
  }
}

const empty = new Uint8Array(0)
const stalledRoundsMax = 3

function resolveOptions(options: RaftOptions): ResolvedOptions {
  const resolved: ResolvedOptions = { ...defaultOptions, ...stripUndefined(options) }
  const positive = (name: keyof ResolvedOptions, value: number) => {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`raft: ${name} must be an integer >= 1`)
  }
  positive('id', resolved.id)
  positive('electionTicks', resolved.electionTicks)
  positive('heartbeatTicks', resolved.heartbeatTicks)
  positive('maxInflightMessages', resolved.maxInflightMessages)
  positive('maxEntriesPerMessage', resolved.maxEntriesPerMessage)
  positive('maxBytesPerMessage', resolved.maxBytesPerMessage)
  positive('windowBytesMax', resolved.windowBytesMax)
  if (resolved.heartbeatTicks >= resolved.electionTicks) {
    throw new RangeError('raft: heartbeatTicks must be below electionTicks')
  }
  return resolved
}

function stripUndefined(options: RaftOptions): RaftOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as RaftOptions
}

/** The config before the tail's first config entry, then one point per config entry in the tail. */
function initialConfigs(restored: RestoredState): ConfigPoint[] {
  const tailConfigs = restored.tail.filter((entry) => entry.kind === 'config')
  const first = tailConfigs[0]
  const base =
    first === undefined ? restored.config : (previousConfig(first.data) ?? decodeConfig(first.data))
  const points: ConfigPoint[] = [{ index: Number.NEGATIVE_INFINITY, config: base }]
  for (const entry of tailConfigs) points.push({ index: entry.index, config: decodeConfig(entry.data) })
  return points
}

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit
}

function sameSoftState(a: SoftState, b: SoftState): boolean {
  return a.leaderId === b.leaderId && a.role === b.role && a.term === b.term
}
