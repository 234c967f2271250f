// A seeded, deterministic cluster: N RaftNodes over a network that drops, delays, duplicates and
// reorders messages and partitions nodes; nodes crash and restart from their durable state only,
// and (with 5 nodes, one at a time) a restart may find the tail of the log damaged and cut, committed
// entries included: the node then restarts with repairThrough and must not vote or lead until repaired.
// Invariants are checked after every step; the first violation ends the run.
import {
  type Entry,
  type Message,
  type NodeId,
  RaftNode,
  type Ready,
  type SnapshotInfo,
} from '../../src/index.js'
import { MemoryStorage } from './memory-storage.js'
import { Prng } from './prng.js'

export interface SimulationOptions {
  readonly seed: number
  readonly steps: number
  readonly nodes: number
  readonly verbose: boolean
  /** After the quiet phase, wipe one follower's disk and check it catches up with nothing proposed. */
  readonly wipe?: boolean
  readonly log?: (line: string) => void
}

export class Violation extends Error {
  override readonly name = 'Violation'
}

interface SimNode {
  readonly id: NodeId
  storage: MemoryStorage
  raft: RaftNode | undefined
  random: Prng
  /** Highest core commit seen since the last restart. */
  commitSeen: number
  /** Durable committed entries checked against the cluster's committed log up to here. */
  checkedThrough: number
  restoreJob: { readonly at: number; readonly source: NodeId; readonly snapshot: SnapshotInfo } | undefined
  /** A Ready taken but not yet carried out (a slow disk); the core keeps stepping meanwhile. */
  outstanding: { readonly at: number; readonly ready: Ready } | undefined
  /** Set while the node's log lacks entries a damaged disk took (kept across restarts, as the broker does). */
  repairThrough: number | undefined
  /**
   * Entries written ahead of durability (advance with entriesDurable false) and the messages held
   * until they are durable, as the broker does; a crash loses both unless the write made it.
   */
  ahead: { readonly entries: Entry[]; readonly messages: Message[]; readonly at: number } | undefined
}

interface InFlight {
  readonly at: number
  readonly message: Message
}

interface Faults {
  drop: number
  duplicate: number
  delayMax: number
  /** Directed links that are cut: "from>to". */
  cut: Set<string>
}

const electionTicks = 10

export class Simulation {
  private readonly prng: Prng
  /** Decides disk damage apart from `prng`, so seeds without damage replay as before. */
  private readonly damagePrng: Prng
  /** Decides writes ahead of durability and when they become durable. */
  private readonly aheadPrng: Prng
  private readonly nodes = new Map<NodeId, SimNode>()
  private readonly ids: NodeId[]
  private network: InFlight[] = []
  private readonly faults: Faults = { drop: 0.03, duplicate: 0.02, delayMax: 3, cut: new Set() }
  private readonly leaders = new Map<number, NodeId>()
  /** The cluster's committed log as observed so far, contiguous from index 0. */
  private readonly committed: Entry[] = []
  private committedEnd = 0
  private time = 0
  private proposals = 0
  private readonly tuning: {
    heartbeatTicks: number
    maxInflight: number
    maxEntries: number
    maxBytes: number
    window: number
  }

  constructor(private readonly options: SimulationOptions) {
    this.prng = new Prng(options.seed)
    this.damagePrng = new Prng(options.seed * 7 + 3)
    this.aheadPrng = new Prng(options.seed * 13 + 5)
    this.ids = Array.from({ length: options.nodes }, (_, i) => i + 1)
    this.tuning = {
      heartbeatTicks: this.prng.int(1, 3),
      maxInflight: this.prng.int(1, 8),
      maxEntries: this.prng.int(1, 8),
      maxBytes: this.prng.pick([1, 64, 1024]),
      window: this.prng.chance(0.5) ? this.prng.int(16, 400) : 64 * 1024 * 1024,
    }
    for (const id of this.ids) {
      const storage = new MemoryStorage({ voters: this.ids })
      const node: SimNode = {
        id,
        storage,
        raft: undefined,
        random: new Prng(options.seed * 31 + id),
        commitSeen: -1,
        checkedThrough: -1,
        restoreJob: undefined,
        outstanding: undefined,
        repairThrough: undefined,
        ahead: undefined,
      }
      this.nodes.set(id, node)
      this.start(node)
    }
  }

  /** Runs the chaos phase then the quiet phase; throws Violation on the first broken invariant. */
  run(): void {
    for (let step = 0; step < this.options.steps; step++) {
      this.chaos()
      this.step(true)
    }
    this.quiet()
    if (this.options.wipe === true) this.wipeAndCatchUp()
  }

  private say(line: string): void {
    if (this.options.verbose) (this.options.log ?? console.log)(`[t=${this.time}] ${line}`)
  }

  private start(node: SimNode): void {
    const state = node.storage.restoredState(this.prng.int(0, 3))
    const repairThrough = node.repairThrough
    const restored = repairThrough === undefined ? state : { ...state, repairThrough }
    node.raft = new RaftNode(
      {
        id: node.id,
        electionTicks,
        heartbeatTicks: this.tuning.heartbeatTicks,
        random: () => node.random.next(),
        maxInflightMessages: this.tuning.maxInflight,
        maxEntriesPerMessage: this.tuning.maxEntries,
        maxBytesPerMessage: this.tuning.maxBytes,
        windowBytesMax: this.tuning.window,
      },
      restored,
    )
    node.commitSeen = node.raft.commitIndex
  }

  // ---- one step -------------------------------------------------------------------------------

  private step(faulty: boolean): void {
    this.time++
    for (const node of this.nodes.values()) {
      if (node.raft !== undefined && (!faulty || this.prng.chance(0.95))) node.raft.tick()
    }
    this.deliver(faulty)
    for (const node of this.nodes.values()) {
      if (node.ahead !== undefined && node.ahead.at <= this.time) this.syncAhead(node, faulty)
    }
    for (const node of this.nodes.values()) {
      if (node.raft !== undefined) this.handleReady(node, faulty)
    }
    this.runRestoreJobs()
    this.checkInvariants()
  }

  private deliver(faulty: boolean): void {
    const due = this.network.filter((flight) => flight.at <= this.time)
    this.network = this.network.filter((flight) => flight.at > this.time)
    for (const { message } of this.prng.shuffle(due)) {
      const target = this.nodes.get(message.to)
      if (target?.raft === undefined) continue
      if (faulty && this.faults.cut.has(`${message.from}>${message.to}`)) continue
      target.raft.step(message)
    }
  }

  private send(messages: readonly Message[], faulty: boolean): void {
    for (const message of messages) {
      if (faulty && this.prng.chance(this.faults.drop)) continue
      const copies = faulty && this.prng.chance(this.faults.duplicate) ? 2 : 1
      for (let copy = 0; copy < copies; copy++) {
        const delay = faulty ? this.prng.int(1, this.faults.delayMax) : 1
        this.network.push({ at: this.time + delay, message })
      }
    }
  }

  private handleReady(node: SimNode, faulty: boolean): void {
    const raft = node.raft!
    if (node.outstanding === undefined) {
      if (!raft.hasReady()) return
      const delay = faulty && this.prng.chance(0.2) ? this.prng.int(1, 4) : 0
      node.outstanding = { at: this.time + delay, ready: raft.ready() }
    }
    if (node.outstanding.at > this.time) return
    const { ready } = node.outstanding
    node.outstanding = undefined
    const rewrites = ready.truncateFrom !== undefined || ready.restore !== undefined
    const writeAhead = ready.entries.length > 0 && !rewrites && this.aheadPrng.chance(0.5)
    // The disk finishes what was written ahead before anything written the ordinary way.
    if (!writeAhead && (ready.entries.length > 0 || rewrites)) this.syncAhead(node, faulty)
    if (writeAhead) {
      // Term and vote durable now; the entries later (no truncation here, so the order is free).
      node.storage.persist({ ...ready, entries: [] })
      node.ahead ??= { entries: [], messages: [], at: this.time + this.aheadPrng.int(1, 4) }
      node.ahead.entries.push(...ready.entries)
    } else {
      node.storage.persist(ready)
    }
    // A leader's appends and heartbeats claim nothing of its own log; every other message waits
    // for what was written ahead (a follower's answers may cover it).
    const early = (message: Message) =>
      raft.role === 'leader' && (message.type === 'append' || message.type === 'heartbeat')
    this.send(ready.messages.filter(early), faulty)
    const held = ready.messages.filter((message) => !early(message))
    if (node.ahead !== undefined) node.ahead.messages.push(...held)
    else this.send(held, faulty)
    this.checkApplied(node, ready)
    if (ready.restore !== undefined) {
      const at = this.time + this.prng.int(1, 6)
      node.restoreJob = { at, source: ready.restore.leaderId, snapshot: ready.restore.snapshot }
      const { keepThrough, snapshot } = ready.restore
      this.say(`n${node.id} restore from n${ready.restore.leaderId} keep ${keepThrough} to ${snapshot.index}`)
    }
    if (ready.softState !== undefined)
      this.say(`n${node.id} ${ready.softState.role} term ${ready.softState.term}`)
    raft.advance(ready, { entriesDurable: !writeAhead })
  }

  /** The entries written ahead become durable: the core is told, and the held messages go. */
  private syncAhead(node: SimNode, faulty: boolean): void {
    const ahead = node.ahead
    if (ahead === undefined) return
    node.ahead = undefined
    node.storage.append(ahead.entries)
    const last = ahead.entries[ahead.entries.length - 1]!
    node.raft?.persisted(last.index + last.span - 1, last.term)
    this.send(ahead.messages, faulty)
  }

  private runRestoreJobs(): void {
    for (const node of this.nodes.values()) {
      const job = node.restoreJob
      if (job === undefined || job.at > this.time || node.raft === undefined) continue
      node.restoreJob = undefined
      const source = this.nodes.get(job.source)
      const copied = source?.raft !== undefined && node.storage.copyFrom(source.storage, job.snapshot)
      this.say(`n${node.id} restore ${copied ? 'done' : 'failed'} through ${job.snapshot.index}`)
      if (copied) node.raft.restored(job.snapshot)
      else node.raft.restoreFailed()
      this.checkDurableCommitted(node)
    }
  }

  // ---- faults and workload --------------------------------------------------------------------

  private chaos(): void {
    const prng = this.prng
    if (prng.chance(0.01)) this.partition()
    if (prng.chance(0.01)) this.heal()
    if (prng.chance(0.004)) this.crash(prng.pick(this.ids))
    for (const node of this.nodes.values()) {
      if (node.raft === undefined && prng.chance(0.05)) this.restart(node)
    }
    if (prng.chance(0.3)) this.propose(prng.chance(0.7) ? (this.leader()?.id ?? 1) : prng.pick(this.ids))
    if (prng.chance(0.005)) this.transfer()
    if (prng.chance(0.004)) this.changeConfig()
  }

  private partition(): void {
    const prng = this.prng
    this.faults.cut.clear()
    if (prng.chance(0.5)) {
      const side = new Set(this.ids.filter(() => prng.chance(0.5)))
      for (const from of this.ids) {
        for (const to of this.ids) if (side.has(from) !== side.has(to)) this.faults.cut.add(`${from}>${to}`)
      }
      this.say(`partition {${[...side].join(',')}} | rest`)
    } else {
      const from = prng.pick(this.ids)
      const to = prng.pick(this.ids)
      if (from !== to) this.faults.cut.add(`${from}>${to}`)
      this.say(`cut ${from}>${to}`)
    }
  }

  private heal(): void {
    this.faults.cut.clear()
    this.say('heal')
  }

  private crash(id: NodeId): void {
    const node = this.nodes.get(id)!
    if (node.raft === undefined) return
    // Entries written ahead were written, not yet durable: the crash keeps them or loses them all.
    const aheadLost = node.ahead !== undefined && this.aheadPrng.chance(0.5)
    if (node.ahead !== undefined && !aheadLost) node.storage.append(node.ahead.entries)
    node.ahead = undefined
    // The host writes entries before the hard state: a crash can land between the two.
    const outstanding = node.outstanding
    if (outstanding !== undefined && !aheadLost && this.prng.chance(0.5)) {
      node.storage.persist({ ...outstanding.ready, hardState: undefined, restore: undefined })
    }
    node.raft = undefined
    node.restoreJob = undefined
    node.outstanding = undefined
    this.say(`n${id} crash`)
  }

  private restart(node: SimNode): void {
    // A restore interrupted by the crash leaves the log cut at keepThrough: still a valid log.
    if (this.prng.chance(0.3)) this.compact(node)
    const othersRepairing = [...this.nodes.values()].some((other) => other.repairThrough !== undefined)
    if (this.ids.length >= 5 && !othersRepairing && this.damagePrng.chance(0.2)) this.damage(node)
    this.start(node)
    this.say(`n${node.id} restart term ${node.raft!.term} last ${node.raft!.lastIndex}`)
  }

  /**
   * A damaged segment cut away while down: the log loses its tail from a random entry on, committed
   * entries included. Outside Raft's model; the node must repair before it votes or leads again.
   */
  private damage(node: SimNode): void {
    const storage = node.storage
    if (storage.entries.length < 2) return
    const lastBefore = storage.lastIndex
    storage.entries.splice(this.damagePrng.int(1, storage.entries.length - 1))
    storage.hardState = {
      ...storage.hardState,
      commit: Math.min(storage.hardState.commit, storage.lastIndex),
    }
    node.repairThrough = Math.max(node.repairThrough ?? -1, lastBefore)
    node.checkedThrough = Math.min(node.checkedThrough, storage.lastIndex)
    this.say(`n${node.id} damaged: log cut to ${storage.lastIndex} (held ${lastBefore})`)
  }

  /** Retention while down: drops a committed prefix, so the node restarts with firstIndex > 0. */
  private compact(node: SimNode): void {
    const storage = node.storage
    const committed = storage.entries.filter(
      (entry) => entry.index + entry.span - 1 <= storage.hardState.commit,
    )
    if (committed.length < 2) return
    storage.dropPrefix(this.prng.int(1, committed.length - 1))
    this.say(`n${node.id} compacted to ${storage.firstIndex}`)
  }

  private propose(id: NodeId): void {
    const raft = this.nodes.get(id)?.raft
    if (raft === undefined) return
    const count = this.prng.int(1, 3)
    const entries = Array.from({ length: count }, () => ({ span: this.prng.int(1, 5), data: this.payload() }))
    const result = raft.propose(entries)
    if (result.ok) this.say(`n${id} proposed [${result.firstIndex}, ${result.lastIndex}] term ${result.term}`)
  }

  private payload(): Uint8Array {
    this.proposals++
    const text = `p${this.options.seed}-${this.proposals}`.padEnd(this.prng.int(4, 24), '.')
    return new TextEncoder().encode(text)
  }

  private leader(): SimNode | undefined {
    let found: SimNode | undefined
    for (const node of this.nodes.values()) {
      if (node.raft?.role === 'leader' && (found === undefined || node.raft.term > found.raft!.term))
        found = node
    }
    return found
  }

  private transfer(): void {
    const leader = this.leader()
    if (leader === undefined) return
    const to = this.prng.pick(leader.raft!.config.voters)
    leader.raft!.transferLeadership(to)
    this.say(`n${leader.id} transfer to n${to}`)
  }

  private changeConfig(): void {
    const leader = this.leader()?.raft
    if (leader === undefined) return
    const voters = leader.config.voters
    const missing = this.ids.filter((id) => !voters.includes(id))
    const minimum = this.ids.length >= 5 ? 3 : 2
    const change =
      missing.length > 0 && (voters.length <= minimum || this.prng.chance(0.5))
        ? { add: this.prng.pick(missing) }
        : { remove: this.prng.pick(voters) }
    if ('remove' in change && voters.length <= minimum) return
    const result = leader.proposeConfigChange(change)
    this.say(`n${leader.id} config ${JSON.stringify(change)} -> ${result.ok ? 'ok' : result.reason}`)
  }

  // ---- quiet phase: liveness --------------------------------------------------------------------

  private quiet(): void {
    this.heal()
    this.faults.drop = 0
    this.faults.duplicate = 0
    for (const node of this.nodes.values()) if (node.raft === undefined) this.restart(node)
    const pending: { index: number; term: number }[] = []
    let proposed = false
    // A transfer started before the quiet period may still depose the leader: wait it out.
    let settledSince = Number.POSITIVE_INFINITY
    // Long enough to drain the backlog of the slowest tuning (one entry per append, one in flight).
    for (let step = 0; step < 400 * electionTicks; step++) {
      this.step(false)
      const leader = this.leader()?.raft
      const settled = leader !== undefined && this.settled(leader)
      settledSince = settled ? Math.min(settledSince, step) : Number.POSITIVE_INFINITY
      if (!proposed && leader !== undefined && step - settledSince >= 3 * electionTicks) {
        for (let i = 0; i < 5; i++) {
          const result = leader.propose([{ span: this.prng.int(1, 5), data: this.payload() }])
          if (!result.ok)
            throw new Violation(`liveness: a settled leader refused a proposal (${result.reason})`)
          pending.push({ index: result.firstIndex, term: result.term })
        }
        proposed = true
        this.say(`quiet: proposed 5 entries to n${leader.id}`)
      }
      if (proposed && pending.every((proposal) => this.isCommitted(proposal))) return
    }
    const state = [...this.nodes.values()].map((node) => this.describe(node)).join('; ')
    throw new Violation(
      `liveness: ${proposed ? 'quiet-period proposals did not commit' : 'no settled leader'} (${state})`,
    )
  }

  /**
   * A follower restarts with an empty disk (no log, no hard state) and nothing new is proposed: the
   * leader must notice from its heartbeat answers and copy the whole committed log to it again.
   */
  private wipeAndCatchUp(): void {
    const leader = this.leader()!
    const voters = leader.raft!.config.voters
    const victim = this.nodes.get(this.prng.pick(voters.filter((id) => id !== leader.id)))!
    victim.storage = new MemoryStorage({ voters })
    victim.raft = undefined
    victim.restoreJob = undefined
    victim.outstanding = undefined
    victim.ahead = undefined
    victim.checkedThrough = -1
    this.start(victim)
    this.say(`n${victim.id} wiped`)
    for (let step = 0; step < 400 * electionTicks; step++) {
      this.step(false)
      const commit = this.leader()?.raft?.commitIndex ?? -1
      const storage = victim.storage
      if (storage.hardState.commit >= commit && storage.lastIndex >= commit) return
    }
    throw new Violation(`liveness: wiped n${victim.id} did not catch up (${this.describe(victim)})`)
  }

  /** A leader whose current-term noop committed, with no config change or transfer under way. */
  private settled(leader: RaftNode): boolean {
    // Commit at lastIndex: every config entry is committed and the noop of this term too.
    return (
      leader.commitIndex === leader.lastIndex &&
      leader.termAt(leader.commitIndex) === leader.term &&
      leader.config.voters.includes(leader.id) &&
      leader.propose([]).ok
    )
  }

  private isCommitted(proposal: { index: number; term: number }): boolean {
    const entry = this.committedAt(proposal.index)
    return entry !== undefined && entry.term === proposal.term
  }

  private describe(node: SimNode): string {
    const raft = node.raft
    if (raft === undefined) return `n${node.id} down`
    const progress = [...raft.progress()].map(
      ([id, pr]) => `n${id}:${pr.state} m${pr.match} n${pr.next} i${pr.inflight}`,
    )
    return `n${node.id} ${raft.role} t${raft.term} lead ${raft.leaderId} commit ${raft.commitIndex} last ${raft.lastIndex} window ${raft.windowStart} voters ${raft.config.voters.join(',')}${progress.length > 0 ? ` [${progress.join(' ')}]` : ''}`
  }

  // ---- invariants -------------------------------------------------------------------------------

  private checkInvariants(): void {
    for (const node of this.nodes.values()) {
      const raft = node.raft
      if (raft === undefined) continue
      if (raft.role === 'leader') {
        const other = this.leaders.get(raft.term)
        if (other !== undefined && other !== node.id) {
          throw new Violation(`two leaders in term ${raft.term}: n${other} and n${node.id}`)
        }
        this.leaders.set(raft.term, node.id)
      }
      if (node.repairThrough !== undefined) {
        if (raft.repairing && raft.role !== 'follower')
          throw new Violation(`n${node.id} is ${raft.role} while repairing its log`)
        if (!raft.repairing) {
          node.repairThrough = undefined
          this.say(`n${node.id} repaired at ${raft.lastIndex}`)
        }
      }
      if (raft.commitIndex < node.commitSeen) {
        throw new Violation(`n${node.id} commit went back from ${node.commitSeen} to ${raft.commitIndex}`)
      }
      node.commitSeen = raft.commitIndex
      this.checkDurableCommitted(node)
    }
  }

  /** Durable entries at or below the durable commit must equal the cluster's committed log. */
  private checkDurableCommitted(node: SimNode): void {
    const storage = node.storage
    const through = Math.min(storage.hardState.commit, storage.lastIndex)
    // A restore may have restarted the log above what was checked.
    node.checkedThrough = Math.max(node.checkedThrough, storage.firstIndex - 1)
    if (through <= node.checkedThrough) return
    let position = storage.position(node.checkedThrough + 1)
    if (position === undefined)
      throw new Violation(`n${node.id}: no entry starts after ${node.checkedThrough}`)
    for (; position < storage.entries.length; position++) {
      const entry = storage.entries[position]!
      const end = entry.index + entry.span - 1
      if (end > through) break
      this.observeCommitted(node.id, entry)
      node.checkedThrough = end
    }
  }

  private checkApplied(node: SimNode, ready: Ready): void {
    for (const entry of ready.committed) {
      if (entry.index + entry.span - 1 > ready.commitIndex) {
        throw new Violation(`n${node.id} applies ${entry.index} above commit ${ready.commitIndex}`)
      }
      this.observeCommitted(node.id, entry)
    }
  }

  private observeCommitted(id: NodeId, entry: Entry): void {
    if (entry.index === this.committedEnd) {
      this.committed.push(entry)
      this.committedEnd = entry.index + entry.span
      return
    }
    if (entry.index > this.committedEnd) {
      throw new Violation(
        `n${id}: committed entry at ${entry.index} leaves a gap after ${this.committedEnd - 1}`,
      )
    }
    const known = this.committedAt(entry.index)
    if (known === undefined || !sameEntry(known, entry)) {
      throw new Violation(
        `n${id}: committed entry at ${entry.index} (term ${entry.term} span ${entry.span}) differs from ` +
          (known === undefined ? 'an entry boundary' : `term ${known.term} span ${known.span}`),
      )
    }
  }

  private committedAt(index: number): Entry | undefined {
    let low = 0
    let high = this.committed.length - 1
    while (low <= high) {
      const middle = (low + high) >> 1
      const entry = this.committed[middle]!
      if (entry.index === index) return entry
      if (entry.index < index) low = middle + 1
      else high = middle - 1
    }
    return undefined
  }
}

function sameEntry(a: Entry, b: Entry): boolean {
  if (a.term !== b.term || a.span !== b.span || a.kind !== b.kind || a.data.length !== b.data.length)
    return false
  return a.data.every((byte, i) => byte === b.data[i])
}
