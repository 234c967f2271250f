// RaftMessages (key 30), v0: broker to broker. Every Raft message one broker has for another,
// across all the Raft groups they share, travels in one request: heartbeats and appends of many
// partitions are coalesced into one frame per flush. Leadership news rides along, so a broker
// that hosts no replica of a partition still knows its leader for Metadata.
//   request  = { from: int, messages: [{ group: string, incarnation: string, message: map }],
//                leaders: [{ group: string, incarnation: string, leaderId: int, term: int, isr?: [int],
//                            progress?: [{ broker: int, caughtUpPercent: int, offsetsBehind: int }] }] }
//   response = { errorCode?, errorMessage? }
// `message` is one Raft message as @weir/raft defines it (entries carry record batches as bin);
// its shape is checked by the broker, which owns that type. Unknown groups are dropped: Raft
// retries, and the receiver may simply not have applied the topic's creation yet.
// `incarnation` names which creation of the topic the group belongs to (the controller's is ""):
// a topic deleted and created again under the same name is another Raft group with the same
// name, and a broker that missed the change must not mix the two groups' terms and logs.
import {
  array,
  integer,
  integerItem,
  object,
  optionalArray,
  type ResponseError,
  responseError,
  string,
} from '../schema.js'
import { type ApiDefinition, ApiKeys } from './api.js'
import { decodeProgress, type ReplicaProgress } from './partition-reassignments.js'

export interface RaftEnvelope {
  readonly group: string
  readonly incarnation: string
  readonly message: Record<string, unknown>
}

export interface LeaderNews {
  readonly group: string
  readonly incarnation: string
  /** 0 when the sender knows of no leader. */
  readonly leaderId: number
  readonly term: number
  /** The leader's in-sync replicas, when the sender is the leader. */
  readonly isr?: readonly number[]
  /** While the partition is reassigned: how far each replica being added is behind the leader. */
  readonly progress?: readonly ReplicaProgress[]
}

export interface RaftMessagesRequest {
  readonly from: number
  readonly messages: readonly RaftEnvelope[]
  readonly leaders: readonly LeaderNews[]
}

export type RaftMessagesResponse = ResponseError

const groupLengthMax = 1024
const incarnationLengthMax = 128
const isrMax = 1000
const messagesMax = 1_000_000

export const RaftMessages: ApiDefinition<RaftMessagesRequest, RaftMessagesResponse> = {
  name: 'RaftMessages',
  apiKey: ApiKeys.RaftMessages,
  versionMin: 0,
  versionMax: 0,
  decodeRequest(body) {
    const path = 'RaftMessages'
    const fields = object(body, path)
    return {
      from: integer(fields, 'from', path, 0, 2 ** 31 - 1),
      messages: array(
        fields,
        'messages',
        path,
        (value, itemPath) => {
          const item = object(value, itemPath)
          return {
            group: string(item, 'group', itemPath, groupLengthMax),
            incarnation: string(item, 'incarnation', itemPath, incarnationLengthMax),
            message: object(item.message, `${itemPath}.message`),
          }
        },
        messagesMax,
      ),
      leaders: array(fields, 'leaders', path, (value, itemPath) => {
        const item = object(value, itemPath)
        const isr = optionalArray(item, 'isr', itemPath, integerItem, isrMax)
        const progress = optionalArray(item, 'progress', itemPath, decodeProgress, isrMax)
        return {
          group: string(item, 'group', itemPath, groupLengthMax),
          incarnation: string(item, 'incarnation', itemPath, incarnationLengthMax),
          leaderId: integer(item, 'leaderId', itemPath, 0, 2 ** 31 - 1),
          term: integer(item, 'term', itemPath),
          ...(isr === undefined ? {} : { isr }),
          ...(progress === undefined ? {} : { progress }),
        }
      }),
    }
  },
  decodeResponse: (body) => responseError(object(body, 'RaftMessages'), 'RaftMessages'),
}
