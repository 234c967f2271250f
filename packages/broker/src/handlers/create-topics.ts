// CreateTopics: each topic on its own (a bad name or config fails that topic only). The request's
// config is laid over the broker's topicDefaults and stored with the topic, so it survives restarts.
import { type CreatableTopic, CreateTopics, type TopicResult, WeirError } from '@weir/protocol'
import { checkTopicName } from '@weir/storage'
import { mergeTopicConfig } from '../topic-config.js'
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
    if (context.cluster !== undefined) {
      await createTopicInCluster(context.cluster, topic, validateOnly, context)
      return { name: topic.name, errorCode: 0 }
    }
    checkTopicName(topic.name)
    if (topic.replicationFactor > 1) {
      throw new WeirError(
        'INVALID_CONFIG',
        `replicationFactor ${topic.replicationFactor} for topic ${topic.name}: this broker runs alone (no --peers), so 1 is the most it can hold; start a cluster to replicate`,
      )
    }
    const config = mergeTopicConfig(context.topicDefaults, topic.config)
    if (context.store.topicNames().includes(topic.name)) {
      throw new WeirError('TOPIC_ALREADY_EXISTS', `topic ${topic.name} already exists`)
    }
    if (!validateOnly) {
      await context.store.createTopic(topic.name, topic.partitions, config)
      context.logger.info({ topic: topic.name, partitions: topic.partitions }, 'topic created')
    }
    return { name: topic.name, errorCode: 0 }
  } catch (error) {
    return { name: topic.name, ...errorFields(error, context.logger, 'CreateTopics') }
  }
}
