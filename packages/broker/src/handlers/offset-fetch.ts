// OffsetFetch: committed offsets of the partitions asked, or of every committed partition when
// `topics` is nil. Not fenced: admin tools and new members read them too. Needs Group:Describe
// (checked with the group) and Describe on each topic: a named topic the principal may not
// describe gets TOPIC_AUTHORIZATION_FAILED, and such topics are left out of "every partition".
import { OffsetFetch, type OffsetFetchResponse } from '@weir/protocol'
import { denied, permits } from './authorize.js'
import { submitToGroup } from './group-handler.js'
import { defineHandler, type HandlerContext } from './handler.js'

export const offsetFetchHandler = defineHandler({
  api: OffsetFetch,
  async handle(request, context) {
    const answer = await submitToGroup(
      context,
      request.groupId,
      'OffsetFetch',
      (coordinator, requestId) => coordinator.fetchOffsets(requestId, request),
      (error) => ({
        ...error,
        topics: (request.topics ?? []).map((topic) => ({
          name: topic.name,
          partitions: topic.partitions.map((partition) => ({
            partition,
            offset: -1,
            metadata: '',
            ...error,
          })),
        })),
      }),
    )
    return describableOnly(answer, request.topics === null, context)
  },
})

function describableOnly(
  answer: OffsetFetchResponse,
  everyTopic: boolean,
  context: HandlerContext,
): OffsetFetchResponse {
  const topics = answer.topics.flatMap((topic) => {
    if (permits(context, 'Describe', 'Topic', topic.name)) return [topic]
    if (everyTopic) return []
    const error = denied(context, 'Describe', 'Topic', topic.name)
    const refused = { offset: -1, metadata: '', errorCode: error.errorCode, errorMessage: error.message }
    return [
      { name: topic.name, partitions: topic.partitions.map(({ partition }) => ({ partition, ...refused })) },
    ]
  })
  return { ...answer, topics }
}
