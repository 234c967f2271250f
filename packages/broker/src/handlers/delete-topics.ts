// DeleteTopics: closes and removes each topic; fetches waiting on it answer at once.
import { DeleteTopics, type TopicResult } from '@weir/protocol'
import { defineHandler, errorFields } from './handler.js'

export const deleteTopicsHandler = defineHandler({
  api: DeleteTopics,
  async handle(request, context) {
    const topics: TopicResult[] = []
    for (const name of request.topics) {
      try {
        await context.store.deleteTopic(name)
        context.watch.notifyTopic(name)
        context.logger.info({ topic: name }, 'topic deleted')
        topics.push({ name, errorCode: 0 })
      } catch (error) {
        topics.push({ name, ...errorFields(error, context.logger, 'DeleteTopics') })
      }
    }
    return { topics }
  },
})
