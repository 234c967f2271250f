// Every bound the broker puts on a client, named with its unit last and checked at start-up, so a
// typo in weir.json fails loudly instead of turning into an unbounded queue.
import { frameBytesMaxDefault } from '@weir/protocol'
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
  /** With SASL on: a connection not authenticated this long after it opened is closed. */
  readonly authenticationTimeoutMs: number
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
  authenticationTimeoutMs: 10_000,
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
  authenticationTimeoutMs: [100, 600_000],
}

export const limitNames = Object.keys(ranges) as (keyof BrokerLimits)[]

/** Fills defaults and checks each limit (old names too); INVALID_CONFIG names the key and its range. */
export function resolveLimits(given: unknown, path = 'limits'): BrokerLimits {
  return resolveIntegerOptions(given, {
    path,
    noun: 'a limit',
    defaults: defaultLimits,
    ranges,
    deprecatedAliases,
  })
}
