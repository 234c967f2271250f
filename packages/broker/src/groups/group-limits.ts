// Bounds the group coordinator puts on clients, units last, checked when the coordinator is made.
import { WeirError } from '@weir/protocol'
import { type IntegerRange, resolveIntegerOptions } from '../integer-options.js'

export interface GroupLimits {
  /** Smallest and largest sessionTimeoutMs a JoinGroup may ask for (else INVALID_SESSION_TIMEOUT). */
  readonly minSessionTimeoutMs: number
  readonly maxSessionTimeoutMs: number
  /** Members one group may have; one more JoinGroup is GROUP_MAX_SIZE_REACHED. */
  readonly maxGroupMembers: number
  /** Groups one coordinator holds; a JoinGroup or OffsetCommit creating one more is LIMIT_EXCEEDED. */
  readonly maxGroups: number
  /** Committed partitions one group may hold; commits for more are LIMIT_EXCEEDED per partition. */
  readonly maxOffsetsPerGroup: number
  /** How long the first rebalance of an empty group waits for more members before completing
   *  (Kafka's group.initial.rebalance.delay.ms): members that start together land in one
   *  generation instead of one member first and then a rebalance per late joiner. Never longer
   *  than the group's rebalance timeout. 0 completes the first join as soon as every known member
   *  has joined. */
  readonly initialRebalanceDelayMs: number
}

/** The names group limits had before the `max` + noun + unit style; still accepted (the new name wins). */
export interface DeprecatedGroupLimits {
  /** @deprecated Use minSessionTimeoutMs. */
  readonly sessionTimeoutMsMin?: number
  /** @deprecated Use maxSessionTimeoutMs. */
  readonly sessionTimeoutMsMax?: number
  /** @deprecated Use maxGroupMembers. */
  readonly groupMembersMax?: number
  /** @deprecated Use maxGroups. */
  readonly groupsMax?: number
  /** @deprecated Use maxOffsetsPerGroup. */
  readonly offsetsPerGroupMax?: number
}

/** `groups.limits` in BrokerOptions and weir.json: any subset, old names included. */
export type GroupLimitsInput = Partial<GroupLimits> & DeprecatedGroupLimits

const deprecatedAliases: Readonly<Record<keyof DeprecatedGroupLimits, keyof GroupLimits>> = {
  sessionTimeoutMsMin: 'minSessionTimeoutMs',
  sessionTimeoutMsMax: 'maxSessionTimeoutMs',
  groupMembersMax: 'maxGroupMembers',
  groupsMax: 'maxGroups',
  offsetsPerGroupMax: 'maxOffsetsPerGroup',
}

export const defaultGroupLimits: GroupLimits = {
  minSessionTimeoutMs: 1000,
  maxSessionTimeoutMs: 1_800_000,
  maxGroupMembers: 1000,
  maxGroups: 100_000,
  maxOffsetsPerGroup: 1_000_000,
  initialRebalanceDelayMs: 300,
}

const ranges: Record<keyof GroupLimits, IntegerRange> = {
  minSessionTimeoutMs: [1, 2 ** 31 - 1],
  maxSessionTimeoutMs: [1, 2 ** 31 - 1],
  maxGroupMembers: [1, 1_000_000],
  maxGroups: [1, 10_000_000],
  maxOffsetsPerGroup: [1, 100_000_000],
  initialRebalanceDelayMs: [0, 2 ** 31 - 1],
}

/** Fills defaults and checks each limit; INVALID_CONFIG names the key and its range. */
export function resolveGroupLimits(given?: GroupLimitsInput, path = 'groupLimits'): GroupLimits {
  const limits = resolveIntegerOptions(given, {
    path,
    noun: 'a group limit',
    defaults: defaultGroupLimits,
    ranges,
    deprecatedAliases,
  })
  if (limits.minSessionTimeoutMs > limits.maxSessionTimeoutMs)
    throw new WeirError('INVALID_CONFIG', `${path}.minSessionTimeoutMs must not exceed maxSessionTimeoutMs`)
  return limits
}
