// AlterPartitionReassignments (key 20) and ListPartitionReassignments (key 21), v0.
//   alter request  = { reassignments: [{ topic, partition: int, replicas: [int] }], throttleBytesPerSec?: int }
//   alter response = { errorCode?, errorMessage?, results: [{ topic, partition: int, errorCode, errorMessage? }] }
//   list request   = { topics?: [string] }                      (absent: every topic)
//   list response  = { errorCode?, errorMessage?, reassignments: [{ topic, partition: int, replicas: [int],
//                      target: [int], adding: [int], removing: [int], leader: int,
//                      progress: [{ broker: int, caughtUpPercent: int, offsetsBehind: int }],
//                      throttleBytesPerSec?: int }] }
// Alter sets each partition's target replica set (the first replica is the preferred leader);
// each partition succeeds or fails on its own (UNKNOWN_TOPIC, UNKNOWN_PARTITION,
// INVALID_REPLICA_ASSIGNMENT). A new target replaces a running one. The partition's leader then
// moves the Raft group there one single-server change at a time. `throttleBytesPerSec` (0 or
// absent: none) caps the copy rate to the added replicas. Alter needs Cluster:Alter, list
// Cluster:Describe. `progress` has one entry per adding replica the leader reported; `leader` is
// -1 when unknown.
import {
  array,
  integer,
  integerItem,
  object,
  optionalArray,
  optionalInteger,
  optionalString,
  type ResponseError,
  responseError,
  string,
  stringItem,
} from '../schema.js'
import { type ApiDefinition, ApiKeys, type ErrorFields } from './api.js'

/** One partition's new replica set. */
export interface PartitionReassignmentSpec {
  readonly topic: string
  readonly partition: number
  /** Distinct broker ids; the first is the preferred leader. */
  readonly replicas: readonly number[]
}

export interface AlterPartitionReassignmentsRequest {
  readonly reassignments: readonly PartitionReassignmentSpec[]
  /** Copy rate cap for the added replicas, bytes per second; absent or 0: unthrottled. */
  readonly throttleBytesPerSec?: number
}

export interface ReassignmentResult extends ErrorFields {
  readonly topic: string
  readonly partition: number
}

export interface AlterPartitionReassignmentsResponse extends ResponseError {
  readonly results: readonly ReassignmentResult[]
}

export interface ListPartitionReassignmentsRequest {
  /** Only these topics; absent: every topic. */
  readonly topics?: readonly string[]
}

/** How far one adding replica is behind the partition's leader. */
export interface ReplicaProgress {
  readonly broker: number
  /** 0 to 100: the share of the leader's log this replica holds. */
  readonly caughtUpPercent: number
  /** Offsets between this replica's last durable offset and the leader's log end. */
  readonly offsetsBehind: number
}

export interface PartitionReassignment {
  readonly topic: string
  readonly partition: number
  /** The replica set in effect (the image's), first the preferred leader. */
  readonly replicas: readonly number[]
  readonly target: readonly number[]
  /** In target, not in replicas. */
  readonly adding: readonly number[]
  /** In replicas, not in target. */
  readonly removing: readonly number[]
  /** -1 when the answering broker knows no leader. */
  readonly leader: number
  readonly progress: readonly ReplicaProgress[]
  readonly throttleBytesPerSec?: number
}

export interface ListPartitionReassignmentsResponse extends ResponseError {
  readonly reassignments: readonly PartitionReassignment[]
}

/** More replicas than any cluster this broker supports has brokers. */
export const reassignmentReplicasMax = 1000
const brokerIdMax = 2 ** 31 - 1
const topicLengthMax = 1000
const partitionMax = 1_000_000
const reassignmentsMax = 100_000

const ids = (fields: Record<string, unknown>, name: string, path: string) =>
  array(fields, name, path, integerItem, reassignmentReplicasMax)

export const AlterPartitionReassignments: ApiDefinition<
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse
> = {
  name: 'AlterPartitionReassignments',
  apiKey: ApiKeys.AlterPartitionReassignments,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'AlterPartitionReassignments'
    const fields = object(body, path)
    const reassignments = array(
      fields,
      'reassignments',
      path,
      (value, itemPath) => {
        const item = object(value, itemPath)
        return {
          topic: string(item, 'topic', itemPath, topicLengthMax),
          partition: integer(item, 'partition', itemPath, 0, partitionMax),
          replicas: ids(item, 'replicas', itemPath),
        }
      },
      reassignmentsMax,
    )
    const throttle = optionalInteger(fields, 'throttleBytesPerSec', path, 0)
    return throttle === 0 ? { reassignments } : { reassignments, throttleBytesPerSec: throttle }
  },
  decodeResponse(body) {
    const path = 'AlterPartitionReassignments'
    const fields = object(body, path)
    return {
      ...responseError(fields, path),
      results:
        optionalArray(fields, 'results', path, (value, itemPath) => {
          const item = object(value, itemPath)
          const errorMessage = optionalString(item, 'errorMessage', itemPath)
          return {
            topic: string(item, 'topic', itemPath, topicLengthMax),
            partition: integer(item, 'partition', itemPath, 0, partitionMax),
            errorCode: integer(item, 'errorCode', itemPath, 0, 65_535),
            ...(errorMessage === undefined ? {} : { errorMessage }),
          }
        }) ?? [],
    }
  },
}

export const ListPartitionReassignments: ApiDefinition<
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse
> = {
  name: 'ListPartitionReassignments',
  apiKey: ApiKeys.ListPartitionReassignments,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'ListPartitionReassignments'
    const topics = optionalArray(object(body, path), 'topics', path, stringItem, reassignmentsMax)
    return topics === undefined ? {} : { topics }
  },
  decodeResponse(body) {
    const path = 'ListPartitionReassignments'
    const fields = object(body, path)
    return {
      ...responseError(fields, path),
      reassignments: optionalArray(fields, 'reassignments', path, decodeReassignment) ?? [],
    }
  },
}

function decodeReassignment(value: unknown, path: string): PartitionReassignment {
  const item = object(value, path)
  const throttle = optionalInteger(item, 'throttleBytesPerSec', path, 0)
  return {
    topic: string(item, 'topic', path, topicLengthMax),
    partition: integer(item, 'partition', path, 0, partitionMax),
    replicas: ids(item, 'replicas', path),
    target: ids(item, 'target', path),
    adding: ids(item, 'adding', path),
    removing: ids(item, 'removing', path),
    leader: integer(item, 'leader', path, -1, brokerIdMax),
    progress: array(item, 'progress', path, decodeProgress, reassignmentReplicasMax),
    ...(throttle === 0 ? {} : { throttleBytesPerSec: throttle }),
  }
}

export function decodeProgress(value: unknown, path: string): ReplicaProgress {
  const item = object(value, path)
  return {
    broker: integer(item, 'broker', path, 0, brokerIdMax),
    caughtUpPercent: integer(item, 'caughtUpPercent', path, 0, 100),
    offsetsBehind: integer(item, 'offsetsBehind', path),
  }
}
