// CreatePartitions: grows each topic to its new count (growth only), then tells the group
// coordinator, so every group subscribed to the topic rebalances and the new partitions get owners.
// validateOnly: the same checks, no change.
import { CreatePartitions, type TopicResult, WeirError } from '@weir/protocol'
import { isInternalTopic } from '../groups/group-records.js'
import { authorize } from './authorize.js'
import { createPartitionsInCluster } from './cluster-topics.js'
import { defineHandler, errorFields } from './handler.js'

export const createPartitionsHandler = defineHandler({
  api: CreatePartitions,
  async handle(request, context) {
    const topics: TopicResult[] = []
    // One at a time: two entries for the same topic must not race each other to the disk.
    for (const { name, count } of request.topics) {
      try {
        authorize(context, 'Alter', 'Topic', name)
        if (isInternalTopic(name))
          throw new WeirError(
            'INVALID_TOPIC',
            `${name} is internal to the broker; its partitions cannot change`,
          )
        const validateOnly = request.validateOnly === true
        await createPartitionsInCluster(context.cluster, name, count, context, validateOnly)
        if (!validateOnly) context.groups.partitionsGrew(name)
        topics.push({ name, errorCode: 0 })
      } catch (error) {
        topics.push({ name, ...errorFields(error, context.logger, 'CreatePartitions') })
      }
    }
    return { topics }
  },
})
