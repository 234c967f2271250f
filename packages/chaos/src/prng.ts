// The one source of randomness of a chaos run. Every random choice (which broker, which link, how
// long a delay, which byte to flip) is drawn from it, so a run prints its seed and `--seed S`
// replays the same choices (the brokers' own timing still varies: they are real processes).
// mulberry32: small, fast, and good enough to pick faults; not for cryptography.

export interface Random {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max] (both inclusive). */
  integer(min: number, max: number): number
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T
  /** `count` distinct elements of `items`, in a random order. */
  sample<T>(items: readonly T[], count: number): T[]
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  const integer = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    integer,
    pick(items) {
      if (items.length === 0) throw new RangeError('pick from an empty list')
      return items[integer(0, items.length - 1)]!
    },
    sample(items, count) {
      if (count > items.length) throw new RangeError(`sample of ${count} from ${items.length} items`)
      const copy = [...items]
      for (let index = copy.length - 1; index > 0; index--) {
        const other = integer(0, index)
        ;[copy[index], copy[other]] = [copy[other]!, copy[index]!]
      }
      return copy.slice(0, count)
    },
  }
}

/** A seed from the wall clock when none is given: printed, so the run can be replayed. */
export function freshSeed(): number {
  return (Date.now() ^ (process.pid << 16)) >>> 0
}
