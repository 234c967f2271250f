// DeleteTopics: closes and removes each topic; fetches waiting on it answer at once.
import { DeleteTopics, type TopicResult, WeirError } from '@weir/protocol'
import { isInternalTopic } from '../groups/group-records.js'
import { authorize } from './authorize.js'
import { deleteTopicInCluster } from './cluster-topics.js'
import { defineHandler, errorFields } from './handler.js'

export const deleteTopicsHandler = defineHandler({
  api: DeleteTopics,
  async handle(request, context) {
    const topics: TopicResult[] = []
    for (const name of request.topics) {
      try {
        authorize(context, 'Delete', 'Topic', name)
        if (isInternalTopic(name))
          throw new WeirError('INVALID_TOPIC', `${name} is internal to the broker and cannot be deleted`)
        await deleteTopicInCluster(context.cluster, name, context)
        topics.push({ name, errorCode: 0 })
      } catch (error) {
        topics.push({ name, ...errorFields(error, context.logger, 'DeleteTopics') })
      }
    }
    return { topics }
  },
})
