// DescribeGroups (Kafka v0-4) → the native DescribeGroups handler (each group at its coordinator,
// Group:Describe checked there). Members' metadata and assignments go out as stored: for a Kafka
// consumer group they are the ConsumerProtocol bytes its members sent, which Kafka clients decode.
// A group the coordinator does not know is Dead with no members, as in Kafka. authorizedOperations
// (v3+) is always "not provided", as in Metadata.
import { DescribeGroups, type DescribeGroupsResponse, Kafka } from '@weir/protocol'
import { describeGroupsHandler } from '../../handlers/describe-groups.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'
import { kafkaGroupProtocolType, kafkaGroupState } from './group-listing.js'

export function kafkaDescribeGroupsResponse(native: DescribeGroupsResponse): Kafka.DescribeGroupsResponse {
  const requestError = kafkaCodeOfWeirCode(native.errorCode)
  return {
    throttleTimeMs: 0,
    groups: native.groups.map((group) => ({
      errorCode: requestError || kafkaCodeOfWeirCode(group.errorCode),
      groupId: group.groupId,
      groupState: kafkaGroupState(group.state),
      protocolType: kafkaGroupProtocolType(group.protocolType),
      protocolData: group.protocolName,
      members: group.members.map((member) => ({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId ?? null,
        clientId: member.clientId,
        clientHost: member.clientHost,
        memberMetadata: member.metadata,
        memberAssignment: member.assignment,
      })),
      authorizedOperations: Kafka.authorizedOperationsOmitted,
    })),
  }
}

export const kafkaDescribeGroupsHandler = defineKafkaHandler({
  api: Kafka.describeGroupsApi,
  async handle(request, context) {
    const native = DescribeGroups.decodeRequest({ groups: request.groups })
    const answer = await describeGroupsHandler.handle(native, context.native)
    return answer === undefined ? undefined : kafkaDescribeGroupsResponse(answer)
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => ({
        errorCode,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: Kafka.authorizedOperationsOmitted,
      })),
    }
  },
})
