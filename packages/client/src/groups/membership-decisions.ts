// The member side of the group protocol as pure decisions: what a member does after each answer
// or error from the coordinator, what it gives up before a join, and what an assignment changes.
// No timers, sockets or clock: `GroupMembership` (group-membership.ts) is the I/O shell that
// carries the decisions out, so every rule here is tested directly.
import type { ErrorName, TopicPartitions } from '@weir/protocol'

/** Which request the error answered. Only used to word reasons; the rules are the same. */
export type GroupPhase = 'find-coordinator' | 'join' | 'sync' | 'heartbeat' | 'leave' | 'commit'

/**
 * What to do after an error:
 * - `rediscover`: the coordinator moved or its connection failed: FindCoordinator again (after
 *   `backoff`), then repeat the request.
 * - `retry`: the same request to the same coordinator after a backoff (it is still loading).
 * - `rejoin`: the member must join again. `resetMemberId` after UNKNOWN_MEMBER_ID (join with '');
 *   `partitionsLost` when the group has already given the member's partitions to others
 *   (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID): they must be dropped without a commit, which would be
 *   refused anyway. REBALANCE_IN_PROGRESS loses nothing: the member still owns its partitions and
 *   may commit before it rejoins.
 * - `fatal`: stop the member and surface the error (FENCED_INSTANCE_ID, a bad configuration).
 * - `closed`: the client was closed; stop quietly.
 */
export type MemberAction =
  | { readonly kind: 'rediscover' }
  | { readonly kind: 'retry' }
  | { readonly kind: 'rejoin'; readonly resetMemberId: boolean; readonly partitionsLost: boolean }
  | { readonly kind: 'fatal' }
  | { readonly kind: 'closed' }

/** Errors that say the coordinator (or the way to it) is gone rather than the request bad. */
const rediscoverErrors: ReadonlySet<ErrorName> = new Set<ErrorName>([
  'NOT_COORDINATOR',
  'CONNECTION_CLOSED',
  'REQUEST_TIMED_OUT',
  'BROKER_UNAVAILABLE',
  'BROKER_SHUTTING_DOWN',
])

/** The decision for an error `code` (a WeirError's code) answering a request of `phase`. */
export function actionForError(code: ErrorName, retriable: boolean, phase: GroupPhase): MemberAction {
  if (code === 'CLIENT_CLOSED') return { kind: 'closed' }
  if (rediscoverErrors.has(code)) return { kind: 'rediscover' }
  if (code === 'COORDINATOR_LOAD_IN_PROGRESS') return { kind: 'retry' }
  if (code === 'REBALANCE_IN_PROGRESS') return { kind: 'rejoin', resetMemberId: false, partitionsLost: false }
  if (code === 'ILLEGAL_GENERATION') return { kind: 'rejoin', resetMemberId: false, partitionsLost: true }
  if (code === 'UNKNOWN_MEMBER_ID')
    // A LeaveGroup for a member the group already dropped is done, not a reason to rejoin.
    return phase === 'leave'
      ? { kind: 'closed' }
      : { kind: 'rejoin', resetMemberId: true, partitionsLost: true }
  if (code === 'FENCED_INSTANCE_ID') return { kind: 'fatal' }
  return retriable ? { kind: 'retry' } : { kind: 'fatal' }
}

/** Protocols whose members keep their partitions through a rebalance (incremental). */
const cooperativeProtocols: ReadonlySet<string> = new Set(['cooperative-sticky'])

export function isCooperativeProtocol(protocolName: string | undefined): boolean {
  return protocolName !== undefined && cooperativeProtocols.has(protocolName)
}

/** A partition as the membership hands it to the consumer. */
export interface GroupPartition {
  readonly topic: string
  readonly partition: number
}

/**
 * What a member gives up before it sends JoinGroup: with an eager protocol (range, roundrobin)
 * everything it owns; with the cooperative one nothing, unless the partitions were lost.
 * `protocolName` is the protocol of the generation the partitions were assigned in.
 */
export function revokeBeforeJoin(
  protocolName: string | undefined,
  owned: TopicPartitions,
  partitionsLost: boolean,
): GroupPartition[] {
  if (partitionsLost || !isCooperativeProtocol(protocolName)) return flatten(owned)
  return []
}

export interface AssignmentChange {
  /** Owned before, not assigned now: stop, commit, give up (before rejoining). */
  readonly revoked: GroupPartition[]
  /** Assigned now, not owned before: start reading. */
  readonly added: GroupPartition[]
  /** The member's partitions from now on. */
  readonly owned: Map<string, number[]>
  /** Cooperative protocol only: the assignment took partitions away, so another member is waiting
   *  for them; join again at once so the follow-up rebalance hands them over. */
  readonly rejoinNow: boolean
}

/** Compares what the member owned with what SyncGroup assigned. */
export function assignmentChange(
  protocolName: string | undefined,
  owned: TopicPartitions,
  assigned: TopicPartitions,
): AssignmentChange {
  const ownedKeys = keySet(owned)
  const assignedKeys = keySet(assigned)
  const revoked = flatten(owned).filter((entry) => !assignedKeys.has(partitionKey(entry)))
  const added = flatten(assigned).filter((entry) => !ownedKeys.has(partitionKey(entry)))
  return {
    revoked,
    added,
    owned: toMap(flatten(assigned)),
    rejoinNow: isCooperativeProtocol(protocolName) && revoked.length > 0,
  }
}

/** Removes `removed` from `owned`. */
export function withoutPartitions(
  owned: TopicPartitions,
  removed: readonly GroupPartition[],
): Map<string, number[]> {
  const gone = new Set(removed.map(partitionKey))
  return toMap(flatten(owned).filter((entry) => !gone.has(partitionKey(entry))))
}

/** True once the application has not polled for longer than `maxPollIntervalMs`. */
export function pollIntervalExceeded(lastPollMs: number, nowMs: number, maxPollIntervalMs: number): boolean {
  return nowMs - lastPollMs > maxPollIntervalMs
}

/** Sorted by topic, then partition. */
export function flatten(partitions: TopicPartitions): GroupPartition[] {
  const result: GroupPartition[] = []
  for (const topic of [...partitions.keys()].sort())
    for (const partition of [...(partitions.get(topic) ?? [])].sort((a, b) => a - b))
      result.push({ topic, partition })
  return result
}

export function toMap(partitions: readonly GroupPartition[]): Map<string, number[]> {
  const map = new Map<string, number[]>()
  for (const { topic, partition } of partitions) {
    const list = map.get(topic)
    if (list === undefined) map.set(topic, [partition])
    else if (!list.includes(partition)) list.push(partition)
  }
  for (const list of map.values()) list.sort((a, b) => a - b)
  return map
}

function partitionKey(entry: GroupPartition): string {
  return `${entry.topic}\u0000${entry.partition}`
}

function keySet(partitions: TopicPartitions): Set<string> {
  return new Set(flatten(partitions).map(partitionKey))
}
