// OffsetFetch: committed offsets of the partitions asked, or of every committed partition when
// `topics` is nil. Not fenced: admin tools and new members read them too.
import { OffsetFetch } from '@weir/protocol'
import { submitToGroup } from './group-handler.js'
import { defineHandler } from './handler.js'

export const offsetFetchHandler = defineHandler({
  api: OffsetFetch,
  handle(request, context) {
    return submitToGroup(
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
  },
})
