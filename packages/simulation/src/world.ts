// The simulated world: N brokers and their clients in one process, on one VirtualTime and one
// MemoryNetwork. Each broker has its own host on the network, its own MemoryFileIo disk (which
// outlives its crashes), its own wall clock and, per incarnation, its own TimerScope and seeded
// random. A crash is a power loss: the host's sockets vanish, the disk keeps only what was
// fsynced, the Broker object is dropped without close() and its timers never fire again. A
// restart runs Broker.start on the same disk. Clients get their own hosts and environments.
import { createHash, type Hash } from 'node:crypto'
import { Broker, type BrokerEnvironment } from '@weir/broker'
import { type Environment, MemoryNetwork, type WriteFate } from '@weir/protocol'
import { type FileIo, MemoryFileIo } from '@weir/storage'
import { pino } from 'pino'
import type { Prng } from './prng.js'
import { type TimerScope, VirtualTime } from './virtual-time.js'

export const brokerPort = 9092
/** Shared by every simulated broker: the peer handshake runs in every simulation. */
const clusterSecret = 'simulated cluster secret, 32 bytes or more'

export const dataDir = '/weir/data'

/** Raft timing for simulated brokers: short ticks, so elections fit in a short virtual run. */
export const simulatedRaftTiming = { tickMs: 20, electionTicks: 10, heartbeatTicks: 2, maxReplicaLagMs: 2000 }

export interface WorldOptions {
  readonly brokerCount: number
  readonly prng: Prng
  /** Record a hash of every network write and every step (the determinism test compares them). */
  readonly trace?: boolean
  /**
   * The injected bug for the test that proves the invariants can fail: each disk answers fsync
   * without making anything durable, so a crash loses acknowledged writes.
   */
  readonly lyingFsync?: boolean
  readonly stepsMax?: number
}

/** Decides the fate of a write between two hosts (the faults install one); undefined: as TCP. */
export type LinkPolicy = (from: string, to: string, bytes: Uint8Array) => WriteFate | undefined

export interface SimulatedBroker {
  readonly id: number
  readonly host: string
  readonly disk: MemoryFileIo
  /** The running Broker; undefined while crashed or starting. */
  broker: Broker | undefined
  /** Bumped by every start; a start that finishes for an older incarnation is dropped. */
  incarnation: number
  scope: TimerScope | undefined
  crashes: number
}

export class World {
  readonly time: VirtualTime
  readonly network: MemoryNetwork
  readonly brokers: SimulatedBroker[]
  /** Why a broker failed to start (the seed fails with it). */
  readonly startFailures: string[] = []
  private readonly prng: Prng
  private readonly trace: Hash | undefined
  private readonly lyingFsync: boolean
  private linkPolicy: LinkPolicy | undefined
  private readonly logger = pino({ level: 'silent' })
  private writes = 0

  constructor(options: WorldOptions) {
    this.prng = options.prng
    this.trace = options.trace ? createHash('sha256') : undefined
    this.lyingFsync = options.lyingFsync ?? false
    const trace = this.trace
    this.time = new VirtualTime({
      stepsMax: options.stepsMax,
      onStep:
        trace === undefined
          ? undefined
          : (kind, sequence, atMs) => trace.update(`${kind} ${sequence} ${atMs}\n`),
    })
    const networkRandom = this.prng.fork('network')
    this.network = new MemoryNetwork({
      timers: this.time.scope('network'),
      random: networkRandom.random,
      latencyMs: () => 1,
    })
    this.network.setWriteFate((from, to, bytes) => this.fateOf(from, to, bytes))
    this.brokers = Array.from({ length: options.brokerCount }, (_, index) => ({
      id: index + 1,
      host: `b${index + 1}`,
      disk: new MemoryFileIo(),
      broker: undefined,
      incarnation: 0,
      scope: undefined,
      crashes: 0,
    }))
  }

  /** `host:port` of every broker, for a client's bootstrap list. */
  get bootstrap(): string[] {
    return this.brokers.map((broker) => `${broker.host}:${brokerPort}`)
  }

  /** Network writes seen so far. */
  get writeCount(): number {
    return this.writes
  }

  /** The hash of everything traced so far (only with `trace`). */
  traceDigest(): string {
    return this.trace?.copy().digest('hex') ?? ''
  }

  /** Replaces the faults' decision on each write (undefined: every write as TCP). */
  setLinkPolicy(policy: LinkPolicy | undefined): void {
    this.linkPolicy = policy
  }

  /** An environment for a client process on `host`. */
  clientEnvironment(host: string): Environment {
    return {
      clock: this.time.clock(host),
      timers: this.time.scope(host),
      random: this.prng.fork(`client ${host}`).random,
      transport: this.network.transport(host),
    }
  }

  /** Starts every broker; resolves once all serve (or throws past `limitMs` of virtual time). */
  async startAll(limitMs: number): Promise<void> {
    for (const broker of this.brokers) this.start(broker)
    await this.runUntilServing(limitMs)
  }

  /** Runs until every broker serves; false when `limitMs` passed first. */
  async runUntilServing(limitMs: number): Promise<boolean> {
    return this.time.runUntil(
      () => this.brokers.every((broker) => broker.broker !== undefined) || this.startFailures.length > 0,
      limitMs,
    )
  }

  /** Starts a new incarnation of `simulated` on its disk; it serves once `simulated.broker` is set. */
  start(simulated: SimulatedBroker): void {
    const incarnation = ++simulated.incarnation
    const scope = this.time.scope(`${simulated.host}#${incarnation}`)
    simulated.scope = scope
    const bytesRandom = this.prng.fork(`${simulated.host}#${incarnation} nonces`).random
    const environment: BrokerEnvironment = {
      clock: this.time.clock(simulated.host),
      timers: scope,
      random: this.prng.fork(`${simulated.host}#${incarnation}`).random,
      transport: this.network.transport(simulated.host),
      files: this.diskOf(simulated),
      // Seeded handshake nonces: node:crypto's would make every run differ.
      randomBytes: (size) => Buffer.from(Array.from({ length: size }, () => Math.floor(bytesRandom() * 256))),
    }
    Broker.start({
      dataDir,
      listen: `${simulated.host}:${brokerPort}`,
      brokerId: simulated.id,
      // Brokers talk on their peer ports (brokerPort + 1), authenticated by the cluster secret.
      peers: this.brokers.map(({ id, host }) => ({ id, host, port: brokerPort, peerPort: brokerPort + 1 })),
      clusterSecret,
      logger: this.logger,
      environment,
      raft: simulatedRaftTiming,
      groups: { offsetsPartitions: 2 },
    }).then(
      (broker) => {
        if (simulated.incarnation === incarnation && !scope.halted) simulated.broker = broker
      },
      (error: unknown) => {
        if (simulated.incarnation !== incarnation || scope.halted) return
        this.startFailures.push(
          `broker ${simulated.id} failed to start (incarnation ${incarnation}, after ${simulated.crashes} crashes): ${describe(error)}`,
        )
      },
    )
  }

  /**
   * A power loss of one broker: its host vanishes from the network, its disk drops what was not
   * fsynced (a random prefix of each un-fsynced tail may survive), its timers stop, and the Broker
   * object is dropped without close().
   */
  crash(simulated: SimulatedBroker): void {
    this.network.closeHost(simulated.host)
    simulated.scope?.halt()
    simulated.scope = undefined
    simulated.broker = undefined
    simulated.crashes++
    simulated.disk.crash(this.prng.fork(`crash ${simulated.host} ${simulated.crashes}`).random)
  }

  isUp(simulated: SimulatedBroker): boolean {
    return simulated.scope !== undefined
  }

  private diskOf(simulated: SimulatedBroker): FileIo {
    const files = simulated.disk.attach()
    if (!this.lyingFsync) return files
    return { ...files, datasync: async () => {}, syncDirectory: async () => {} }
  }

  private fateOf(from: string, to: string, bytes: Uint8Array): WriteFate | undefined {
    this.writes++
    this.trace?.update(`write ${from} ${to} ${this.time.elapsedMs} ${bytes.length}\n`).update(bytes)
    return this.linkPolicy?.(from, to, bytes)
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
