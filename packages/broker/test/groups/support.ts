// A scripted driver for GroupCoordinator: requests in, outputs collected, responses looked up by id.
import {
  encodeConsumerSubscription,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type SyncGroupResponse,
} from '@weir/protocol'
import { GroupCoordinator } from '../../src/groups/group-coordinator.js'
import type { GroupLimits } from '../../src/groups/group-limits.js'
import type { GroupEvent, GroupResponse } from '../../src/groups/group-output.js'
import type { GroupLogRecord } from '../../src/groups/group-records.js'

export const sessionTimeoutMs = 1000
export const rebalanceTimeoutMs = 5000

export function subscription(topics: string[]): Buffer {
  return encodeConsumerSubscription({ topics, ownedPartitions: new Map(), generationId: -1 })
}

export class Harness {
  coordinator: GroupCoordinator
  nextRequestId = 1
  nextMember = 1
  readonly records: GroupLogRecord[] = []
  readonly responses = new Map<number, GroupResponse>()
  readonly events: GroupEvent[] = []

  constructor(limits: Partial<GroupLimits> = {}) {
    this.coordinator = new GroupCoordinator({
      newMemberId: (clientId) => `${clientId || 'member'}-${this.nextMember++}`,
      // The scripted tests count rounds exactly; the delay has its own tests.
      limits: { minSessionTimeoutMs: 10, initialRebalanceDelayMs: 0, ...limits },
    })
  }

  collect(): void {
    const output = this.coordinator.takeOutput()
    this.records.push(...output.records)
    this.events.push(...output.events)
    for (const response of output.responses) {
      if (this.responses.has(response.requestId))
        throw new Error(`request ${response.requestId} answered twice`)
      this.responses.set(response.requestId, response)
    }
  }

  join(nowMs: number, memberId = '', extra: Partial<JoinGroupRequest> = {}): number {
    const requestId = this.nextRequestId++
    this.coordinator.joinGroup(
      requestId,
      {
        groupId: 'g',
        sessionTimeoutMs,
        rebalanceTimeoutMs,
        memberId,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: subscription(['orders']) }],
        clientId: 'app',
        ...extra,
      },
      { clientHost: '10.0.0.1' },
      nowMs,
    )
    this.collect()
    return requestId
  }

  sync(
    nowMs: number,
    memberId: string,
    generationId: number,
    assignments: [string, string][] = [],
    groupInstanceId?: string,
  ): number {
    const requestId = this.nextRequestId++
    this.coordinator.syncGroup(
      requestId,
      {
        groupId: 'g',
        generationId,
        memberId,
        ...(groupInstanceId === undefined ? {} : { groupInstanceId }),
        assignments: assignments.map(([member, text]) => ({
          memberId: member,
          assignment: Buffer.from(text),
        })),
      },
      nowMs,
    )
    this.collect()
    return requestId
  }

  heartbeat(nowMs: number, memberId: string, generationId: number, groupInstanceId?: string): number {
    const requestId = this.nextRequestId++
    this.coordinator.heartbeat(
      requestId,
      { groupId: 'g', generationId, memberId, ...(groupInstanceId === undefined ? {} : { groupInstanceId }) },
      nowMs,
    )
    this.collect()
    return this.code(requestId)
  }

  tick(nowMs: number): void {
    this.coordinator.tick(nowMs)
    this.collect()
  }

  answered(requestId: number): boolean {
    return this.responses.has(requestId)
  }

  joinAnswer(requestId: number): JoinGroupResponse {
    const answer = this.responses.get(requestId)
    if (answer?.api !== 'JoinGroup') throw new Error(`request ${requestId} has no JoinGroup answer`)
    return answer.response
  }

  syncAnswer(requestId: number): SyncGroupResponse {
    const answer = this.responses.get(requestId)
    if (answer?.api !== 'SyncGroup') throw new Error(`request ${requestId} has no SyncGroup answer`)
    return answer.response
  }

  code(requestId: number): number {
    const answer = this.responses.get(requestId)
    if (answer === undefined) throw new Error(`request ${requestId} is unanswered`)
    return answer.response.errorCode ?? 0
  }

  get group() {
    const group = this.coordinator.group('g')
    if (group === undefined) throw new Error('no group g')
    return group
  }

  /** One member joins an empty group and syncs: generation 1, stable. */
  startStable(nowMs: number, extra: Partial<JoinGroupRequest> = {}): string {
    const joined = this.joinAnswer(this.join(nowMs, '', extra))
    this.sync(nowMs, joined.memberId, joined.generationId, [[joined.memberId, 'all']])
    return joined.memberId
  }
}
