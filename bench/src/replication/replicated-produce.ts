// Produce into a topic of a Weir cluster: topic creation that waits for every partition's leader,
// and the producer's acknowledgement latency at a fixed offered rate. Throughput reuses
// e2e/produce.ts (sendBatch of 1,000 messages, 20,000 in flight, lingerMs 2) unchanged.
import { type Client, codecs, defineTopic, isWeirError, WeirError } from '@weir/client'
import type { TopicConfig } from '@weir/protocol'
import { buildLatencyHistogram, type LatencyMeasurement, sendOnSchedule, summarize } from '../e2e/latency.js'
import { benchKey } from '../e2e/produce.js'
import type { Progress } from '../measurement.js'

/** A new cluster elects its controller in 1-2 s, a new topic's partitions their leaders soon after. */
export const topicReadyTimeoutMs = 20_000
const pollIntervalMs = 50

export interface AckLatencySpec {
  readonly ratePerSecond: number
  readonly seconds: number
  readonly valueBytes: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `attempt` until it returns a value; retriable Weir errors are retried until the deadline. */
export async function pollUntil<T>(
  attempt: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await attempt()
      if (value !== undefined) return value
    } catch (error) {
      if (!(error instanceof WeirError && error.retriable)) throw error
      last = error
    }
    if (performance.now() >= deadline) {
      const reason = last instanceof Error ? `; last error: ${last.message}` : ''
      throw new Error(`${what}: not within ${timeoutMs} ms${reason}`)
    }
    await sleep(pollIntervalMs)
  }
}

/** Leader broker id of every partition, in partition order, once every partition has one. */
export async function waitForLeaders(client: Client, topic: string, timeoutMs: number): Promise<number[]> {
  return pollUntil(
    async () => {
      const { partitions } = await client.admin().describeTopic(topic)
      const leaders = partitions.map((partition) => partition.leader)
      return leaders.every((leader) => leader >= 0) ? leaders : undefined
    },
    timeoutMs,
    `every partition of ${topic} has a leader`,
  )
}

/**
 * Creates the topic (retrying while the cluster has no controller yet) and waits until every
 * partition has a leader, so that no measurement includes an election. Returns the leaders.
 */
export async function createReplicatedTopic(
  client: Client,
  name: string,
  partitions: number,
  replicationFactor: number,
  config: TopicConfig = {},
): Promise<number[]> {
  await pollUntil(
    async () => {
      try {
        await client.admin().createTopic({ topic: name, partitions, replicationFactor, config })
      } catch (error) {
        // A retried creation whose first attempt went through.
        if (!isWeirError(error, 'TOPIC_ALREADY_EXISTS')) throw error
      }
      return true
    },
    topicReadyTimeoutMs,
    `create ${name}`,
  )
  return waitForLeaders(client, name, topicReadyTimeoutMs)
}

/**
 * Message i is sent (`producer.send`, lingerMs 0, acks all) at start + i/rate, keyed over the
 * partitions; the time from the send call to its acknowledgement goes into an HDR histogram.
 */
export async function measureAckLatency(
  client: Client,
  topicName: string,
  spec: AckLatencySpec,
  progress?: Progress,
): Promise<LatencyMeasurement> {
  const topic = defineTopic<Buffer>({ name: topicName, codec: codecs.raw })
  const producer = client.producer({ acks: 'all', lingerMs: 0 })
  const histogram = buildLatencyHistogram()
  const value = Buffer.alloc(spec.valueBytes, 0x61)
  const total = Math.round(spec.ratePerSecond * spec.seconds)
  let settled = 0
  let failure: unknown
  let allSettled: () => void = () => {}
  const done = new Promise<void>((resolve) => {
    allSettled = resolve
  })
  if (total === 0) allSettled()
  const settle = () => {
    if (++settled === total) allSettled()
  }
  try {
    const sendSeconds = await sendOnSchedule(
      total,
      spec.ratePerSecond,
      (index) => {
        const sentAt = performance.now()
        producer.send({ topic, key: benchKey(index), value }).then(
          () => {
            histogram.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)))
            settle()
          },
          (error: unknown) => {
            failure ??= error
            settle()
          },
        )
      },
      progress,
    )
    await done
    if (failure !== undefined) throw failure
    return summarize(histogram, total, total / sendSeconds)
  } finally {
    await producer.close()
    histogram.destroy()
  }
}
