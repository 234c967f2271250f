// The checker, in the spirit of Jepsen's Kafka workload: reads a run's History and counts each kind
// of violation, with a few examples of each. Pure: no clock, no I/O; tested with hand-made
// histories that each hold one violation (test/checker.test.ts).
import type { Ack, FinalRecord, History, Poll } from './history.js'

export interface FailoverFigures {
  readonly samples: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

export interface CheckResult {
  readonly acked: number
  /** Acknowledged values found nowhere in the final read. */
  readonly lost: number
  /** Extra copies of values in the final read (a value twice counts 1). */
  readonly duplicates: number
  /** An acked offset holding another value, two acks of one offset, a polled record the log no longer holds as polled. */
  readonly inconsistent: number
  /** Per producer and partition: acked offsets, or final-read positions, out of sequence order. */
  readonly orderViolations: number
  /** A member's consecutive polls of a partition passing over a record the log holds. */
  readonly pollSkips: number
  /** Per partition, an acknowledged commit below an earlier one. */
  readonly nonMonotonicCommits: number
  /** Replicas whose committed prefixes differ in bytes or fall short. */
  readonly replicasDiffer: number
  /** Longest time without an ack on one partition (run start and end count as acks). */
  readonly longestAckGapMs: number
  readonly longestAckGapPartition: number
  readonly failover: FailoverFigures
  /** The first few examples of each violation, for the report. */
  readonly examples: readonly string[]
  readonly pass: boolean
}

const examplesPerKind = 3

export function checkHistory(history: History): CheckResult {
  const examples: string[] = []
  const example = (kind: string, count: number, text: string) => {
    if (count <= examplesPerKind) examples.push(`${kind}: ${text}`)
  }
  const final = indexFinalRead(history.finalRead)

  let lost = 0
  let inconsistent = 0
  const ackedAt = new Map<string, string>()
  for (const ack of history.acks) {
    const slot = `${ack.partition}/${ack.offset}`
    const earlier = ackedAt.get(slot)
    if (earlier !== undefined && earlier !== ack.value) {
      inconsistent++
      example('inconsistent', inconsistent, `${slot} acked for ${earlier} and for ${ack.value}`)
    }
    ackedAt.set(slot, ack.value)
    const places = final.places.get(ack.value)
    if (places === undefined) {
      lost++
      const why = history.finalReadProblem === undefined ? '' : ` (final read: ${history.finalReadProblem})`
      example('lost', lost, `${ack.value} acked at ${slot} is not in the log${why}`)
      continue
    }
    const held = final.byPartition.get(ack.partition)?.get(ack.offset)
    if (held !== ack.value) {
      inconsistent++
      example('inconsistent', inconsistent, `${slot} acked for ${ack.value} holds ${held ?? 'nothing'}`)
    }
  }
  for (const poll of history.polls) {
    // A final read that stopped short says nothing about the offsets it did not reach.
    const readEnd = final.sortedOffsets.get(poll.partition)?.at(-1) ?? -1
    if (history.finalReadProblem !== undefined && poll.offset > readEnd) continue
    const held = final.byPartition.get(poll.partition)?.get(poll.offset)
    if (held !== poll.value) {
      inconsistent++
      example(
        'inconsistent',
        inconsistent,
        `${poll.member} polled ${poll.value} at ${poll.partition}/${poll.offset}, the log holds ${held ?? 'nothing'}`,
      )
    }
  }

  let duplicates = 0
  for (const [value, places] of final.places) {
    if (places.length < 2) continue
    duplicates += places.length - 1
    example('duplicate', duplicates, `${value} at ${places.join(', ')}`)
  }

  const orderViolations = countOrderViolations(history.acks, history.finalRead, (text, count) =>
    example('order', count, text),
  )
  const pollSkips = countPollSkips(history.polls, final.sortedOffsets, (text, count) =>
    example('poll skip', count, text),
  )

  let nonMonotonicCommits = 0
  const committed = new Map<number, number>()
  for (const commit of history.commits) {
    const before = committed.get(commit.partition)
    if (before !== undefined && commit.offset < before) {
      nonMonotonicCommits++
      example(
        'non-monotonic commit',
        nonMonotonicCommits,
        `${commit.member} committed ${commit.partition}/${commit.offset} after ${before}`,
      )
    }
    committed.set(commit.partition, Math.max(before ?? commit.offset, commit.offset))
  }

  let replicasDiffer = 0
  for (const report of history.replicas) {
    for (const disagreement of report.disagreements) {
      replicasDiffer++
      example(
        'replicas differ',
        replicasDiffer,
        `partition ${report.partition} offset ${disagreement.offset}: brokers ${disagreement.brokers.join(', ')} hold different bytes`,
      )
    }
    for (const behind of report.behind) {
      replicasDiffer++
      example(
        'replicas differ',
        replicasDiffer,
        `partition ${report.partition}: broker ${behind.broker} holds up to ${behind.heldEnd} of ${report.committedEnd} committed`,
      )
    }
  }

  const gap = longestAckGap(history)
  const pass =
    lost + duplicates + inconsistent + orderViolations + pollSkips + nonMonotonicCommits + replicasDiffer ===
    0
  return {
    acked: history.acks.length,
    lost,
    duplicates,
    inconsistent,
    orderViolations,
    pollSkips,
    nonMonotonicCommits,
    replicasDiffer,
    longestAckGapMs: gap.ms,
    longestAckGapPartition: gap.partition,
    failover: failoverFigures(history),
    examples,
    pass,
  }
}

interface FinalIndex {
  readonly byPartition: Map<number, Map<number, string>>
  /** value → every "partition/offset" holding it. */
  readonly places: Map<string, string[]>
  readonly sortedOffsets: Map<number, number[]>
}

function indexFinalRead(records: readonly FinalRecord[]): FinalIndex {
  const byPartition = new Map<number, Map<number, string>>()
  const places = new Map<string, string[]>()
  for (const record of records) {
    let offsets = byPartition.get(record.partition)
    if (offsets === undefined) byPartition.set(record.partition, (offsets = new Map()))
    offsets.set(record.offset, record.value)
    const at = `${record.partition}/${record.offset}`
    const list = places.get(record.value)
    if (list === undefined) places.set(record.value, [at])
    else list.push(at)
  }
  const sortedOffsets = new Map<number, number[]>()
  for (const [partition, offsets] of byPartition)
    sortedOffsets.set(
      partition,
      [...offsets.keys()].sort((a, b) => a - b),
    )
  return { byPartition, places, sortedOffsets }
}

/** Values are `producer:sequence`; anything else is not ours and has no order to keep. */
export function parseValue(value: string): { producer: string; sequence: number } | undefined {
  const colon = value.lastIndexOf(':')
  if (colon <= 0) return undefined
  const sequence = Number(value.slice(colon + 1))
  return Number.isInteger(sequence) ? { producer: value.slice(0, colon), sequence } : undefined
}

function countOrderViolations(
  acks: readonly Ack[],
  finalRead: readonly FinalRecord[],
  report: (text: string, count: number) => void,
): number {
  let count = 0
  // Acks: sorted by sequence, offsets must rise.
  const acked = new Map<string, Ack[]>()
  for (const ack of acks) {
    const key = `${ack.producer} on ${ack.partition}`
    const list = acked.get(key)
    if (list === undefined) acked.set(key, [ack])
    else list.push(ack)
  }
  for (const [key, list] of acked) {
    list.sort((a, b) => a.sequence - b.sequence)
    for (let index = 1; index < list.length; index++) {
      const before = list[index - 1]!
      const after = list[index]!
      if (after.offset <= before.offset) {
        count++
        report(
          `${key}: sequence ${after.sequence} acked at ${after.offset}, ${before.sequence} at ${before.offset}`,
          count,
        )
      }
    }
  }
  // The log: in offset order, each producer's sequences must rise (sent values, acked or not).
  const lastSequence = new Map<string, { sequence: number; offset: number }>()
  const inLogOrder = [...finalRead].sort((a, b) => a.partition - b.partition || a.offset - b.offset)
  for (const record of inLogOrder) {
    const parsed = parseValue(record.value)
    if (parsed === undefined) continue
    const key = `${parsed.producer} on ${record.partition}`
    const before = lastSequence.get(key)
    if (before !== undefined && parsed.sequence < before.sequence) {
      count++
      report(
        `${key}: log holds sequence ${parsed.sequence} at ${record.offset} after ${before.sequence} at ${before.offset}`,
        count,
      )
    }
    lastSequence.set(key, { sequence: parsed.sequence, offset: record.offset })
  }
  return count
}

function countPollSkips(
  polls: readonly Poll[],
  sortedOffsets: Map<number, number[]>,
  report: (text: string, count: number) => void,
): number {
  let count = 0
  const last = new Map<string, Poll>()
  for (const poll of polls) {
    const key = `${poll.member}/${poll.session}/${poll.partition}`
    const before = last.get(key)
    last.set(key, poll)
    if (before === undefined || poll.offset <= before.offset) continue
    const offsets = sortedOffsets.get(poll.partition) ?? []
    const between = firstAbove(offsets, before.offset)
    if (between !== undefined && between < poll.offset) {
      count++
      report(
        `${poll.member} polled ${poll.partition}/${before.offset} then ${poll.offset}, skipping ${between}`,
        count,
      )
    }
  }
  return count
}

/** The smallest element of ascending `sorted` above `value`. */
function firstAbove(sorted: readonly number[], value: number): number | undefined {
  return sorted[firstAboveIndex(sorted, value)]
}

function ackTimesByPartition(history: History): Map<number, number[]> {
  const times = new Map<number, number[]>()
  for (let partition = 0; partition < history.partitions; partition++) times.set(partition, [])
  for (const ack of history.acks) times.get(ack.partition)?.push(ack.timeMs)
  for (const list of times.values()) list.sort((a, b) => a - b)
  return times
}

function longestAckGap(history: History): { ms: number; partition: number } {
  let longest = { ms: 0, partition: 0 }
  for (const [partition, times] of ackTimesByPartition(history)) {
    let previous = history.startMs
    for (const time of [...times, history.endMs]) {
      if (time - previous > longest.ms) longest = { ms: time - previous, partition }
      previous = Math.max(previous, time)
    }
  }
  return longest
}

/**
 * Failover: for every disruptive fault and every partition, the longest stretch without an ack
 * between the fault and the next fault event (a heal, a restart; or the end of the workload),
 * counted from the fault at the earliest. An ack whose answer was already on its way when the
 * fault hit does not end the stretch early; a partition the fault does not touch shows its ordinary
 * time between acks.
 */
function failoverFigures(history: History): FailoverFigures {
  const samples: number[] = []
  const times = ackTimesByPartition(history)
  const events = [...history.faults].sort((a, b) => a.timeMs - b.timeMs)
  for (const [index, fault] of events.entries()) {
    if (!fault.disruptive || fault.timeMs < history.startMs || fault.timeMs > history.endMs) continue
    const windowEndMs = Math.min(events[index + 1]?.timeMs ?? history.endMs, history.endMs)
    for (const list of times.values())
      samples.push(longestStretch(list, fault.timeMs, windowEndMs, history.endMs))
  }
  samples.sort((a, b) => a - b)
  const at = (quantile: number) =>
    samples.length === 0
      ? 0
      : samples[Math.min(samples.length - 1, Math.ceil(quantile * samples.length) - 1)]!
  return { samples: samples.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: samples.at(-1) ?? 0 }
}

/** The longest gap between consecutive acks (`endMs` counting as one) that ends after `fromMs` and starts before `untilMs`. */
function longestStretch(
  sortedAcks: readonly number[],
  fromMs: number,
  untilMs: number,
  endMs: number,
): number {
  let longest = 0
  let previous = fromMs
  for (let index = firstAboveIndex(sortedAcks, fromMs); ; index++) {
    const next = sortedAcks[index] ?? endMs
    longest = Math.max(longest, next - previous)
    if (next >= untilMs || index >= sortedAcks.length) return longest
    previous = next
  }
}

function firstAboveIndex(sorted: readonly number[], value: number): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (sorted[middle]! <= value) low = middle + 1
    else high = middle
  }
  return low
}
