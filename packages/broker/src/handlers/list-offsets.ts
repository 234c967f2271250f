// ListOffsets: -2 the log start, -1 the high watermark (the durable end, the next offset a consumer
// will see), otherwise the first batch holding a record at or after the timestamp, with that
// batch's max timestamp; when no visible record is that new, the high watermark with timestamp -1.
import {
  BatchField,
  ListOffsets,
  type ListOffsetsPartition,
  type ListOffsetsPartitionResult,
  OffsetSpec,
  readInt64,
} from '@weir/protocol'
import type { PartitionLog } from '@weir/storage'
import { authorize } from './authorize.js'
import { defineHandler, errorFields, type HandlerContext } from './handler.js'
import { readablePartition } from './readable-partition.js'

export const listOffsetsHandler = defineHandler({
  api: ListOffsets,
  async handle(request, context) {
    const topics = await Promise.all(
      request.topics.map(async (topic) => ({
        name: topic.name,
        partitions: await Promise.all(
          topic.partitions.map((wanted) => listOffset(topic.name, wanted, context)),
        ),
      })),
    )
    return { topics }
  },
})

async function listOffset(
  topicName: string,
  wanted: ListOffsetsPartition,
  context: HandlerContext,
): Promise<ListOffsetsPartitionResult> {
  const { partition, timestamp } = wanted
  try {
    authorize(context, 'Describe', 'Topic', topicName)
    const { log, highWatermark } = readablePartition(context, topicName, partition)
    if (timestamp === OffsetSpec.earliest) {
      return { partition, errorCode: 0, offset: log.logStartOffset, timestamp: -1 }
    }
    if (timestamp === OffsetSpec.latest)
      return { partition, errorCode: 0, offset: highWatermark, timestamp: -1 }
    const found = await offsetForTimestamp(log, timestamp, highWatermark)
    return { partition, errorCode: 0, ...found }
  } catch (error) {
    // A lookup by timestamp reads the log: damage there is repaired like a Fetch's (fetch.ts).
    const answer = context.cluster.readFailed(topicName, partition, error)
    return { partition, ...errorFields(answer, context.logger, 'ListOffsets'), offset: -1, timestamp: -1 }
  }
}

async function offsetForTimestamp(
  log: PartitionLog,
  timestamp: number,
  highWatermark: number,
): Promise<{ offset: number; timestamp: number }> {
  const offset = await log.offsetForTimestamp(timestamp)
  if (offset === undefined || offset >= highWatermark) return { offset: highWatermark, timestamp: -1 }
  const { bytes } = await log.read(offset, 1)
  if (bytes.length < BatchField.records) return { offset, timestamp: -1 }
  return { offset, timestamp: readInt64(bytes, BatchField.maxTimestamp) }
}
