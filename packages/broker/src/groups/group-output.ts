// What the pure group code hands to the broker: records to append to __consumer_offsets and
// responses to send, both as data. Like etcd raft's Ready, the order matters: append `records`
// (durably) before sending any of `responses`, because some responses (OffsetCommit, the SyncGroup
// that makes a generation stable, DeleteGroups) promise that the records are stored.
import type {
  ConsumerGroupHeartbeatResponse,
  DeleteGroupsResponse,
  DescribeGroupsResponse,
  ErrorName,
  HeartbeatResponse,
  JoinGroupResponse,
  LeaveGroupResponse,
  ListGroupsResponse,
  OffsetCommitResponse,
  OffsetFetchResponse,
  SyncGroupResponse,
} from '@weir/protocol'
import { ErrorCodes, WeirError } from '@weir/protocol'
import type { GroupLogRecord } from './group-records.js'

/** Chosen by the broker for each request it hands in; echoed with that request's response. */
export type RequestId = number

export type GroupResponse =
  | { readonly api: 'JoinGroup'; readonly requestId: RequestId; readonly response: JoinGroupResponse }
  | { readonly api: 'SyncGroup'; readonly requestId: RequestId; readonly response: SyncGroupResponse }
  | { readonly api: 'Heartbeat'; readonly requestId: RequestId; readonly response: HeartbeatResponse }
  | { readonly api: 'LeaveGroup'; readonly requestId: RequestId; readonly response: LeaveGroupResponse }
  | { readonly api: 'OffsetCommit'; readonly requestId: RequestId; readonly response: OffsetCommitResponse }
  | { readonly api: 'OffsetFetch'; readonly requestId: RequestId; readonly response: OffsetFetchResponse }
  | { readonly api: 'ListGroups'; readonly requestId: RequestId; readonly response: ListGroupsResponse }
  | {
      readonly api: 'DescribeGroups'
      readonly requestId: RequestId
      readonly response: DescribeGroupsResponse
    }
  | { readonly api: 'DeleteGroups'; readonly requestId: RequestId; readonly response: DeleteGroupsResponse }
  | {
      readonly api: 'ConsumerGroupHeartbeat'
      readonly requestId: RequestId
      readonly response: ConsumerGroupHeartbeatResponse
    }

/** Something worth a log line: why a rebalance started, who was removed, a generation completing. */
export interface GroupEvent {
  readonly groupId: string
  readonly type: 'rebalance-started' | 'member-removed' | 'generation-stable' | 'group-empty'
  readonly detail: string
}

export interface GroupOutput {
  /** Append these, in order, to the group's __consumer_offsets partition before any response. */
  readonly records: GroupLogRecord[]
  readonly responses: GroupResponse[]
  readonly events: GroupEvent[]
}

/** Where groups put their output until the host takes it. Bounded by the requests handed in. */
export class GroupOutbox {
  private records: GroupLogRecord[] = []
  private responses: GroupResponse[] = []
  private events: GroupEvent[] = []

  append(record: GroupLogRecord): void {
    this.records.push(record)
  }

  respond(response: GroupResponse): void {
    this.responses.push(response)
  }

  event(event: GroupEvent): void {
    this.events.push(event)
  }

  take(): GroupOutput {
    const output = { records: this.records, responses: this.responses, events: this.events }
    this.records = []
    this.responses = []
    this.events = []
    return output
  }
}

/** `{ errorCode, errorMessage }` for a response, the message saying what to do. */
export function errorOf(code: ErrorName, detail: string): { errorCode: number; errorMessage: string } {
  return { errorCode: ErrorCodes[code].code, errorMessage: new WeirError(code, detail).message }
}
