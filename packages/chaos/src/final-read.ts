// After healing: every partition read from its start through the client, as a consumer would, until
// each partition has reached its high watermark's last record (or the read goes quiet). What the
// brokers serve is what the checker compares the acks with.
import { Client, codecs, defineTopic } from '@weir/client'
import type { FinalRecord } from './history.js'

export interface FinalReadResult {
  readonly records: FinalRecord[]
  /** Why the read stopped short (an error, or the deadline), if it did. */
  readonly problem: string | undefined
  /** Each partition's high watermark when the read began. */
  readonly highWatermarks: Map<number, number>
}

/** The whole read may take this long, at most. */
const readTimeoutMs = 90_000
/** Once every partition reached the highest offset acked on it, this long without a record ends the read. */
const quietMs = 2_000

export async function readEverything(
  bootstrap: readonly string[],
  topicName: string,
  ackedEnds: ReadonlyMap<number, number>,
): Promise<FinalReadResult> {
  const client = new Client({ brokers: [...bootstrap], clientId: 'chaos-final-read' })
  const records: FinalRecord[] = []
  const highWatermarks = new Map<number, number>()
  let problem: string | undefined
  try {
    const description = await client.admin().describeTopic(topicName)
    for (const partition of description.partitions)
      highWatermarks.set(partition.partition, partition.highWatermark)
    const topic = defineTopic<string>({ name: topicName, codec: codecs.string })
    const consumer = client.consumer({ topics: [topic], fromBeginning: true })
    const reached = new Map<number, number>()
    const needed = () =>
      [...ackedEnds].every(([partition, offset]) => (reached.get(partition) ?? -1) >= offset)
    let lastRecordMs = Date.now()
    const startedMs = Date.now()
    const iterator = consumer[Symbol.asyncIterator]()
    // One next() at a time: a wait that ends first keeps the same pending next() for the next turn.
    let pending = iterator.next()
    void pending.catch(() => undefined)
    try {
      for (;;) {
        const waitMs = Math.min(
          readTimeoutMs - (Date.now() - startedMs),
          needed() ? quietMs - (Date.now() - lastRecordMs) : readTimeoutMs,
        )
        if (waitMs <= 0) {
          if (!needed())
            problem = `no record reached the last acked offset of every partition within ${readTimeoutMs} ms`
          break
        }
        let timer: NodeJS.Timeout | undefined
        const waited = new Promise<'waited'>(
          (resolve) => (timer = setTimeout(() => resolve('waited'), waitMs)),
        )
        const next = await Promise.race([pending, waited])
        clearTimeout(timer)
        if (next === 'waited') continue
        pending = iterator.next()
        void pending.catch(() => undefined)
        if (next.done === true) break
        const message = next.value
        records.push({ partition: message.partition, offset: message.offset, value: message.value })
        reached.set(message.partition, Math.max(reached.get(message.partition) ?? -1, message.offset))
        lastRecordMs = Date.now()
      }
    } catch (error) {
      problem = `the read failed: ${(error as Error).message}`
    } finally {
      await consumer.close().catch(() => undefined)
    }
  } catch (error) {
    problem = `could not start the read: ${(error as Error).message}`
  } finally {
    await client.close().catch(() => undefined)
  }
  return { records, problem, highWatermarks }
}
