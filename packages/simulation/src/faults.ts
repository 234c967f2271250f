// The faults of one run, drawn from its seed: lossy, duplicating and reordering links between
// brokers, network partitions and isolated brokers, a broker crash (power loss: un-fsynced writes
// lost) and restart, the whole cluster losing power at once, and wall-clock jumps. planFaults is
// pure (a seed gives a plan); FaultInjector applies a plan on the world's virtual time.
import type { WriteFate } from '@weir/protocol'
import type { Prng } from './prng.js'
import type { World } from './world.js'

export const faultKinds = ['link-chaos', 'partition', 'isolate', 'crash', 'crash-all', 'clock-jump'] as const
export type FaultKind = (typeof faultKinds)[number]

/** How often each kind is drawn, relative to the others. */
const faultWeights: Record<FaultKind, number> = {
  'link-chaos': 4,
  partition: 3,
  isolate: 2,
  crash: 3,
  'crash-all': 1,
  'clock-jump': 2,
}

export interface FaultEvent {
  readonly kind: FaultKind
  /** Virtual ms after the workload starts. */
  readonly atMs: number
  /** How long until the fault is undone (a heal, a restart, the link back to normal). */
  readonly durationMs: number
  /** Broker ids involved: two for a partition, one for isolate / crash / clock-jump. */
  readonly brokerIds: readonly number[]
  /** link-chaos: probabilities of drop, duplicate and delay per write; clock-jump: the jump in ms. */
  readonly drop: number
  readonly duplicate: number
  readonly delay: number
  readonly jumpMs: number
}

export interface FaultPlanOptions {
  readonly brokerCount: number
  /** Faults start within [0, windowMs) and are undone by windowMs plus their duration. */
  readonly windowMs: number
  readonly eventsMax: number
  /** Only these kinds (default all). */
  readonly kinds?: readonly FaultKind[]
}

export function planFaults(prng: Prng, options: FaultPlanOptions): FaultEvent[] {
  const kinds = options.kinds ?? faultKinds
  const bag = kinds.flatMap((kind) => Array.from({ length: faultWeights[kind] }, () => kind))
  const count = prng.int(1, options.eventsMax)
  const events: FaultEvent[] = []
  for (let index = 0; index < count; index++) {
    const kind = prng.pick(bag)
    const first = prng.int(1, options.brokerCount)
    let second = prng.int(1, options.brokerCount - 1)
    if (second >= first) second++
    events.push({
      kind,
      atMs: prng.int(0, options.windowMs - 1),
      durationMs: prng.int(100, 2000),
      brokerIds: kind === 'partition' ? [first, second] : [first],
      drop: prng.next() * 0.3,
      duplicate: prng.next() * 0.2,
      delay: prng.next() * 0.3,
      jumpMs: prng.pick([-1, 1]) * prng.int(100, 60_000),
    })
  }
  return events.sort((left, right) => left.atMs - right.atMs)
}

/** One line per event, for --verbose. */
export function describeFault(event: FaultEvent): string {
  const brokers = event.brokerIds.join(' and ')
  switch (event.kind) {
    case 'link-chaos':
      return `at ${event.atMs} ms for ${event.durationMs} ms: broker links drop ${pct(event.drop)}, duplicate ${pct(event.duplicate)}, delay ${pct(event.delay)} of writes`
    case 'partition':
      return `at ${event.atMs} ms for ${event.durationMs} ms: brokers ${brokers} partitioned`
    case 'isolate':
      return `at ${event.atMs} ms for ${event.durationMs} ms: broker ${brokers} isolated`
    case 'crash':
      return `at ${event.atMs} ms: broker ${brokers} crashes, restarts ${event.durationMs} ms later`
    case 'crash-all':
      return `at ${event.atMs} ms: every broker loses power, all restart ${event.durationMs} ms later`
    case 'clock-jump':
      return `at ${event.atMs} ms: broker ${brokers}'s wall clock jumps ${event.jumpMs} ms`
  }
}

function pct(probability: number): string {
  return `${Math.round(probability * 100)}%`
}

export class FaultInjector {
  private readonly scope
  /** Link-chaos windows in force (they may overlap: the latest wins while several are). */
  private readonly chaos: FaultEvent[] = []
  private readonly brokerHosts: Set<string>

  constructor(
    private readonly world: World,
    private readonly prng: Prng,
    private readonly plan: readonly FaultEvent[],
  ) {
    this.scope = world.time.scope('faults')
    this.brokerHosts = new Set(world.brokers.map((broker) => broker.host))
  }

  /** Arms every event of the plan, relative to now. */
  start(): void {
    for (const event of this.plan) this.scope.setTimeout(() => this.apply(event), event.atMs)
  }

  /** Undoes everything: network healed, links as TCP, every crashed broker restarted, nothing more armed. */
  healAll(): void {
    this.scope.halt()
    this.chaos.length = 0
    this.world.setLinkPolicy(undefined)
    this.world.network.heal()
    for (const broker of this.world.brokers) if (!this.world.isUp(broker)) this.world.start(broker)
  }

  private apply(event: FaultEvent): void {
    const { world } = this
    const brokers = event.brokerIds.map((id) => world.brokers[id - 1]!)
    const [first, second] = brokers
    switch (event.kind) {
      case 'link-chaos':
        this.chaos.push(event)
        this.updateLinks()
        this.scope.setTimeout(() => {
          this.chaos.splice(this.chaos.indexOf(event), 1)
          this.updateLinks()
        }, event.durationMs)
        return
      case 'partition':
        world.network.partition(first!.host, second!.host)
        this.scope.setTimeout(() => world.network.heal(first!.host, second!.host), event.durationMs)
        return
      case 'isolate':
        world.network.isolate(first!.host)
        this.scope.setTimeout(() => world.network.heal(first!.host), event.durationMs)
        return
      case 'crash':
        this.crashAndRestart([first!], event.durationMs)
        return
      case 'crash-all':
        this.crashAndRestart(world.brokers, event.durationMs)
        return
      case 'clock-jump':
        world.time.jumpClock(first!.host, event.jumpMs)
        return
    }
  }

  private crashAndRestart(brokers: readonly (typeof this.world.brokers)[number][], downMs: number): void {
    for (const broker of brokers) {
      if (!this.world.isUp(broker)) continue
      this.world.crash(broker)
      const crashes = broker.crashes
      this.scope.setTimeout(() => {
        // Restart only the incarnation this event crashed (healAll may have restarted it already).
        if (!this.world.isUp(broker) && broker.crashes === crashes) this.world.start(broker)
      }, downMs)
    }
  }

  private updateLinks(): void {
    const event = this.chaos.at(-1)
    if (event === undefined) {
      this.world.setLinkPolicy(undefined)
      return
    }
    const random = this.prng
    this.world.setLinkPolicy((from, to): WriteFate | undefined => {
      if (!this.brokerHosts.has(from) || !this.brokerHosts.has(to)) return undefined
      const roll = random.next()
      if (roll < event.drop) return { drop: true }
      if (roll < event.drop + event.duplicate) return { duplicate: true }
      if (roll < event.drop + event.duplicate + event.delay) return { extraDelayMs: random.int(1, 50) }
      return undefined
    })
  }
}
