// How big each workload of the comparison is in each suite. quick: a few minutes on a 2-core
// machine; full: in under 20 minutes. The produce/consume counts make each consume row run at
// least 0.5 s at issue 14's targets (2M msg/s of 100 B, 1M msg/s of 1 KiB): a 40 ms row measured
// start-up and the first fetches, not throughput.
import type { SuiteName } from '../suites.js'

export interface CompareSizes {
  /** Workload 1 and 2: messages of 100 B and of 1 KiB produced, then consumed back. */
  readonly smallMessages: number
  readonly largeMessages: number
  /** Produced and consumed before the clock starts on every server: JIT and connections settle. */
  readonly warmupMessages: number
  /** Workload 3: seconds at the fixed rate. */
  readonly latencySeconds: number
  readonly latencyRatePerSecond: number
  /** Workload 4: 100 B messages read by the group. */
  readonly groupMessages: number
  /** Weir's consumer groups (groups.ts): 100 B messages read by 1, 2 and 4 members over 8 partitions. */
  readonly groupBench: {
    readonly messages: number
    readonly memberCounts: readonly number[]
    /** Rebalances measured per kind (clean leave, join), in a group of 4 with a steady trickle. */
    readonly rebalances: number
    /** One message into every partition this often during the rebalance measurement. */
    readonly trickleIntervalMs: number
  }
  /** Workload 5 (Weir only): messages per case by value size; partitions swept at 100 B. */
  readonly scalingMessages: { readonly 100: number; readonly 1024: number; readonly 16384: number }
  readonly scalingPartitions: readonly number[]
  /** Workload 6: raw disk, MiB written with one fdatasync and with one per MiB; loopback TCP MiB. */
  readonly diskMebibytes: number
  readonly diskSyncEachBlockMebibytes: number
  readonly loopbackMebibytes: number
  /** Runs of each throughput workload; the median is reported. Latency runs once. */
  readonly repetitions: number
}

export const compareSizes: Record<SuiteName, CompareSizes> = {
  quick: {
    smallMessages: 1_000_000,
    largeMessages: 500_000,
    warmupMessages: 20_000,
    latencySeconds: 5,
    latencyRatePerSecond: 10_000,
    groupMessages: 100_000,
    groupBench: { messages: 200_000, memberCounts: [1, 2, 4], rebalances: 8, trickleIntervalMs: 5 },
    scalingMessages: { 100: 100_000, 1024: 20_000, 16384: 2_000 },
    scalingPartitions: [1, 8, 64, 512],
    diskMebibytes: 128,
    diskSyncEachBlockMebibytes: 32,
    loopbackMebibytes: 1024,
    repetitions: 1,
  },
  full: {
    smallMessages: 2_000_000,
    largeMessages: 600_000,
    warmupMessages: 50_000,
    latencySeconds: 10,
    latencyRatePerSecond: 10_000,
    groupMessages: 1_000_000,
    groupBench: { messages: 1_000_000, memberCounts: [1, 2, 4], rebalances: 20, trickleIntervalMs: 5 },
    scalingMessages: { 100: 1_000_000, 1024: 200_000, 16384: 20_000 },
    scalingPartitions: [1, 8, 64, 512],
    diskMebibytes: 1024,
    diskSyncEachBlockMebibytes: 256,
    loopbackMebibytes: 8192,
    repetitions: 3,
  },
}
