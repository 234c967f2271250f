// The kafka part's tables: per case (value size, durability), Weir's client against KafkaJS over
// the Kafka listener, produce and consume rates side by side with their ratio; a skipped row says
// why.
import { formatCount, formatRate, formatRatio, formatSeconds } from '../format.js'
import type { Table } from '../report.js'
import type { KafkaBenchResults, KafkaCaseResult, RowResult } from './kafka-suite.js'

function rate(row: RowResult): string {
  return row.median === undefined ? 'skipped' : formatCount(row.median.messagesPerSecond)
}

function megabytes(row: RowResult): string {
  return row.median === undefined ? '-' : formatRate(row.median.megabytesPerSecond)
}

function ratio(kafkajs: RowResult, weir: RowResult): string {
  if (kafkajs.median === undefined || weir.median === undefined) return '-'
  return formatRatio(kafkajs.median.messagesPerSecond / weir.median.messagesPerSecond)
}

function caseLabel(entry: KafkaCaseResult): string {
  const durability = entry.fsync === 'always' ? 'fsync always' : `fsync every ${entry.fsync} ms`
  return `${formatCount(entry.messages)} × ${entry.valueBytes} B, ${durability}`
}

function startup(row: RowResult): string {
  const seconds = row.median?.startupSeconds
  return seconds === undefined ? '-' : formatSeconds(seconds)
}

export function kafkaTables(results: KafkaBenchResults): Table[] {
  const tables: Table[] = [
    {
      title: `Produce, 1 partition, acks all (Weir) / -1 (KafkaJS ${results.kafkajsVersion}); msg/s of the median run`,
      header: ['case', 'Weir client msg/s', 'MB/s', 'KafkaJS msg/s', 'MB/s', 'KafkaJS / Weir'],
      rows: results.cases.map((entry) => [
        caseLabel(entry),
        rate(entry.rows.weir.produce),
        megabytes(entry.rows.weir.produce),
        rate(entry.rows.kafkajs.produce),
        megabytes(entry.rows.kafkajs.produce),
        ratio(entry.rows.kafkajs.produce, entry.rows.weir.produce),
      ]),
    },
    {
      title:
        'Consume from the beginning, first message to last (Weir: group-less consumer; KafkaJS: a group of one, eachBatch); s to the first message beside',
      header: [
        'case',
        'Weir client msg/s',
        'MB/s',
        'first msg s',
        'KafkaJS msg/s',
        'MB/s',
        'first msg s',
        'KafkaJS / Weir',
      ],
      rows: results.cases.map((entry) => [
        caseLabel(entry),
        rate(entry.rows.weir.consume),
        megabytes(entry.rows.weir.consume),
        startup(entry.rows.weir.consume),
        rate(entry.rows.kafkajs.consume),
        megabytes(entry.rows.kafkajs.consume),
        startup(entry.rows.kafkajs.consume),
        ratio(entry.rows.kafkajs.consume, entry.rows.weir.consume),
      ]),
    },
  ]
  const reasons = new Set(
    results.cases.flatMap((entry) =>
      [entry.rows.kafkajs.produce.skipped, entry.rows.kafkajs.consume.skipped].filter(
        (reason): reason is string => reason !== undefined,
      ),
    ),
  )
  if (reasons.size > 0)
    tables.push({ title: 'Skipped rows', header: ['reason'], rows: [...reasons].map((reason) => [reason]) })
  return tables
}
