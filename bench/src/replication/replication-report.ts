// Tables and target checks for the replication benchmarks. Targets are reported, never asserted.

import type { WeirFsync } from '../compare/weir.js'
import { formatCount, formatRate, formatRatio, formatSeconds } from '../format.js'
import { latencyTable, type Table, targetTable } from '../report.js'
import type { TargetCheck } from '../targets.js'
import { cpuCeiling } from './cpu-ceiling.js'
import { coresBusy, fsyncLabel, type ReplicationResults } from './replication-suite.js'

/** RF 3 produce throughput as a share of RF 1, at least (issue 14). */
export const replicatedThroughputShareMin = 0.8
/** Failover time (kill to first acknowledged produce) at p99, at most. */
export const failoverP99MsMax = 3_000

const milliseconds = (value: number | null | undefined) => (value == null ? '-' : value.toFixed(0))

/** `cores`: the machine's, for the CPU ceiling of RF 3 (no such table without it). */
export function replicationTables(
  results: ReplicationResults,
  targets: readonly TargetCheck[],
  cores?: number,
): Table[] {
  const tables: Table[] = []
  if (results.throughput.length > 0) {
    const rf1 = (fsync: WeirFsync) =>
      results.throughput.find((entry) => entry.replicationFactor === 1 && entry.fsync === fsync)?.measurement
    const optional = (value: number | null, format: (value: number) => string) =>
      value === null ? '-' : format(value)
    tables.push({
      title:
        'Produce throughput on a 3-broker cluster: one @weir/client producer (sendBatch of 1,000, ' +
        '20,000 in flight, lingerMs 2, acks all), keyed over the partitions; median run. CPU: ' +
        'seconds of the three brokers together and of the client, cores busy = both / wall time',
      header: [
        'case',
        'messages',
        's',
        'msg/s',
        'MB/s',
        'of RF 1',
        'broker CPU s',
        'client CPU s',
        'cores busy',
        'leaders',
        'every run msg/s',
      ],
      rows: results.throughput.map(({ label, fsync, measurement, runs, leaders }) => {
        const base = rf1(fsync)
        return [
          label,
          formatCount(measurement.messages),
          formatSeconds(measurement.seconds),
          formatCount(measurement.messagesPerSecond),
          formatRate(measurement.megabytesPerSecond),
          base ? formatRatio(measurement.messagesPerSecond / base.messagesPerSecond) : '-',
          optional(measurement.brokerCpuSeconds, formatSeconds),
          formatSeconds(measurement.clientCpuSeconds),
          optional(coresBusy(measurement), formatRatio),
          leaders.join(' '),
          runs.map((run) => formatCount(run.messagesPerSecond)).join(', '),
        ]
      }),
    })
  }
  const ceilings = cores === undefined ? undefined : cpuCeilingTable(results, cores)
  if (ceilings !== undefined) tables.push(ceilings)
  if (results.latency.length > 0) {
    tables.push(
      latencyTable(
        'Produce acknowledgement latency at a fixed rate: send() call to acknowledgement (HDR histogram)',
        results.latency,
      ),
    )
  }
  const failover = results.failover
  if (failover?.measurement) {
    const { measurement, spec } = failover
    tables.push({
      title:
        'Failover: SIGKILL of the leader of a 1-partition RF 3 topic until the first acknowledged produce ' +
        `(acks all; probe send every ${spec.probeIntervalMs} ms, retry backoff ${spec.probeIntervalMs}-` +
        `${2 * spec.probeIntervalMs} ms), then the broker restarted`,
      header: ['kill', 'killed broker', 'new leader', 'failover ms', 'default client ms', 'restart ms'],
      rows: [
        ...measurement.kills.map((kill) => [
          String(kill.kill),
          String(kill.killedBrokerId),
          String(kill.newLeaderId),
          milliseconds(kill.failoverMs),
          milliseconds(kill.defaultClientMs),
          milliseconds(kill.restartMs),
        ]),
        ['p50', '', '', milliseconds(measurement.p50Ms), milliseconds(measurement.defaultClientP50Ms), ''],
        ['p99', '', '', milliseconds(measurement.p99Ms), '', ''],
        ['max', '', '', milliseconds(measurement.maxMs), milliseconds(measurement.defaultClientMaxMs), ''],
      ],
    })
  } else if (failover?.error !== undefined) {
    tables.push({
      title: 'Failover: the measurement stopped (broker log tails in the JSON file)',
      header: ['error'],
      rows: [[failover.error.split('\n')[0]!]],
    })
  }
  tables.push(targetTable(targets, 'Replication targets'))
  return tables
}

/** Per fsync policy: CPU per MB of RF 1 and RF 3, and how fast RF 3 could go on `cores` if CPU were all. */
function cpuCeilingTable(results: ReplicationResults, cores: number): Table | undefined {
  const rows: string[][] = []
  for (const fsync of [...new Set(results.throughput.map((entry) => entry.fsync))]) {
    const find = (factor: number) =>
      results.throughput.find((entry) => entry.replicationFactor === factor && entry.fsync === fsync)
        ?.measurement
    const rf1 = find(1)
    const rf3 = find(3)
    const ceiling = rf1 && rf3 ? cpuCeiling(rf1, rf3, cores) : undefined
    if (ceiling === undefined) continue
    const { brokerCpuMsPerMegabyte: broker, clientCpuMsPerMegabyte: client } = ceiling
    rows.push([
      fsyncLabel(fsync),
      broker.rf1.toFixed(1),
      broker.rf3.toFixed(1),
      formatRatio(broker.rf3 / broker.rf1),
      `${client.rf1.toFixed(1)} / ${client.rf3.toFixed(1)}`,
      formatCount(ceiling.rf3CeilingMessagesPerSecond),
      formatRatio(ceiling.ceilingRatio),
      formatRatio(ceiling.measuredRatio),
    ])
  }
  if (rows.length === 0) return undefined
  return {
    title:
      `Where RF 3 loses against RF 1: CPU per MB produced (the three brokers together; the client) and ` +
      `RF 3's ceiling if the ${cores} cores, shared by brokers and client, were its only limit ` +
      '(cores / CPU seconds per message). Ceiling below 1: that much of the gap is CPU; the rest, ' +
      'down to the measured ratio, is waiting (round trips, fsyncs, scheduling)',
    header: [
      'fsync',
      'broker CPU ms/MB RF 1',
      'RF 3',
      'RF 3 / RF 1',
      'client CPU ms/MB RF 1 / RF 3',
      'RF 3 CPU ceiling msg/s',
      'ceiling / RF 1',
      'measured RF 3 / RF 1',
    ],
    rows,
  }
}

export function checkReplicationTargets(results: ReplicationResults): TargetCheck[] {
  const checks: TargetCheck[] = []
  // The order of the suite's fsync policies: the first ('always', the default) is the target's.
  const policies = [...new Set(results.throughput.map((entry) => entry.fsync))]
  for (const fsync of policies) {
    const find = (factor: number) =>
      results.throughput.find((entry) => entry.replicationFactor === factor && entry.fsync === fsync)
        ?.measurement
    const rf1 = find(1)
    const rf3 = find(3)
    if (!rf1 || !rf3) continue
    const ratio = rf3.messagesPerSecond / rf1.messagesPerSecond
    checks.push({
      target:
        `RF 3 produce throughput ≥ ${replicatedThroughputShareMin * 100}% of RF 1 ` +
        `(8 partitions, acks all, ${fsyncLabel(fsync)})`,
      measured: `RF 3 ${formatCount(rf3.messagesPerSecond)} vs RF 1 ${formatCount(rf1.messagesPerSecond)} msg/s`,
      ratio,
      required: `≥ ${formatRatio(replicatedThroughputShareMin)}`,
      meets: ratio >= replicatedThroughputShareMin,
    })
  }
  const failover = results.failover
  if (failover) {
    const target = `failover p99 < ${formatCount(failoverP99MsMax)} ms (SIGKILL of the leader to first acknowledged produce)`
    if (failover.measurement) {
      const { p99Ms, kills } = failover.measurement
      const ratio = p99Ms / failoverP99MsMax
      checks.push({
        target,
        measured: `p99 ${milliseconds(p99Ms)} ms over ${kills.length} kills`,
        ratio,
        required: '< 1.00',
        meets: ratio < 1,
      })
    } else {
      checks.push({
        target,
        measured: 'no figure: the measurement stopped (see the failover error)',
        ratio: Number.POSITIVE_INFINITY,
        required: '< 1.00',
        meets: false,
      })
    }
  }
  return checks
}
