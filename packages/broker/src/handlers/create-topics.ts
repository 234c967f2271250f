// CreateTopics: each topic on its own (a bad name or config fails that topic only). The request's
// config is laid over the broker's topicDefaults and stored with the topic, so it survives restarts.
import { type CreatableTopic, CreateTopics, clusterResourceName, type TopicResult } from '@weir/protocol'
import { authorize, permits } from './authorize.js'
import { createTopicInCluster } from './cluster-topics.js'
import { defineHandler, errorFields, type HandlerContext } from './handler.js'

export const createTopicsHandler = defineHandler({
  api: CreateTopics,
  async handle(request, context) {
    const topics: TopicResult[] = []
    // One at a time: two entries with the same name must not race each other to the disk.
    for (const topic of request.topics) {
      topics.push(await createTopic(topic, request.validateOnly === true, context))
    }
    return { topics }
  },
})

async function createTopic(
  topic: CreatableTopic,
  validateOnly: boolean,
  context: HandlerContext,
): Promise<TopicResult> {
  try {
    // Kafka's rule: Create on the cluster allows any topic, Create on a topic (or prefix) that one.
    if (!permits(context, 'Create', 'Cluster', clusterResourceName))
      authorize(context, 'Create', 'Topic', topic.name)
    await createTopicInCluster(context.cluster, topic, validateOnly, context)
    return { name: topic.name, errorCode: 0 }
  } catch (error) {
    return { name: topic.name, ...errorFields(error, context.logger, 'CreateTopics') }
  }
}
