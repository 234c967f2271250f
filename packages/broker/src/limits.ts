// Every bound the broker puts on a client, named with its unit last and checked at start-up, so a
// typo in weir.json fails loudly instead of turning into an unbounded queue.
import { frameBytesMaxDefault, WeirError } from '@weir/protocol'
import { type IntegerRange, resolveIntegerOptions } from './integer-options.js'

export interface BrokerLimits {
  /** Largest frame (the u32 length field) a client may send; larger closes the connection. */
  readonly maxFrameBytes: number
  /** Connections open at once; one more is logged and closed at accept. */
  readonly maxConnections: number
  /** A connection with nothing in flight and no bytes for this long is closed. */
  readonly idleTimeoutMs: number
  /** A request still unanswered after this long gets REQUEST_TIMED_OUT (Fetch: plus its long-poll wait). */
  readonly requestTimeoutMs: number
  /** Requests one connection may have in flight; reading pauses at this many. */
  readonly maxInFlightRequests: number
  /** Unsent response bytes on one connection above which reading pauses until 'drain'. */
  readonly writeBufferBytesHigh: number
  /** Longest a Fetch may long-poll, whatever its maxWaitMs says. */
  readonly maxFetchWaitMs: number
  /** How often retention (by time and bytes) runs over every partition. */
  readonly retentionCheckIntervalMs: number
  /** How often the log cleaner looks at every partition of a compacted topic. */
  readonly cleanerIntervalMs: number
  /** The log cleaner's read and write pace on one broker, in bytes per second (one clean at a time). */
  readonly cleanerBytesPerSec: number
  /** Keys one clean of a partition tracks (about 80 bytes each plus the key); more spreads over more cleans. */
  readonly cleanerKeysMax: number
  /** With SASL on: a connection not authenticated this long after it opened is closed. */
  readonly authenticationTimeoutMs: number
  /**
   * Bytes of requests read and not yet answered, over every connection (partial frames included);
   * above it the broker stops reading sockets until answers bring it back below.
   */
  readonly queuedMaxRequestBytes: number
  /** Largest Fetch response: a request's maxBytes above this is lowered to it. */
  readonly fetchMaxBytes: number
  /** Unsent response bytes on one connection past which it is closed at once (a client that does not read). */
  readonly maxWriteBufferBytes: number
  /** A connection kept above writeBufferBytesHigh (its client not reading) this long is closed. */
  readonly writeStallTimeoutMs: number
  /** Connections open at once from one IP address; one more is logged and closed at accept. */
  readonly maxConnectionsPerIp: number
  /** A new connection that has not sent one complete frame within this is closed. */
  readonly firstFrameTimeoutMs: number
  /** A frame begun and not completed within this is closed, however slowly its bytes trickle in. */
  readonly frameTimeoutMs: number
  /** Topics in the cluster (internal ones included); CreateTopics past it: POLICY_VIOLATION. */
  readonly maxTopics: number
  /** Partition replicas one broker may host; CreateTopics/CreatePartitions past it: POLICY_VIOLATION. */
  readonly maxPartitionsPerBroker: number
  /** Malformed-request warnings: at most one line per client address per this many ms (with a count). */
  readonly malformedWarningIntervalMs: number
}

/**
 * The names limits had before they took the `max` + noun + unit style; still accepted (the new
 * name wins when both are given), in Broker.start options and weir.json alike.
 */
export interface DeprecatedBrokerLimits {
  /** @deprecated Use maxFrameBytes. */
  readonly frameBytesMax?: number
  /** @deprecated Use maxConnections. */
  readonly connectionsMax?: number
  /** @deprecated Use maxInFlightRequests. */
  readonly inFlightRequestsMax?: number
  /** @deprecated Use maxFetchWaitMs. */
  readonly fetchWaitMsMax?: number
}

/** `limits` in BrokerOptions and weir.json: any subset, old names included. */
export type BrokerLimitsInput = Partial<BrokerLimits> & DeprecatedBrokerLimits

const deprecatedAliases: Readonly<Record<keyof DeprecatedBrokerLimits, keyof BrokerLimits>> = {
  frameBytesMax: 'maxFrameBytes',
  connectionsMax: 'maxConnections',
  inFlightRequestsMax: 'maxInFlightRequests',
  fetchWaitMsMax: 'maxFetchWaitMs',
}

const mebibyte = 1024 * 1024

export const defaultLimits: BrokerLimits = {
  maxFrameBytes: frameBytesMaxDefault,
  maxConnections: 10_000,
  idleTimeoutMs: 600_000,
  requestTimeoutMs: 30_000,
  maxInFlightRequests: 1024,
  writeBufferBytesHigh: 8 * mebibyte,
  maxFetchWaitMs: 30_000,
  retentionCheckIntervalMs: 300_000,
  cleanerIntervalMs: 15_000,
  cleanerBytesPerSec: 64 * mebibyte,
  cleanerKeysMax: 1_000_000,
  authenticationTimeoutMs: 10_000,
  queuedMaxRequestBytes: 100 * mebibyte,
  fetchMaxBytes: 55 * mebibyte,
  maxWriteBufferBytes: 64 * mebibyte,
  writeStallTimeoutMs: 60_000,
  maxConnectionsPerIp: 1000,
  firstFrameTimeoutMs: 10_000,
  frameTimeoutMs: 30_000,
  maxTopics: 10_000,
  maxPartitionsPerBroker: 20_000,
  malformedWarningIntervalMs: 10_000,
}

const ranges: Record<keyof BrokerLimits, IntegerRange> = {
  maxFrameBytes: [1024, 2 ** 31 - 1],
  maxConnections: [1, 1_000_000],
  idleTimeoutMs: [100, 2 ** 31 - 1],
  requestTimeoutMs: [10, 2 ** 31 - 1],
  maxInFlightRequests: [1, 1_000_000],
  writeBufferBytesHigh: [1024, 2 ** 31 - 1],
  maxFetchWaitMs: [0, 2 ** 31 - 1],
  retentionCheckIntervalMs: [10, 2 ** 31 - 1],
  cleanerIntervalMs: [10, 2 ** 31 - 1],
  cleanerBytesPerSec: [1024, 2 ** 40],
  cleanerKeysMax: [1000, 100_000_000],
  authenticationTimeoutMs: [100, 600_000],
  queuedMaxRequestBytes: [1024, 2 ** 40],
  fetchMaxBytes: [1024, 2 ** 31 - 1],
  maxWriteBufferBytes: [1024, 2 ** 40],
  writeStallTimeoutMs: [100, 2 ** 31 - 1],
  maxConnectionsPerIp: [1, 1_000_000],
  firstFrameTimeoutMs: [100, 2 ** 31 - 1],
  frameTimeoutMs: [100, 2 ** 31 - 1],
  maxTopics: [1, 1_000_000],
  maxPartitionsPerBroker: [1, 10_000_000],
  malformedWarningIntervalMs: [0, 2 ** 31 - 1],
}

export const limitNames = Object.keys(ranges) as (keyof BrokerLimits)[]

/** Fills defaults and checks each limit (old names too); INVALID_CONFIG names the key and its range. */
export function resolveLimits(given: unknown, path = 'limits'): BrokerLimits {
  const limits = resolveIntegerOptions(given, {
    path,
    noun: 'a limit',
    defaults: defaultLimits,
    ranges,
    deprecatedAliases,
  })
  checkOrder(limits, path)
  return limits
}

/**
 * Pairs that only work one way round: one largest frame must fit in the request budget (or its
 * connection would pause itself forever mid-frame), and the hard write cap sits above the mark.
 */
function checkOrder(limits: BrokerLimits, path: string): void {
  const pairs: [keyof BrokerLimits, keyof BrokerLimits][] = [
    ['queuedMaxRequestBytes', 'maxFrameBytes'],
    ['maxWriteBufferBytes', 'writeBufferBytesHigh'],
  ]
  for (const [larger, smaller] of pairs) {
    if (limits[larger] < limits[smaller]) {
      throw new WeirError(
        'INVALID_CONFIG',
        `${path}.${larger} (${limits[larger]}) must be at least ${path}.${smaller} (${limits[smaller]}); raise ${larger} or lower ${smaller}`,
      )
    }
  }
}
