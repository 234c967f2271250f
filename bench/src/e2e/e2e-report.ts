// Tables and target checks for the end-to-end cases. Targets are reported, never asserted.
import { formatCount, formatRate, formatSeconds } from '../format.js'
import { latencyTable, type Table, targetTable } from '../report.js'
import type { TargetCheck } from '../targets.js'
import type { E2eResults } from './e2e-suite.js'

export const produceSmallMessagesPerSecondMin = 1_000_000
export const consumeMessagesPerSecondMin = 2_000_000
export const latencyP99MsMax = 5

export function e2eTables(results: E2eResults, targets: readonly TargetCheck[]): Table[] {
  const throughput = (title: string, cases: E2eResults['produce'] | E2eResults['consume']): Table => ({
    title,
    header: ['case', 'messages', 's', 'msg/s', 'MB/s'],
    rows: cases.map(({ label, measurement }) => [
      label,
      formatCount(measurement.messages),
      formatSeconds(measurement.seconds),
      formatCount(measurement.messagesPerSecond),
      formatRate(measurement.megabytesPerSecond),
    ]),
  })
  return [
    throughput(
      'Produce through TCP: one @weir/client producer, broker in its own process, fsync always (group commit)',
      results.produce,
    ),
    throughput('Consume through TCP: one @weir/client consumer from the beginning', results.consume),
    latencyTable('End-to-end latency, send to receipt (HDR histogram)', results.latency),
    targetTable(targets, 'End-to-end targets'),
  ]
}

export function checkE2eTargets(results: E2eResults): TargetCheck[] {
  const checks: TargetCheck[] = []
  const bestSmallProduce = Math.max(
    0,
    ...results.produce
      .filter(({ spec }) => spec.valueBytes === 100)
      .map(({ measurement }) => measurement.messagesPerSecond),
  )
  if (bestSmallProduce > 0) {
    const ratio = bestSmallProduce / produceSmallMessagesPerSecondMin
    checks.push({
      target: `produce 100 B: ≥ ${formatCount(produceSmallMessagesPerSecondMin)} msg/s`,
      measured: `${formatCount(bestSmallProduce)} msg/s (best case)`,
      ratio,
      required: '≥ 1.00',
      meets: ratio >= 1,
    })
  }
  const bestConsume = Math.max(0, ...results.consume.map(({ measurement }) => measurement.messagesPerSecond))
  if (bestConsume > 0) {
    const ratio = bestConsume / consumeMessagesPerSecondMin
    checks.push({
      target: `consume: ≥ ${formatCount(consumeMessagesPerSecondMin)} msg/s`,
      measured: `${formatCount(bestConsume)} msg/s (best case)`,
      ratio,
      required: '≥ 1.00',
      meets: ratio >= 1,
    })
  }
  for (const { measurement } of results.latency) {
    const ratio = measurement.p99Ms / latencyP99MsMax
    checks.push({
      target: `p99 end-to-end latency at 10,000 msg/s < ${latencyP99MsMax} ms`,
      measured: `${measurement.p99Ms.toFixed(2)} ms`,
      ratio,
      required: '< 1.00',
      meets: ratio < 1,
    })
  }
  return checks
}
