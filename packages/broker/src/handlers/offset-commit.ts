// OffsetCommit: partitions of topics that do not exist (UNKNOWN_TOPIC) or beyond the partition
// count (UNKNOWN_PARTITION) are refused here; the rest go to the coordinator, which fences the
// member and stores the offsets. The answer is sent once they are durable in __consumer_offsets.
// Needs Group:Read (checked with the group) and Read on each topic (TOPIC_AUTHORIZATION_FAILED on
// that topic's partitions otherwise).
import { type ErrorFields, OffsetCommit, type OffsetCommitRequest, WeirError } from '@weir/protocol'
import { denied, permits } from './authorize.js'
import { submitToGroup } from './group-handler.js'
import type { HandlerContext } from './handler.js'
import { defineHandler } from './handler.js'

type Topics = OffsetCommitRequest['topics']

export const offsetCommitHandler = defineHandler({
  api: OffsetCommit,
  async handle(request, context) {
    const refusals = new Map<string, ErrorFields>()
    const accepted: Topics[number][] = []
    for (const topic of request.topics) {
      const partitions = topic.partitions.filter((partition) => {
        const refusal = partitionRefusal(topic.name, partition.partition, context)
        if (refusal !== undefined) refusals.set(`${topic.name}\0${partition.partition}`, refusal)
        return refusal === undefined
      })
      if (partitions.length > 0) accepted.push({ name: topic.name, partitions })
    }
    const forwarded = { ...request, topics: accepted }
    const answer =
      accepted.length === 0
        ? { errorCode: 0, topics: [] }
        : await submitToGroup(
            context,
            request.groupId,
            'OffsetCommit',
            (coordinator, requestId, nowMs) => coordinator.commitOffsets(requestId, forwarded, nowMs),
            (error) => ({
              ...error,
              topics: accepted.map((topic) => ({
                name: topic.name,
                partitions: topic.partitions.map(({ partition }) => ({ partition, ...error })),
              })),
            }),
          )
    const results = new Map<string, ErrorFields>()
    for (const topic of answer.topics)
      for (const { partition, ...error } of topic.partitions)
        results.set(`${topic.name}\0${partition}`, error)
    return {
      ...(answer.errorCode ? { errorCode: answer.errorCode, errorMessage: answer.errorMessage } : {}),
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map(({ partition }) => {
          const key = `${topic.name}\0${partition}`
          return { partition, ...(refusals.get(key) ?? results.get(key) ?? { errorCode: 0 }) }
        }),
      })),
    }
  },
})

function partitionRefusal(
  topic: string,
  partition: number,
  context: HandlerContext,
): ErrorFields | undefined {
  if (!permits(context, 'Read', 'Topic', topic)) {
    const error = denied(context, 'Read', 'Topic', topic)
    return { errorCode: error.errorCode, errorMessage: error.message }
  }
  try {
    context.store.topic(topic).partition(partition)
    return undefined
  } catch (error) {
    // The store's own message names its data directory: a client is told the topic, not the path.
    const weir =
      error instanceof WeirError && error.code !== 'UNKNOWN_TOPIC'
        ? error
        : new WeirError(
            'UNKNOWN_TOPIC',
            `topic ${topic} does not exist; list topics with \`weir topics list\``,
          )
    return { errorCode: weir.errorCode, errorMessage: weir.message }
  }
}
