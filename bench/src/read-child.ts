// The reading side of the read benchmark, run in its own process by storage-read.ts:
// `read-child.ts <log directory> <maxBytes>`. Reports progress and the result over IPC.
import { PartitionLog } from '@weir/storage'
import { megabyteBytes, type Progress, secondsSince } from './measurement.js'
import type { ReadChildMessage, ReadMeasurement } from './storage-read.js'

function send(message: ReadChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send)
      throw new Error('read-child.ts must be started with an IPC channel (child_process.fork)')
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()))
  })
}

const [directory, maxBytesText] = process.argv.slice(2)
if (directory === undefined || maxBytesText === undefined) {
  throw new Error('usage: read-child.ts <log directory> <maxBytes>')
}
const opening = performance.now()
const log = await PartitionLog.open(directory, { config: { fsync: 'never' } })
const openSeconds = secondsSince(opening)
try {
  // At most about 100 progress messages, sent without waiting: the timed loop must not stall on IPC.
  let sentDone = 0
  const result = await readAll(log, Number(maxBytesText), (done, total) => {
    if (done - sentDone < total / 100 && done < total) return
    sentDone = done
    process.send?.({ kind: 'progress', done, total } satisfies ReadChildMessage)
  })
  await send({ kind: 'result', measurement: { ...result, openSeconds } })
} finally {
  await log.close()
  process.disconnect?.()
}

/** Reads from the log start to the log end, `maxBytes` at a time, sampling RSS after every read. */
async function readAll(
  log: PartitionLog,
  maxBytes: number,
  progress?: Progress,
): Promise<Omit<ReadMeasurement, 'openSeconds'>> {
  const startOffset = log.logStartOffset
  const endOffset = log.logEndOffset
  const rssBeforeBytes = process.memoryUsage.rss()
  let rssPeakBytes = rssBeforeBytes
  let offset = startOffset
  let bytes = 0
  let reads = 0
  const started = performance.now()
  while (offset < endOffset) {
    const result = await log.read(offset, maxBytes)
    if (result.nextOffset <= offset) throw new Error(`the read at offset ${offset} made no progress`)
    offset = result.nextOffset
    bytes += result.bytes.length
    reads++
    rssPeakBytes = Math.max(rssPeakBytes, process.memoryUsage.rss())
    progress?.(offset - startOffset, endOffset - startOffset)
  }
  const seconds = secondsSince(started)
  const records = endOffset - startOffset
  return {
    logBytes: log.sizeBytes,
    bytes,
    records,
    reads,
    seconds,
    recordsPerSecond: records / seconds,
    megabytesPerSecond: bytes / megabyteBytes / seconds,
    rssBeforeBytes,
    rssPeakGrowthBytes: rssPeakBytes - rssBeforeBytes,
  }
}
