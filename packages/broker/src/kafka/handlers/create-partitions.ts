// CreatePartitions (Kafka v0-1) → the native CreatePartitions handler, one topic at a time (Topic:
// Alter, growth only, placement limits, group rebalances: the native handler's), each bounded by
// the request's timeoutMs; validateOnly is the native flag. Settled here first, as in
// create-topics.ts: a topic named twice, replica assignments (Weir places replicas itself), a count
// below 1. The native "count not above the current count" (INVALID_CONFIG, the only INVALID_CONFIG
// this path raises) is Kafka's INVALID_PARTITIONS, which Kafka clients expect for it.
import { CreatePartitions, isWeirError, Kafka, WeirError } from '@weir/protocol'
import { createPartitionsHandler } from '../../handlers/create-partitions.js'
import type { HandlerContext } from '../../handlers/index.js'
import { boundedBy, namedTwice, namedTwiceError } from '../admin-requests.js'
import { type KafkaErrorFields, kafkaErrorFields, kafkaErrorFieldsOf } from '../kafka-error-fields.js'
import { defineKafkaHandler } from '../kafka-handler.js'

type TopicAnswer = Kafka.CreatePartitionsResponse['results'][number]

export const kafkaCreatePartitionsHandler = defineKafkaHandler({
  api: Kafka.createPartitionsApi,
  async handle(request, context) {
    const native = context.native
    const twice = namedTwice(request.topics.map((topic) => topic.name))
    const answers = request.topics.map(async (topic): Promise<TopicAnswer> => {
      const { name } = topic
      const invalid = invalidCount(topic)
      if (invalid !== undefined) return { name, ...invalid }
      try {
        if (twice.has(name)) throw namedTwiceError(name, 'CreatePartitions')
        checkAssignments(topic)
        const grown = growOne(name, topic.count, request.validateOnly, native)
        return {
          name,
          ...(await boundedBy(grown, request.timeoutMs, `growing topic ${name}`, native.environment)),
        }
      } catch (error) {
        if (!isWeirError(error)) throw error
        return { name, ...kafkaErrorFieldsOf(error) }
      }
    })
    return { throttleTimeMs: 0, results: await Promise.all(answers) }
  },
  errorResponse(request, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      results: request.topics.map((topic) => ({ name: topic.name, errorCode, errorMessage: null })),
    }
  },
})

/** Kafka's own code for a count no topic can have: no Weir error means exactly this. */
export function invalidCount(topic: Kafka.CreatePartitionsTopic): KafkaErrorFields | undefined {
  if (topic.count >= 1) return undefined
  return {
    errorCode: Kafka.KafkaErrorCodes.INVALID_PARTITIONS.code,
    errorMessage: `topic ${topic.name}: the new partition count must be at least 1 (and above the current count), got ${topic.count}`,
  }
}

/** Errors: INVALID_REPLICA_ASSIGNMENT when the request places the new replicas itself. */
export function checkAssignments(topic: Kafka.CreatePartitionsTopic): void {
  // Kafka's admin clients send null (KafkaJS: null for an empty list) when the broker places replicas.
  if (topic.assignments === null || topic.assignments.length === 0) return
  throw new WeirError(
    'INVALID_REPLICA_ASSIGNMENT',
    `topic ${topic.name}: Weir places replicas itself; send the new partition count without assignments, then move replicas with \`weir topics reassign\``,
  )
}

/** Kafka's code for a native INVALID_CONFIG on this path: a count that does not grow the topic. */
export function kafkaPartitionsErrorFields(fields: KafkaErrorFields): KafkaErrorFields {
  if (fields.errorCode !== Kafka.kafkaErrorCodeOf('INVALID_CONFIG')) return fields
  return { ...fields, errorCode: Kafka.KafkaErrorCodes.INVALID_PARTITIONS.code }
}

async function growOne(
  name: string,
  count: number,
  validateOnly: boolean,
  native: HandlerContext,
): Promise<KafkaErrorFields> {
  // The native decoder's checks (name length, count bounds) as on the client listener.
  const request = CreatePartitions.decodeRequest({ topics: [{ name, count }], validateOnly })
  const answer = await createPartitionsHandler.handle(request, native)
  const result = answer?.topics[0]
  if (result === undefined) throw new Error('the native CreatePartitions handler answered no topic')
  return kafkaPartitionsErrorFields(kafkaErrorFields(result))
}
