// CreateTopics (v0-4) on the Kafka listener: each topic becomes a native CreateTopics request
// (controller, placement limits, ACL Create: the native handler's), run concurrently and awaited up
// to the request's timeoutMs. What only Kafka can ask for is settled here first: -1 partitions or
// replication factor (the broker default, 1 as in Kafka), replica assignments (refused: Weir
// places replicas itself), configs under Kafka's names (kafka-topic-configs.ts), a name given twice.
import { type CreatableTopic, isWeirError, Kafka, WeirError } from '@weir/protocol'
import { withTimeout } from '../../environment.js'
import { createTopicsHandler } from '../../handlers/create-topics.js'
import type { HandlerContext } from '../../handlers/index.js'
import { type KafkaErrorFields, kafkaErrorFields, kafkaErrorFieldsOf } from '../kafka-error-fields.js'
import { defineKafkaHandler } from '../kafka-handler.js'
import { defaultPartitions, defaultReplicationFactor, topicConfigFromKafka } from '../kafka-topic-configs.js'

type TopicAnswer = Kafka.CreateTopicsResponse['topics'][number]

export const kafkaCreateTopicsHandler = defineKafkaHandler({
  api: Kafka.createTopicsApi,
  async handle(request, context) {
    const native = context.native
    const named = countNames(request.topics)
    const answers = request.topics.map(async (topic): Promise<TopicAnswer> => {
      try {
        if ((named.get(topic.name) ?? 0) > 1)
          throw new WeirError(
            'INVALID_REQUEST',
            `topic ${topic.name} is named more than once in this CreateTopics request; name each topic once`,
          )
        const creatable = creatableOf(topic)
        const created = createOne(creatable, request.validateOnly, native)
        return { name: topic.name, ...(await boundedBy(created, request.timeoutMs, topic.name, native)) }
      } catch (error) {
        if (!isWeirError(error)) throw error
        return { name: topic.name, ...kafkaErrorFieldsOf(error) }
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

function countNames(topics: readonly Kafka.CreatableTopic[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const topic of topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1)
  return counts
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
    partitions: orDefault(topic.numPartitions, defaultPartitions, 'numPartitions', topic.name),
    replicationFactor: orDefault(
      topic.replicationFactor,
      defaultReplicationFactor,
      'replicationFactor',
      topic.name,
    ),
    config: topicConfigFromKafka(topic.configs),
  }
}

function orDefault(value: number, fallback: number, field: string, topic: string): number {
  if (value === -1) return fallback
  if (value < 1)
    throw new WeirError(
      'INVALID_CONFIG',
      `topic ${topic}: ${field} must be at least 1, or -1 for the broker default (${fallback}), got ${value}`,
    )
  return value
}

async function createOne(
  topic: CreatableTopic,
  validateOnly: boolean,
  native: HandlerContext,
): Promise<KafkaErrorFields> {
  const answer = await createTopicsHandler.handle({ topics: [topic], validateOnly }, native)
  const result = answer?.topics[0]
  if (result === undefined) throw new Error('the native CreateTopics handler answered no topic')
  return kafkaErrorFields(result)
}

/**
 * Kafka's timeoutMs: how long the client waits for the creation. Past it the topic's answer is
 * REQUEST_TIMED_OUT while the creation goes on (it is already proposed to the controller). 0 or
 * less: no bound but the broker's own requestTimeoutMs.
 */
function boundedBy(
  created: Promise<KafkaErrorFields>,
  timeoutMs: number,
  name: string,
  native: HandlerContext,
): Promise<KafkaErrorFields> {
  if (timeoutMs <= 0) return created
  const late = () =>
    new WeirError(
      'REQUEST_TIMED_OUT',
      `topic ${name} was not created within the request's timeoutMs (${timeoutMs} ms); it may still appear: check with Metadata, or give a longer timeout`,
    )
  return withTimeout(native.environment, created, timeoutMs, late)
}
