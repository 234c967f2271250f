// ListGroups (Kafka v0-2) → the native ListGroups handler: every coordinator partition's groups,
// only those the principal may describe (Group:Describe, the native filter).
import { Kafka, ListGroups } from '@weir/protocol'
import { listGroupsHandler } from '../../handlers/list-groups.js'
import { kafkaCodeOfWeirCode } from '../kafka-errors.js'
import { defineKafkaHandler } from '../kafka-handler.js'
import { kafkaGroupProtocolType } from './group-listing.js'

export const kafkaListGroupsHandler = defineKafkaHandler({
  api: Kafka.listGroupsApi,
  async handle(_request, context) {
    const answer = await listGroupsHandler.handle(ListGroups.decodeRequest({}), context.native)
    if (answer === undefined) return undefined
    return {
      throttleTimeMs: 0,
      // A partition still loading: COORDINATOR_LOAD_IN_PROGRESS with the other partitions' groups.
      errorCode: kafkaCodeOfWeirCode(answer.errorCode),
      groups: answer.groups.map(({ groupId, protocolType }) => ({
        groupId,
        protocolType: kafkaGroupProtocolType(protocolType),
      })),
    }
  },
  errorResponse(_request, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, groups: [] }
  },
})
