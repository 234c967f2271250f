// The in-memory stand-in for Cluster that the producer and consumer unit tests share: one topic
// whose partitions all lead on broker 0, served by the test's own fake connection.
import { type Environment, type MetadataTopic, nodeEnvironment, ReceiveBufferPool } from '@weir/protocol'
import type { Cluster } from '../../src/cluster.js'
import { Instrumentation } from '../../src/instrumentation.js'

/** Metadata of topic `name` with `partitionCount` partitions, every one led by broker 0. */
export function singleBrokerTopic(name: string, partitionCount: number): MetadataTopic {
  return {
    name,
    errorCode: 0,
    config: {},
    partitions: Array.from({ length: partitionCount }, (_, partition) => ({
      partition,
      errorCode: 0,
      leader: 0,
      replicas: [0],
      logStartOffset: 0,
      highWatermark: 0,
    })),
  }
}

export interface FakeClusterParts {
  readonly metadata: MetadataTopic
  /** What `connectionFor` resolves to for every broker. */
  readonly connection: object
  /** `cluster.request` and `requestHedged`: the producer's InitProducerId. Absent where the code under test sends none. */
  readonly request?: () => Promise<unknown>
  /** Clock, timers and randomness of the code under test. Default Node's. */
  readonly environment?: Environment
  /** Where the code under test logs and reports events. Default: silent, no listeners. */
  readonly instrumentation?: Instrumentation
}

/** A Cluster that knows one topic (`metadata`) and reaches every broker through `connection`. */
export function clusterWith({
  metadata,
  connection,
  request,
  environment,
  instrumentation,
}: FakeClusterParts): Cluster {
  const cached = (name: string) => (name === metadata.name ? metadata : undefined)
  return {
    options: { frameBytesMax: 16 << 20 },
    receivePool: new ReceiveBufferPool({ frameBytesMin: 256 * 1024, idleBytesMax: 32 << 20 }),
    environment: environment ?? nodeEnvironment,
    instrumentation: instrumentation ?? new Instrumentation(),
    cachedTopic: cached,
    cachedTopicRefreshingStale: cached,
    topic: async () => metadata,
    connectionFor: async () => connection,
    requestTo: (_brokerId: number, api: unknown, body: unknown, options: unknown) =>
      (connection as { request(api: unknown, body: unknown, options: unknown): Promise<unknown> }).request(
        api,
        body,
        options,
      ),
    isUnreachable: () => false,
    describeBroker: (brokerId: number) => `broker ${brokerId}`,
    ...(request ? { request, requestHedged: request } : {}),
    invalidate: () => {},
  } as unknown as Cluster
}
