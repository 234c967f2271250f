// DeleteTopics (v0-3) on the Kafka listener: the native DeleteTopics (controller, ACL Delete,
// internal topics refused), one answer per name in Kafka's codes. Kafka's timeoutMs is not applied
// separately: the native path waits for the deletion up to the broker's requestTimeoutMs.
import { Kafka } from '@weir/protocol'
import { deleteTopicsHandler } from '../../handlers/delete-topics.js'
import { kafkaErrorFields } from '../kafka-error-fields.js'
import { defineKafkaHandler } from '../kafka-handler.js'

export const kafkaDeleteTopicsHandler = defineKafkaHandler({
  api: Kafka.deleteTopicsApi,
  async handle(request, context) {
    const answer = await deleteTopicsHandler.handle({ topics: request.topicNames }, context.native)
    const results = answer?.topics ?? []
    return {
      throttleTimeMs: 0,
      responses: results.map((result) => ({
        name: result.name,
        errorCode: kafkaErrorFields(result).errorCode,
      })),
    }
  },
  errorResponse(request, _version, errorCode) {
    return { throttleTimeMs: 0, responses: request.topicNames.map((name) => ({ name, errorCode })) }
  },
})
