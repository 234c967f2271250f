// Bounds the group coordinator puts on clients, units last, checked when the coordinator is made.
import { WeirError } from '@weir/protocol'
import { type IntegerRange, resolveIntegerOptions } from '../integer-options.js'

export interface GroupLimits {
  /** Smallest and largest sessionTimeoutMs a JoinGroup may ask for (else INVALID_SESSION_TIMEOUT). */
  readonly sessionTimeoutMsMin: number
  readonly sessionTimeoutMsMax: number
  /** Members one group may have; one more JoinGroup is GROUP_MAX_SIZE_REACHED. */
  readonly groupMembersMax: number
  /** Groups one coordinator holds; a JoinGroup or OffsetCommit creating one more is LIMIT_EXCEEDED. */
  readonly groupsMax: number
  /** Committed partitions one group may hold; commits for more are LIMIT_EXCEEDED per partition. */
  readonly offsetsPerGroupMax: number
  /** How long the first rebalance of an empty group waits for more members before completing
   *  (Kafka's group.initial.rebalance.delay.ms): fewer rebalances when many consumers start at
   *  once. Never longer than the group's rebalance timeout. */
  readonly initialRebalanceDelayMs: number
}

export const defaultGroupLimits: GroupLimits = {
  sessionTimeoutMsMin: 1000,
  sessionTimeoutMsMax: 1_800_000,
  groupMembersMax: 1000,
  groupsMax: 100_000,
  offsetsPerGroupMax: 1_000_000,
  initialRebalanceDelayMs: 0,
}

const ranges: Record<keyof GroupLimits, IntegerRange> = {
  sessionTimeoutMsMin: [1, 2 ** 31 - 1],
  sessionTimeoutMsMax: [1, 2 ** 31 - 1],
  groupMembersMax: [1, 1_000_000],
  groupsMax: [1, 10_000_000],
  offsetsPerGroupMax: [1, 100_000_000],
  initialRebalanceDelayMs: [0, 2 ** 31 - 1],
}

/** Fills defaults and checks each limit; INVALID_CONFIG names the key and its range. */
export function resolveGroupLimits(given?: Partial<GroupLimits>, path = 'groupLimits'): GroupLimits {
  const limits = resolveIntegerOptions(given, {
    path,
    noun: 'a group limit',
    defaults: defaultGroupLimits,
    ranges,
  })
  if (limits.sessionTimeoutMsMin > limits.sessionTimeoutMsMax)
    throw new WeirError('INVALID_CONFIG', `${path}.sessionTimeoutMsMin must not exceed sessionTimeoutMsMax`)
  return limits
}
