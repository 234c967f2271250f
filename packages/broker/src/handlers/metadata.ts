// Metadata: this broker as the only broker and controller, and each topic's config and partitions
// (leader and sole replica = this broker; highWatermark = the durable end, what consumers may read).
// Internal topics (__consumer_offsets) are left out of "every topic" and described when named.
import { Metadata, type MetadataPartition, type MetadataTopic } from '@weir/protocol'
import type { Topic } from '@weir/storage'
import { isInternalTopic } from '../groups/group-records.js'
import { fromLogConfig } from '../topic-config.js'
import { clusterMetadata } from './cluster-metadata.js'
import { defineHandler, errorFields, type HandlerContext } from './handler.js'

export const metadataHandler = defineHandler({
  api: Metadata,
  async handle(request, context) {
    if (context.cluster !== undefined) return clusterMetadata(request.topics, context.cluster, context)
    const names =
      request.topics ??
      context.store
        .topicNames()
        .filter((name) => !isInternalTopic(name))
        .sort()
    return {
      brokers: [{ id: context.brokerId, host: context.advertised.host, port: context.advertised.port }],
      controllerId: context.brokerId,
      topics: names.map((name) => describeTopic(name, context)),
    }
  },
})

function describeTopic(name: string, context: HandlerContext): MetadataTopic {
  let topic: Topic
  try {
    topic = context.store.topic(name)
  } catch (error) {
    return { name, ...errorFields(error, context.logger, 'Metadata'), config: {}, partitions: [] }
  }
  const partitions: MetadataPartition[] = []
  for (let partition = 0; partition < topic.partitionCount; partition++) {
    const log = topic.partition(partition)
    partitions.push({
      partition,
      errorCode: 0,
      leader: context.brokerId,
      replicas: [context.brokerId],
      isr: [context.brokerId],
      logStartOffset: log.logStartOffset,
      highWatermark: log.durableEndOffset,
    })
  }
  return { name, errorCode: 0, config: fromLogConfig(topic.config), partitions }
}
