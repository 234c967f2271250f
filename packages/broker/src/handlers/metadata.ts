// Metadata: every broker answers from its copy of the controller's image (see cluster-metadata.ts).
// Internal topics (__consumer_offsets) are left out of "every topic" and described when named.
import { Metadata } from '@weir/protocol'
import { clusterMetadata } from './cluster-metadata.js'
import { defineHandler } from './handler.js'

export const metadataHandler = defineHandler({
  api: Metadata,
  async handle(request, context) {
    return clusterMetadata(request.topics, context.cluster, context)
  },
})
