// Field checks shared by the consumer-group APIs (keys 10-19): group ids, member ids, instance ids
// and the `topics: [{ name, partitions: [int] }]` list of OffsetFetch and the consumer protocol.

import { array, type Fields, integerItem, object, optionalString, string } from '../schema.js'
import { WeirError } from '../weir-error.js'

/** Longest group id, member id or group instance id accepted (characters). */
export const groupIdLengthMax = 255
/** Longest `reason` string kept from a JoinGroup or LeaveGroup. */
export const reasonLengthMax = 1000

/** Group states as they appear on the wire (DescribeGroups, ListGroups). */
export const GroupStates = {
  empty: 'empty',
  preparingRebalance: 'preparing-rebalance',
  completingRebalance: 'completing-rebalance',
  stable: 'stable',
  dead: 'dead',
} as const

export type GroupState = (typeof GroupStates)[keyof typeof GroupStates]

const groupStateValues = new Set<string>(Object.values(GroupStates))

export function isGroupState(value: string): value is GroupState {
  return groupStateValues.has(value)
}

/** A group id: 1 to `groupIdLengthMax` characters. */
export function groupIdItem(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > groupIdLengthMax)
    throw new WeirError(
      'INVALID_REQUEST',
      `field ${path} must be a group id of 1 to ${groupIdLengthMax} characters`,
    )
  return value
}

export function groupId(fields: Fields, name: string, path: string): string {
  return groupIdItem(fields[name], `${path}.${name}`)
}

/** A member id: '' for a member that has none yet, else what the coordinator gave it. */
export function memberId(fields: Fields, path: string): string {
  return string(fields, 'memberId', path, groupIdLengthMax)
}

export function groupInstanceId(fields: Fields, path: string): string | undefined {
  const value = optionalString(fields, 'groupInstanceId', path)
  if (value !== undefined && (value.length === 0 || value.length > groupIdLengthMax))
    throw new WeirError(
      'INVALID_REQUEST',
      `field ${path}.groupInstanceId must be 1 to ${groupIdLengthMax} characters when present`,
    )
  return value
}

export function groupState(fields: Fields, path: string): GroupState {
  const value = string(fields, 'state', path, 40)
  if (!isGroupState(value))
    throw new WeirError(
      'INVALID_REQUEST',
      `field ${path}.state must be one of ${[...groupStateValues].join(', ')}, got "${value}"`,
    )
  return value
}

/** `{ name, partitions: [int] }` lists: partitions as bare numbers. */
export interface TopicPartitionNumbers {
  readonly name: string
  readonly partitions: readonly number[]
}

export function topicPartitionNumbers(fields: Fields, name: string, path: string): TopicPartitionNumbers[] {
  return array(fields, name, path, (value, topicPath) => {
    const topic = object(value, topicPath)
    return {
      name: string(topic, 'name', topicPath, 1000),
      partitions: array(topic, 'partitions', topicPath, integerItem),
    }
  })
}

/** Adds `key: value` only when value is defined, so round trips do not grow `undefined` keys. */
export function withOptional<T extends object, K extends string, V>(
  target: T,
  key: K,
  value: V | undefined,
): T & { [P in K]?: V } {
  if (value !== undefined) (target as Record<string, unknown>)[key] = value
  return target as T & { [P in K]?: V }
}
