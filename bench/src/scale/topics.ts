// Row 2, many topics: N topics of one partition each on a fresh broker, created in requests of
// 100 (progress shown); then Metadata for every topic and for one topic, timed as a client sees
// it (request, decode); the broker's RSS; and a restart on the same data directory, timed until the
// broker listens again (it opens every topic's log first).
import { Client } from '@weir/client'
import { type Progress, secondsSince } from '../measurement.js'
import { idleCores, residentBytes } from './process-memory.js'
import { quantile } from './samples.js'
import { scaleRequestTimeoutMs, startScaleBroker } from './scale-broker.js'

export interface TopicsSpec {
  readonly topics: number
  /** Metadata requests for every topic, timed one by one. */
  readonly everyTopicRequests: number
  /** Metadata requests for one topic (each a different one), timed one by one. */
  readonly oneTopicRequests: number
}

export interface LatencyFigures {
  readonly requests: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

export interface TopicsMeasurement {
  readonly topics: number
  readonly createSeconds: number
  readonly topicsCreatedPerSecond: number
  readonly rssIdleBytes: number
  readonly rssCreatedBytes: number
  /** Cores the broker keeps busy with the N topics and no requests (their Raft ticks). */
  readonly idleCores: number
  readonly everyTopicMetadata: LatencyFigures
  readonly oneTopicMetadata: LatencyFigures
  readonly restartSeconds: number
  /** Broker RSS right after the restarted broker listens (every topic open, nothing requested). */
  readonly rssAfterRestartBytes: number
}

/** Topics per CreateTopics request: the broker creates them one by one either way. */
const topicsPerRequest = 100

export async function measureTopics(
  spec: TopicsSpec,
  progress: Progress,
  say: (line: string) => void,
): Promise<TopicsMeasurement> {
  // Room for the internal topics beside the N of the row.
  const broker = await startScaleBroker({ maxTopics: spec.topics + 100 })
  const client = new Client({
    brokers: [broker.address],
    clientId: 'bench-scale-topics',
    requestTimeoutMs: scaleRequestTimeoutMs,
  })
  try {
    await client.admin().listTopics()
    const rssIdleBytes = await residentBytes(broker.pid)
    const names = Array.from({ length: spec.topics }, (_, index) => `scale-${String(index).padStart(6, '0')}`)
    const started = performance.now()
    for (let first = 0; first < names.length; first += topicsPerRequest) {
      const batch = names.slice(first, first + topicsPerRequest)
      await client
        .admin()
        .createTopics(batch.map((topic) => ({ topic, partitions: 1, replicationFactor: 1 })))
      progress(first + batch.length, names.length)
    }
    const createSeconds = secondsSince(started)
    const rssCreatedBytes = await residentBytes(broker.pid)
    const idle = await idleCores(broker.pid)
    say(`created ${spec.topics} topics in ${createSeconds.toFixed(1)} s; timing Metadata`)
    const everyTopicMetadata = await timeRequests(spec.everyTopicRequests, async () => {
      const listed = await client.admin().listTopics()
      if (listed.length !== spec.topics)
        throw new Error(`Metadata listed ${listed.length} of ${spec.topics} topics`)
    })
    const oneTopicMetadata = await timeRequests(spec.oneTopicRequests, async (request) => {
      await client.admin().describeTopic(names[(request * 7919) % names.length]!)
    })
    say('restarting the broker on the same data directory')
    const restartSeconds = await broker.restart()
    const rssAfterRestartBytes = await residentBytes(broker.pid)
    const listed = await client.admin().listTopics()
    if (listed.length !== spec.topics)
      throw new Error(`after the restart Metadata listed ${listed.length} of ${spec.topics} topics`)
    return {
      topics: spec.topics,
      createSeconds,
      topicsCreatedPerSecond: spec.topics / createSeconds,
      rssIdleBytes,
      rssCreatedBytes,
      idleCores: idle,
      everyTopicMetadata,
      oneTopicMetadata,
      restartSeconds,
      rssAfterRestartBytes,
    }
  } finally {
    await client.close()
    await broker.stop()
  }
}

/** Times `requests` calls of `request`, one after another (none uncounted: the first is a user's first too). */
async function timeRequests(
  requests: number,
  request: (index: number) => Promise<void>,
): Promise<LatencyFigures> {
  const latencies: number[] = []
  for (let index = 0; index < requests; index++) {
    const started = performance.now()
    await request(index)
    latencies.push(performance.now() - started)
  }
  return {
    requests,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: Math.max(...latencies),
  }
}
