// A synchronous test cluster: every Ready is persisted into memory, sent and advanced at once;
// messages flow until quiet. Links can be cut per direction.
import {
  type Entry,
  type EntryKind,
  type HardState,
  type Message,
  type NodeId,
  RaftNode,
  type RaftOptions,
  type Ready,
} from '../src/index.js'
import { MemoryStorage } from './sim/memory-storage.js'
import { Prng } from './sim/prng.js'

export interface TestNode {
  raft: RaftNode
  readonly storage: MemoryStorage
  readonly readies: Ready[]
}

export type NodeOptions = Partial<Omit<RaftOptions, 'id'>>

export function options(id: NodeId, overrides: NodeOptions = {}): RaftOptions {
  const prng = new Prng(id * 7919)
  return { id, electionTicks: 10, heartbeatTicks: 1, random: () => prng.next(), ...overrides }
}

/** Entries from [term, span] pairs starting at `start` (kind normal, data naming the index). */
export function entries(
  start: number,
  shape: readonly (readonly [number, number])[],
  kind?: EntryKind,
): Entry[] {
  const built: Entry[] = []
  let index = start
  for (const [term, span] of shape) {
    built.push({ index, term, span, kind: kind ?? 'normal', data: new TextEncoder().encode(`e${index}`) })
    index += span
  }
  return built
}

export function storageWith(
  voters: readonly NodeId[],
  log: readonly Entry[],
  hardState?: HardState,
): MemoryStorage {
  const storage = new MemoryStorage({ voters })
  storage.entries.push(...log)
  if (hardState !== undefined) storage.hardState = hardState
  return storage
}

export class TestCluster {
  readonly nodes = new Map<NodeId, TestNode>()
  readonly cut = new Set<string>()
  /** Every message delivered (or cut), in order, for assertions on traffic. */
  readonly sent: Message[] = []
  private queue: Message[] = []

  constructor(
    readonly ids: readonly NodeId[],
    private readonly nodeOptions: NodeOptions = {},
    storages: ReadonlyMap<NodeId, MemoryStorage> = new Map(),
  ) {
    for (const id of ids) {
      const storage = storages.get(id) ?? new MemoryStorage({ voters: ids })
      this.nodes.set(id, { raft: this.boot(id, storage), storage, readies: [] })
    }
  }

  node(id: NodeId): RaftNode {
    return this.nodes.get(id)!.raft
  }

  private boot(id: NodeId, storage: MemoryStorage): RaftNode {
    return new RaftNode(options(id, this.nodeOptions), storage.restoredState(1))
  }

  /** Adds a brand-new node (for membership tests). */
  addNode(id: NodeId, voters: readonly NodeId[]): void {
    const storage = new MemoryStorage({ voters })
    this.nodes.set(id, { raft: this.boot(id, storage), storage, readies: [] })
  }

  /** Restarts a node with an empty disk (a wiped or replaced data dir): no log, no hard state. */
  wipe(id: NodeId): void {
    const storage = new MemoryStorage({ voters: this.ids })
    this.nodes.set(id, { raft: this.boot(id, storage), storage, readies: [] })
  }

  restart(id: NodeId): void {
    const node = this.nodes.get(id)!
    node.raft = this.boot(id, node.storage)
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) {
      this.cut.add(`${id}>${other}`)
      this.cut.add(`${other}>${id}`)
    }
  }

  heal(): void {
    this.cut.clear()
  }

  /** Persists and advances one node's Ready (restores copy from the leader at once). */
  flush(id: NodeId): Ready | undefined {
    const node = this.nodes.get(id)!
    if (!node.raft.hasReady()) return undefined
    const ready = node.raft.ready()
    node.readies.push(ready)
    node.storage.persist(ready)
    for (const message of ready.messages) {
      this.sent.push(message)
      if (!this.cut.has(`${message.from}>${message.to}`)) this.queue.push(message)
    }
    node.raft.advance(ready)
    if (ready.restore !== undefined) this.finishRestore(node, ready)
    return ready
  }

  private finishRestore(node: TestNode, ready: Ready): void {
    const restore = ready.restore!
    const source = this.nodes.get(restore.leaderId)!
    if (node.storage.copyFrom(source.storage, restore.snapshot)) node.raft.restored(restore.snapshot)
    else node.raft.restoreFailed()
  }

  /** Flushes and delivers until nothing moves (bounded). */
  stabilize(roundsMax = 1000): void {
    for (let round = 0; round < roundsMax; round++) {
      let moved = false
      for (const id of this.nodes.keys()) if (this.flush(id) !== undefined) moved = true
      const delivering = this.queue
      this.queue = []
      for (const message of delivering) this.nodes.get(message.to)?.raft.step(message)
      if (!moved && delivering.length === 0) return
    }
    throw new Error('cluster did not stabilize')
  }

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) this.node(id).tick()
  }

  /** Ticks every node once and stabilizes, `times` times. */
  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const node of this.nodes.values()) node.raft.tick()
      this.stabilize()
    }
  }

  elect(id: NodeId): void {
    this.node(id).campaign()
    this.stabilize()
  }

  propose(id: NodeId, spans: readonly number[]): void {
    const result = this.node(id).propose(spans.map((span) => ({ span, data: new Uint8Array([span, 1, 2]) })))
    if (!result.ok) throw new Error(`proposal refused: ${result.reason}`)
    this.stabilize()
  }

  leaders(): NodeId[] {
    return [...this.nodes.entries()].filter(([, node]) => node.raft.role === 'leader').map(([id]) => id)
  }

  /** The durable log of a node as [index, term, span] triples. */
  logOf(id: NodeId): [number, number, number][] {
    return this.nodes.get(id)!.storage.entries.map((entry) => [entry.index, entry.term, entry.span])
  }
}

/** Drains a lone node's Ready: persists nothing, returns its messages. */
export function drain(raft: RaftNode): Message[] {
  if (!raft.hasReady()) return []
  const ready = raft.ready()
  raft.advance(ready)
  return [...ready.messages]
}
