// The kafka part's tables: per case (value size, durability), Weir's client against KafkaJS and
// kcat over the Kafka listener, produce and consume rates side by side with each Kafka client's
// ratio to Weir's; a skipped row says why.
import { formatCount, formatRate, formatRatio, formatSeconds } from '../format.js'
import type { Table } from '../report.js'
import {
  type ClientName,
  clientLabels,
  clientNames,
  type Direction,
  type KafkaBenchResults,
  type KafkaCaseResult,
  type RowResult,
} from './kafka-suite.js'

function rate(row: RowResult): string {
  return row.median === undefined ? 'skipped' : formatCount(row.median.messagesPerSecond)
}

function megabytes(row: RowResult): string {
  return row.median === undefined ? '-' : formatRate(row.median.megabytesPerSecond)
}

function ratio(other: RowResult, weir: RowResult): string {
  if (other.median === undefined || weir.median === undefined) return '-'
  return formatRatio(other.median.messagesPerSecond / weir.median.messagesPerSecond)
}

function startup(row: RowResult): string {
  const seconds = row.median?.startupSeconds
  return seconds === undefined ? '-' : formatSeconds(seconds)
}

function caseLabel(entry: KafkaCaseResult): string {
  const durability = entry.fsync === 'always' ? 'fsync always' : `fsync every ${entry.fsync} ms`
  return `${formatCount(entry.messages)} × ${entry.valueBytes} B, ${durability}`
}

const kafkaClients = clientNames.filter((name): name is Exclude<ClientName, 'weir'> => name !== 'weir')

function directionTable(results: KafkaBenchResults, direction: Direction, title: string): Table {
  const withStartup = direction === 'consume'
  const columns = (name: ClientName) => [
    `${clientLabels[name]} msg/s`,
    'MB/s',
    ...(withStartup ? ['first msg s'] : []),
  ]
  return {
    title,
    header: [
      'case',
      ...clientNames.flatMap(columns),
      ...kafkaClients.map((name) => `${clientLabels[name]} / Weir`),
    ],
    rows: results.cases.map((entry) => {
      const cells = (name: ClientName) => {
        const row = entry.rows[name][direction]
        return [rate(row), megabytes(row), ...(withStartup ? [startup(row)] : [])]
      }
      return [
        caseLabel(entry),
        ...clientNames.flatMap(cells),
        ...kafkaClients.map((name) => ratio(entry.rows[name][direction], entry.rows.weir[direction])),
      ]
    }),
  }
}

export function kafkaTables(results: KafkaBenchResults): Table[] {
  const tables: Table[] = [
    directionTable(
      results,
      'produce',
      `Produce into 1 partition, acks all (Weir) / -1 (KafkaJS ${results.kafkajsVersion}, ${results.kcat}); median run`,
    ),
    directionTable(
      results,
      'consume',
      'Consume from the beginning, first message to last (Weir: group-less consumer; KafkaJS: a group of one, eachBatch; kcat -C -e, no group); s to the first message beside',
    ),
  ]
  const reasons = new Set(
    results.cases.flatMap((entry) =>
      kafkaClients.flatMap((name) =>
        (['produce', 'consume'] as const)
          .map((direction) => entry.rows[name][direction].skipped)
          .filter((reason): reason is string => reason !== undefined)
          .map((reason) => `${clientLabels[name]}: ${reason}`),
      ),
    ),
  )
  if (reasons.size > 0)
    tables.push({ title: 'Skipped rows', header: ['reason'], rows: [...reasons].map((reason) => [reason]) })
  return tables
}
