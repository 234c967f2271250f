// The two metadata records of a partition reassignment and the checks only they need.
// `partitionReassigned` sets (or replaces) the target replica set of one partition; the broker
// leading that partition moves its Raft group there one single-server change at a time and, once
// its committed config equals the target, proposes `reassignmentCompleted`, which makes the
// target the partition's replica set. Pure leaves: metadata-record-check.ts calls them.
import { reassignmentReplicasMax, WeirError } from '@weir/protocol'
import { partitionCountMax } from '@weir/storage'
import type { PartitionTarget } from './partition-targets.js'

export interface PartitionReassigned {
  readonly type: 'partitionReassigned'
  readonly name: string
  readonly partition: number
  /** The target: distinct broker ids, the first the preferred leader. */
  readonly replicas: readonly number[]
  readonly throttleBytesPerSec?: number
}

export interface ReassignmentCompleted {
  readonly type: 'reassignmentCompleted'
  readonly name: string
  readonly partition: number
  /** The target that was reached (must still be the partition's target when committed). */
  readonly replicas: readonly number[]
}

export type ReassignmentRecord = PartitionReassigned | ReassignmentCompleted

const brokerIdMax = 2 ** 31 - 1

/** A partition number within what any topic may have. */
export function checkPartitionField(value: unknown, type: string): void {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= partitionCountMax)
    throw new WeirError('INVALID_REQUEST', `metadata record: ${type}.partition must be a partition number`)
}

/** 1 to reassignmentReplicasMax distinct positive broker ids: INVALID_REPLICA_ASSIGNMENT otherwise. */
export function checkReplicaList(value: unknown, what: string): void {
  if (!Array.isArray(value) || value.length === 0 || value.length > reassignmentReplicasMax)
    throw new WeirError(
      'INVALID_REPLICA_ASSIGNMENT',
      `${what} needs 1 to ${reassignmentReplicasMax} broker ids`,
    )
  const bad = value.find((id) => !Number.isInteger(id) || id < 1 || id > brokerIdMax)
  if (bad !== undefined)
    throw new WeirError('INVALID_REPLICA_ASSIGNMENT', `${what}: ${JSON.stringify(bad)} is not a broker id`)
  if (new Set(value).size !== value.length)
    throw new WeirError('INVALID_REPLICA_ASSIGNMENT', `${what} names a broker twice: ${value.join(',')}`)
}

export function checkThrottleField(value: unknown): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 0))
    throw new WeirError(
      'INVALID_REQUEST',
      'metadata record: partitionReassigned.throttleBytesPerSec must be a byte count',
    )
}

/** Every replica is a broker of the cluster (checked by the controller leader before it commits). */
export function checkKnownBrokers(
  replicas: readonly number[],
  brokerIds: readonly number[],
  what: string,
): void {
  const known = new Set(brokerIds)
  const stranger = replicas.find((id) => !known.has(id))
  if (stranger !== undefined)
    throw new WeirError(
      'INVALID_REPLICA_ASSIGNMENT',
      `${what}: broker ${stranger} is not in this cluster (brokers ${brokerIds.join(', ')})`,
    )
}

/** A completion commits only for the target it reached: a newer target replaced it otherwise. */
export function checkCompletion(record: ReassignmentCompleted, target: PartitionTarget | undefined): void {
  const what = `${record.name}/${record.partition}`
  if (target === undefined)
    throw new WeirError('INVALID_REPLICA_ASSIGNMENT', `${what} is not being reassigned`)
  if (!sameList(target.replicas, record.replicas))
    throw new WeirError(
      'INVALID_REPLICA_ASSIGNMENT',
      `${what} moves to ${target.replicas.join(',')} now, not ${record.replicas.join(',')}`,
    )
}

export function sameList(left: readonly number[], right: readonly number[]): boolean {
  return left.length === right.length && left.every((id, index) => id === right[index])
}
