// CreateTopics (v0-4) on the Kafka listener: each topic becomes a native CreateTopics request
// (controller, placement limits, ACL Create: the native handler's), run concurrently and awaited up
// to the request's timeoutMs. What only Kafka can ask for is settled here first: -1 partitions or
// replication factor (the broker default, 1 as in Kafka), replica assignments (refused: Weir
// places replicas itself), configs under Kafka's names (kafka-topic-configs.ts), a name given twice.
import { type CreatableTopic, CreateTopics, isWeirError, Kafka, WeirError } from '@weir/protocol'
import { createTopicsHandler } from '../../handlers/create-topics.js'
import type { HandlerContext } from '../../handlers/index.js'
import { boundedBy, namedTwice, namedTwiceError } from '../admin-requests.js'
import { type KafkaErrorFields, kafkaErrorFields, kafkaErrorFieldsOf } from '../kafka-error-fields.js'
import { defineKafkaHandler } from '../kafka-handler.js'
import { defaultPartitions, defaultReplicationFactor, topicConfigFromKafka } from '../kafka-topic-configs.js'

type TopicAnswer = Kafka.CreateTopicsResponse['topics'][number]

export const kafkaCreateTopicsHandler = defineKafkaHandler({
  api: Kafka.createTopicsApi,
  async handle(request, context) {
    const native = context.native
    const twice = namedTwice(request.topics.map((topic) => topic.name))
    const answers = request.topics.map(async (topic): Promise<TopicAnswer> => {
      const { name } = topic
      const invalid = invalidCounts(topic)
      if (invalid !== undefined) return { name, ...invalid }
      try {
        if (twice.has(name)) throw namedTwiceError(name, 'CreateTopics')
        const created = createOne(creatableOf(topic), request.validateOnly, native)
        return {
          name,
          ...(await boundedBy(created, request.timeoutMs, `creating topic ${name}`, native.environment)),
        }
      } catch (error) {
        if (!isWeirError(error)) throw error
        return { name, ...kafkaErrorFieldsOf(error) }
      }
    })
    return { throttleTimeMs: 0, topics: await Promise.all(answers) }
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({ name: topic.name, errorCode, errorMessage: null })),
    }
  },
})

/**
 * Kafka's own codes for counts no topic can have (0, or negative other than -1): no Weir error
 * means exactly these. Counts too large for this cluster are the native path's INVALID_CONFIG.
 */
export function invalidCounts(topic: Kafka.CreatableTopic): KafkaErrorFields | undefined {
  const { name, numPartitions, replicationFactor } = topic
  if (numPartitions < 1 && numPartitions !== -1)
    return {
      errorCode: Kafka.KafkaErrorCodes.INVALID_PARTITIONS.code,
      errorMessage: `topic ${name}: numPartitions must be at least 1, or -1 for the broker default (${defaultPartitions}), got ${numPartitions}`,
    }
  if (replicationFactor < 1 && replicationFactor !== -1)
    return {
      errorCode: Kafka.KafkaErrorCodes.INVALID_REPLICATION_FACTOR.code,
      errorMessage: `topic ${name}: replicationFactor must be at least 1, or -1 for the broker default (${defaultReplicationFactor}), got ${replicationFactor}`,
    }
  return undefined
}

/** The native request for one Kafka topic. Errors: INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG. */
export function creatableOf(topic: Kafka.CreatableTopic): CreatableTopic {
  if (topic.assignments.length > 0) {
    throw new WeirError(
      'INVALID_REPLICA_ASSIGNMENT',
      `topic ${topic.name}: Weir places replicas itself; send numPartitions and replicationFactor instead of replica assignments, then move replicas with \`weir topics reassign\``,
    )
  }
  return {
    name: topic.name,
    partitions: topic.numPartitions === -1 ? defaultPartitions : topic.numPartitions,
    replicationFactor: topic.replicationFactor === -1 ? defaultReplicationFactor : topic.replicationFactor,
    config: topicConfigFromKafka(topic.configs),
  }
}

async function createOne(
  topic: CreatableTopic,
  validateOnly: boolean,
  native: HandlerContext,
): Promise<KafkaErrorFields> {
  // The native decoder's checks (name length, counts, config types) as on the client listener.
  const request = CreateTopics.decodeRequest({ topics: [topic], validateOnly })
  const answer = await createTopicsHandler.handle(request, native)
  const result = answer?.topics[0]
  if (result === undefined) throw new Error('the native CreateTopics handler answered no topic')
  return kafkaErrorFields(result)
}
