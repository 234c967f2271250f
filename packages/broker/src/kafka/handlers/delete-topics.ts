// DeleteTopics (v0-3) on the Kafka listener: each name is one native DeleteTopics (controller, ACL
// Delete, internal topics refused), run concurrently and awaited up to the request's timeoutMs,
// answered in Kafka's codes. A name given twice is INVALID_REQUEST, as in Kafka.
import { DeleteTopics, isWeirError, Kafka } from '@weir/protocol'
import { deleteTopicsHandler } from '../../handlers/delete-topics.js'
import type { HandlerContext } from '../../handlers/index.js'
import { boundedBy, namedTwice, namedTwiceError } from '../admin-requests.js'
import { type KafkaErrorFields, kafkaErrorFields, kafkaErrorFieldsOf } from '../kafka-error-fields.js'
import { defineKafkaHandler } from '../kafka-handler.js'

export const kafkaDeleteTopicsHandler = defineKafkaHandler({
  api: Kafka.deleteTopicsApi,
  async handle(request, context) {
    const native = context.native
    const twice = namedTwice(request.topicNames)
    const answers = request.topicNames.map(async (name) => {
      try {
        if (twice.has(name)) throw namedTwiceError(name, 'DeleteTopics')
        const deleted = deleteOne(name, native)
        const { errorCode } = await boundedBy(
          deleted,
          request.timeoutMs,
          `deleting topic ${name}`,
          native.environment,
        )
        return { name, errorCode }
      } catch (error) {
        if (!isWeirError(error)) throw error
        return { name, errorCode: kafkaErrorFieldsOf(error).errorCode }
      }
    })
    return { throttleTimeMs: 0, responses: await Promise.all(answers) }
  },
  errorResponse(request, _version, errorCode) {
    return { throttleTimeMs: 0, responses: request.topicNames.map((name) => ({ name, errorCode })) }
  },
})

async function deleteOne(name: string, native: HandlerContext): Promise<KafkaErrorFields> {
  const answer = await deleteTopicsHandler.handle(DeleteTopics.decodeRequest({ topics: [name] }), native)
  const result = answer?.topics[0]
  if (result === undefined) throw new Error('the native DeleteTopics handler answered no topic')
  return kafkaErrorFields(result)
}
