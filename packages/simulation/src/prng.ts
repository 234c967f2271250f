// A small seeded PRNG (mulberry32) for the simulation. Every random choice of a run, in the world
// and in the programs it hosts, comes from one of these, so a seed replays a run exactly. fork()
// gives a labelled independent stream: adding a draw to one part of the simulation (say, the
// fault schedule) does not shift the draws of another (the network's ports, a broker's ids).

const uint32Range = 4_294_967_296

export class Prng {
  private state: number

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`a PRNG seed must be an integer, got ${seed}`)
    this.state = seed >>> 0
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }

  /** Uniform in [0, 1), like Math.random. */
  next(): number {
    return this.nextUint32() / uint32Range
  }

  /** An integer uniform in [low, high] (both included). */
  int(low: number, high: number): number {
    if (!Number.isInteger(low) || !Number.isInteger(high) || high < low) {
      throw new RangeError(`int(low, high) needs integers with low <= high, got ${low}, ${high}`)
    }
    return low + Math.floor(this.next() * (high - low + 1))
  }

  /** True with probability `probability` (0 never, 1 always). */
  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<T>(list: readonly T[]): T {
    if (list.length === 0) throw new RangeError('pick() from an empty list')
    return list[this.int(0, list.length - 1)]!
  }

  /**
   * An independent stream named `label`: seeded from this stream's seed-state and the label's
   * hash, without drawing from this stream, so forks never shift each other.
   */
  fork(label: string): Prng {
    return new Prng(mix(this.state ^ hashString(label)))
  }

  /** `next` as a plain function, for an Environment's `random`. */
  get random(): () => number {
    return () => this.next()
  }
}

/** FNV-1a over the UTF-16 code units of `text`. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** A 32-bit finaliser (murmur3's fmix32), so nearby inputs give unrelated seeds. */
function mix(value: number): number {
  let h = value >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
