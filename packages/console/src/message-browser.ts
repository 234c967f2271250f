// Reads a few messages of one partition from an offset, or from the first record at or after a
// time (ListOffsets by timestamp), with keys, values and headers as bytes shown in a chosen format.
// Each browse uses a client of its own, closed at the end, so nothing it fetched outlives it.
import { type Client, codecs, defineTopic, WeirError } from '@weir/client'
import type { BrowseQuery } from './console-requests.js'
import { type FormattedBytes, formatBytes } from './value-format.js'

/** A browse that has not read its messages by then returns what it has (`complete: false`). */
export const browseTimeoutMs = 10_000

export interface BrowsedMessage {
  readonly offset: number
  readonly timestamp: number
  readonly key: FormattedBytes
  readonly value: FormattedBytes
  readonly headers: readonly { readonly name: string; readonly value: FormattedBytes }[]
}

export interface BrowseResult {
  readonly topic: string
  readonly partition: number
  /** Where reading started (after resolving a timestamp and moving up to the log start). */
  readonly startOffset: number
  readonly logStartOffset: number
  readonly highWatermark: number
  readonly messages: readonly BrowsedMessage[]
  /** False when the time limit ended the read early. */
  readonly complete: boolean
}

export async function browseMessages(
  admin: ReturnType<Client['admin']>,
  newClient: () => Client,
  topic: string,
  query: BrowseQuery,
): Promise<BrowseResult> {
  const description = await admin.describeTopic(topic)
  const partition = description.partitions.find((entry) => entry.partition === query.partition)
  if (partition === undefined)
    throw new WeirError(
      'UNKNOWN_PARTITION',
      `topic ${topic} has partitions 0 to ${description.partitions.length - 1}, not ${query.partition}`,
    )
  const wanted =
    'offset' in query.from
      ? query.from.offset
      : ((await admin.fetchTopicOffsetsByTimestamp(topic, query.from.timestamp)).find(
          (entry) => entry.partition === query.partition,
        )?.offset ?? partition.highWatermark)
  const startOffset = Math.max(wanted, partition.logStartOffset)
  const endOffset = Math.min(partition.highWatermark, startOffset + query.limit)
  const result = {
    topic,
    partition: query.partition,
    startOffset,
    logStartOffset: partition.logStartOffset,
    highWatermark: partition.highWatermark,
  }
  if (startOffset >= endOffset) return { ...result, messages: [], complete: true }
  const { messages, complete } = await read(newClient(), topic, query, startOffset, endOffset)
  return { ...result, messages, complete }
}

async function read(
  client: Client,
  topic: string,
  query: BrowseQuery,
  startOffset: number,
  endOffset: number,
): Promise<{ messages: BrowsedMessage[]; complete: boolean }> {
  const consumer = client.consumer({
    topics: [defineTopic({ name: topic, codec: codecs.raw })],
    maxPrefetchBytes: 4 << 20,
  })
  consumer.seek({ topic, partition: query.partition, offset: startOffset })
  const messages: BrowsedMessage[] = []
  let complete = false
  const timer = setTimeout(() => void consumer.close(), browseTimeoutMs)
  try {
    for await (const message of consumer) {
      // The other partitions start at their log end: only records produced meanwhile come from them.
      if (message.partition !== query.partition) continue
      if (message.offset >= endOffset) {
        complete = true
        break
      }
      messages.push({
        offset: message.offset,
        timestamp: message.timestamp,
        key: formatBytes(message.keyBytes, query.format === 'hex' ? 'hex' : 'text'),
        value: formatBytes(message.value as Buffer | null, query.format),
        headers: message.rawHeaders.map((header) => ({
          name: header.key,
          value: formatBytes(header.value, query.format === 'hex' ? 'hex' : 'text'),
        })),
      })
      if (message.offset >= endOffset - 1) {
        complete = true
        break
      }
    }
  } finally {
    clearTimeout(timer)
    await client.close()
  }
  return { messages, complete }
}
