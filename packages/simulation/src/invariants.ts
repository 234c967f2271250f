// The properties every run of the simulation must keep, checked on what the run left behind: the
// replicas' logs (read back batch by batch after the cluster settled), what the producer was told
// was acknowledged, and what the group was told was committed. Pure: the caller reads the logs,
// these functions only compare, and a violation throws InvariantViolation naming the partition,
// offset and brokers involved.
import { decodeRecordBatch, isControlBatch, readBatchHeader } from '@weir/protocol'

/** One stored batch as a replica's log returned it. */
export interface StoredBatch {
  readonly baseOffset: number
  readonly lastOffset: number
  readonly bytes: Buffer
}

/** One replica of a partition after the run: its whole log and how far it knows it is committed. */
export interface ReplicaView {
  readonly brokerId: number
  readonly highWatermark: number
  readonly logStartOffset: number
  readonly logEndOffset: number
  /** Every batch from logStartOffset to logEndOffset, in order. */
  readonly batches: readonly StoredBatch[]
}

export interface PartitionView {
  readonly partition: number
  /** The broker leading the partition after the run settled. */
  readonly leaderId: number
  /** Every replica, the leader's included. */
  readonly replicas: readonly ReplicaView[]
}

/** A send the producer was told succeeded. */
export interface AckedRecord {
  readonly partition: number
  readonly offset: number
  readonly value: string
}

/** A commit the group consumer was told succeeded, in the order the acknowledgements arrived. */
export interface AckedCommit {
  readonly member: string
  readonly partition: number
  readonly offset: number
}

export interface RunOutcome {
  readonly partitions: readonly PartitionView[]
  readonly acked: readonly AckedRecord[]
  readonly commits: readonly AckedCommit[]
  /** The group's committed offsets read back after the run, by partition. */
  readonly finalCommitted: ReadonlyMap<number, number>
}

export class InvariantViolation extends Error {
  override readonly name = 'InvariantViolation'

  constructor(
    readonly invariant: InvariantName,
    message: string,
  ) {
    super(`${invariant}: ${message}`)
  }
}

export const invariantNames = [
  'offsets consecutive',
  'committed prefix identical',
  'acknowledged write kept',
  'no duplicate',
  'commits monotonic',
] as const
export type InvariantName = (typeof invariantNames)[number]

/** Checks every invariant; throws the first violation found. */
export function checkInvariants(outcome: RunOutcome): void {
  for (const view of outcome.partitions) {
    for (const replica of view.replicas) checkOffsetsConsecutive(view.partition, replica)
    checkCommittedPrefix(view)
  }
  checkAcknowledgedKept(outcome.partitions, outcome.acked)
  checkNoDuplicates(outcome.partitions)
  checkCommitsMonotonic(outcome.commits, outcome.finalCommitted, outcome.partitions)
}

/** Each batch starts right after the previous one ends; the batches cover [logStart, logEnd). */
export function checkOffsetsConsecutive(partition: number, replica: ReplicaView): void {
  const where = `partition ${partition} on broker ${replica.brokerId}`
  let expected: number | undefined
  for (const batch of replica.batches) {
    const header = readBatchHeader(batch.bytes)
    if (header.baseOffset !== batch.baseOffset) {
      fail('offsets consecutive', `${where}: batch read at ${batch.baseOffset} says ${header.baseOffset}`)
    }
    if (batch.lastOffset < batch.baseOffset) {
      fail('offsets consecutive', `${where}: batch at ${batch.baseOffset} ends at ${batch.lastOffset}`)
    }
    if (expected !== undefined && batch.baseOffset !== expected) {
      fail(
        'offsets consecutive',
        `${where}: batch at ${batch.baseOffset} follows one ending at ${expected - 1} (expected ${expected})`,
      )
    }
    expected = batch.lastOffset + 1
  }
  const first = replica.batches[0]
  if (first !== undefined && first.baseOffset > replica.logStartOffset) {
    fail(
      'offsets consecutive',
      `${where}: log starts at ${replica.logStartOffset}, first batch at ${first.baseOffset}`,
    )
  }
  if ((expected ?? replica.logStartOffset) !== replica.logEndOffset) {
    fail(
      'offsets consecutive',
      `${where}: batches end before ${expected ?? replica.logStartOffset}, log end offset is ${replica.logEndOffset}`,
    )
  }
}

/** Below the smallest high watermark every replica holds the same batches, byte for byte. */
export function checkCommittedPrefix(view: PartitionView): void {
  const leader = leaderOf(view)
  const committedEnd = Math.min(...view.replicas.map((replica) => replica.highWatermark))
  const leaderPrefix = prefixBelow(leader, committedEnd)
  for (const replica of view.replicas) {
    if (replica === leader) continue
    const prefix = prefixBelow(replica, committedEnd)
    const where = `partition ${view.partition}, brokers ${leader.brokerId} (leader) and ${replica.brokerId}`
    const count = Math.max(prefix.length, leaderPrefix.length)
    for (let index = 0; index < count; index++) {
      const ours = leaderPrefix[index]
      const theirs = prefix[index]
      if (ours === undefined || theirs === undefined) {
        const missing = ours === undefined ? leader.brokerId : replica.brokerId
        const present = (ours ?? theirs)!
        fail(
          'committed prefix identical',
          `${where}: broker ${missing} lacks the batch at ${present.baseOffset} below the committed offset ${committedEnd}`,
        )
      }
      if (ours.baseOffset !== theirs.baseOffset || !ours.bytes.equals(theirs.bytes)) {
        fail(
          'committed prefix identical',
          `${where}: batch ${index} below the committed offset ${committedEnd} differs (at ${ours.baseOffset}, ${ours.bytes.length} bytes vs at ${theirs.baseOffset}, ${theirs.bytes.length} bytes${firstDifference(ours.bytes, theirs.bytes)})`,
        )
      }
    }
  }
}

/** Each acknowledged value is in the leader's committed log at the offset it was acknowledged with. */
export function checkAcknowledgedKept(
  partitions: readonly PartitionView[],
  acked: readonly AckedRecord[],
): void {
  const records = new Map<number, Map<number, string | undefined>>()
  for (const view of partitions) records.set(view.partition, committedRecords(leaderOf(view)))
  for (const record of acked) {
    const where = `value ${JSON.stringify(record.value)} acknowledged at partition ${record.partition} offset ${record.offset}`
    const log = records.get(record.partition)
    if (log === undefined) fail('acknowledged write kept', `${where}: no such partition`)
    if (!log.has(record.offset)) {
      fail('acknowledged write kept', `${where}: the leader's committed log has no record at that offset`)
    }
    const stored = log.get(record.offset)
    if (stored !== record.value) {
      fail(
        'acknowledged write kept',
        `${where}: the leader's committed log holds ${JSON.stringify(stored)} there`,
      )
    }
  }
}

/** No value appears twice in the committed logs (every value the producer sends is unique). */
export function checkNoDuplicates(partitions: readonly PartitionView[]): void {
  const seen = new Map<string, string>()
  for (const view of partitions) {
    for (const [offset, value] of committedRecords(leaderOf(view))) {
      if (value === undefined) continue
      const here = `partition ${view.partition} offset ${offset}`
      const earlier = seen.get(value)
      if (earlier !== undefined) {
        fail('no duplicate', `value ${JSON.stringify(value)} is stored twice: at ${earlier} and at ${here}`)
      }
      seen.set(value, here)
    }
  }
}

/**
 * Per partition, acknowledged commits never go back; none points past the committed log; the
 * offset the group holds after the run is at least the last acknowledged one.
 */
export function checkCommitsMonotonic(
  commits: readonly AckedCommit[],
  finalCommitted: ReadonlyMap<number, number>,
  partitions: readonly PartitionView[],
): void {
  const last = new Map<number, AckedCommit>()
  const highWatermarks = new Map(partitions.map((view) => [view.partition, leaderOf(view).highWatermark]))
  commits.forEach((commit, index) => {
    const previous = last.get(commit.partition)
    if (previous !== undefined && commit.offset < previous.offset) {
      fail(
        'commits monotonic',
        `partition ${commit.partition}: commit ${index} by ${commit.member} stored ${commit.offset} after ${previous.member} had committed ${previous.offset}`,
      )
    }
    const highWatermark = highWatermarks.get(commit.partition)
    if (highWatermark !== undefined && commit.offset > highWatermark) {
      fail(
        'commits monotonic',
        `partition ${commit.partition}: ${commit.member} committed ${commit.offset}, past the high watermark ${highWatermark}`,
      )
    }
    last.set(commit.partition, commit)
  })
  for (const [partition, commit] of last) {
    const final = finalCommitted.get(partition)
    if (final === undefined || final < commit.offset) {
      fail(
        'commits monotonic',
        `partition ${partition}: the group holds ${final ?? 'no offset'} after the run, below the acknowledged commit ${commit.offset} by ${commit.member}`,
      )
    }
  }
}

function leaderOf(view: PartitionView): ReplicaView {
  const leader = view.replicas.find((replica) => replica.brokerId === view.leaderId)
  if (leader === undefined) {
    throw new Error(`partition ${view.partition}: leader ${view.leaderId} is not among its replicas`)
  }
  return leader
}

function prefixBelow(replica: ReplicaView, endOffset: number): StoredBatch[] {
  return replica.batches.filter((batch) => batch.lastOffset < endOffset)
}

/** Offset → UTF-8 value of every data record below the replica's high watermark (null values as undefined). */
function committedRecords(replica: ReplicaView): Map<number, string | undefined> {
  const records = new Map<number, string | undefined>()
  for (const batch of replica.batches) {
    if (batch.baseOffset >= replica.highWatermark) break
    if (isControlBatch(batch.bytes)) continue
    for (const record of decodeRecordBatch(batch.bytes).records) {
      if (record.offset >= replica.highWatermark) break
      records.set(record.offset, record.value?.toString('utf8'))
    }
  }
  return records
}

function firstDifference(left: Buffer, right: Buffer): string {
  const length = Math.min(left.length, right.length)
  for (let index = 0; index < length; index++) {
    if (left[index] !== right[index]) return `; first difference at byte ${index}`
  }
  return ''
}

function fail(invariant: InvariantName, message: string): never {
  throw new InvariantViolation(invariant, message)
}
