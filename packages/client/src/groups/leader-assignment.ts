// What the group leader computes between its JoinGroup answer and its SyncGroup: every member's
// subscription decoded, the chosen assignor run over them, each member's assignment encoded.
// Pure: partition counts come in (the shell fetches them from metadata).
import {
  decodeConsumerSubscription,
  encodeConsumerAssignment,
  type JoinGroupMember,
  type SyncGroupAssignment,
  WeirError,
} from '@weir/protocol'
import type { Assignor, AssignorMember } from '../assignors/index.js'

/** Decodes the members' subscriptions; INCONSISTENT_GROUP_PROTOCOL naming a member whose bytes are bad. */
export function decodeMembers(members: readonly JoinGroupMember[]): AssignorMember[] {
  return members.map((member) => {
    let subscription: ReturnType<typeof decodeConsumerSubscription>
    try {
      subscription = decodeConsumerSubscription(member.metadata)
    } catch (error) {
      throw new WeirError(
        'INCONSISTENT_GROUP_PROTOCOL',
        `member ${member.memberId} sent a subscription this client cannot read`,
        { cause: error },
      )
    }
    const decoded: AssignorMember = {
      memberId: member.memberId,
      subscription: subscription.topics,
      ownedPartitions: subscription.ownedPartitions,
      generationId: subscription.generationId,
    }
    return subscription.userData === undefined ? decoded : { ...decoded, userData: subscription.userData }
  })
}

/** Every topic some member subscribes to, sorted. */
export function subscribedTopics(members: readonly AssignorMember[]): string[] {
  return [...new Set(members.flatMap((member) => member.subscription))].sort()
}

/** The assignor named `protocolName` among those this member offered; an assertion otherwise,
 *  since the coordinator only picks a protocol every member offered. */
export function chooseAssignor(assignors: readonly Assignor[], protocolName: string | undefined): Assignor {
  const assignor = assignors.find((candidate) => candidate.name === protocolName)
  if (assignor === undefined)
    throw new WeirError(
      'INCONSISTENT_GROUP_PROTOCOL',
      `the group chose protocol ${JSON.stringify(protocolName)}, which this member did not offer`,
    )
  return assignor
}

/** Runs the assignor and encodes one SyncGroup assignment per member (empty ones included). */
export function computeGroupAssignment(
  assignor: Assignor,
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): SyncGroupAssignment[] {
  const assignments = assignor.assign(members, partitionsPerTopic)
  return members.map((member) => ({
    memberId: member.memberId,
    assignment: encodeConsumerAssignment({ partitions: assignments.get(member.memberId) ?? new Map() }),
  }))
}
