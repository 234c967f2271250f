// Metadata: every broker answers from its copy of the controller's image (see cluster-metadata.ts).
// Internal topics (__consumer_offsets) are left out of "every topic" and described when named.
// Topics the principal may not describe are left out of "every topic" too, and a named one gets
// TOPIC_AUTHORIZATION_FAILED whether it exists or not (its existence is not given away).
import { Metadata, type MetadataResponse, type MetadataTopic } from '@weir/protocol'
import { denied, permits } from './authorize.js'
import { clusterMetadata } from './cluster-metadata.js'
import { defineHandler, type HandlerContext } from './handler.js'

export const metadataHandler = defineHandler({
  api: Metadata,
  async handle(request, context) {
    const response = clusterMetadata(request.topics, context.cluster, context)
    return describableOnly(response, request.topics === null, context)
  },
})

function describableOnly(
  response: MetadataResponse,
  everyTopic: boolean,
  context: HandlerContext,
): MetadataResponse {
  const topics = response.topics.flatMap((topic): MetadataTopic[] => {
    if (permits(context, 'Describe', 'Topic', topic.name)) return [topic]
    if (everyTopic) return []
    const error = denied(context, 'Describe', 'Topic', topic.name)
    return [
      {
        name: topic.name,
        errorCode: error.errorCode,
        errorMessage: error.message,
        config: {},
        partitions: [],
      },
    ]
  })
  return { ...response, topics }
}
