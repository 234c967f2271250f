// Tables of the scale rows, the growth of each cost with size (least-squares slope per unit and the
// log-log exponent), and the panels of the SVG chart. Nothing here is a target: the issue asks for
// the figures and how they grow; memory per partition and per connection are the slopes.
import { formatCount, formatRate, formatSeconds } from '../format.js'
import type { Table } from '../report.js'
import { describeExponent, fitGrowth, type GrowthPoint } from './growth.js'
import type { ScalePanel } from './scale-chart.js'
import type { ScaleResults } from './scale-suite.js'

const megabytes = (bytes: number) => (bytes / 1e6).toFixed(1)
const milliseconds = (ms: number) => ms.toFixed(2)

export function scaleTables(results: ScaleResults): Table[] {
  return [
    partitionsTable(results),
    topicsTable(results),
    connectionsTable(results),
    largeLogTable(results),
    growthTable(results),
  ]
}

function partitionsTable({ partitions }: ScaleResults): Table {
  return {
    title:
      'Many partitions: one topic of N partitions, keyed 100 B messages over all of them, acks all, fsync always',
    header: [
      'partitions',
      'create s',
      'produce msg/s',
      'consume msg/s',
      'RSS idle MB',
      'RSS created MB',
      'idle cores',
      'RSS after traffic MB',
      'RSS peak MB',
    ],
    rows: partitions.map((m) => [
      formatCount(m.partitions),
      formatSeconds(m.createSeconds),
      formatCount(m.produce.messagesPerSecond),
      formatCount(m.consume.messagesPerSecond),
      megabytes(m.rssIdleBytes),
      megabytes(m.rssCreatedBytes),
      m.idleCores.toFixed(2),
      megabytes(m.rssAfterBytes),
      megabytes(m.rssPeakBytes),
    ]),
  }
}

function topicsTable({ topics }: ScaleResults): Table {
  return {
    title:
      "Many topics' metadata: N topics of 1 partition; Metadata timed as the client sees it (request and decode)",
    header: [
      'topics',
      'create s',
      'topics/s',
      'Metadata all p50 / p99 ms',
      'Metadata one p50 / p99 ms',
      'RSS idle MB',
      'RSS created MB',
      'idle cores',
      'restart s',
      'RSS after restart MB',
    ],
    rows: topics.map((m) => [
      formatCount(m.topics),
      formatSeconds(m.createSeconds),
      formatCount(m.topicsCreatedPerSecond),
      `${milliseconds(m.everyTopicMetadata.p50Ms)} / ${milliseconds(m.everyTopicMetadata.p99Ms)}`,
      `${milliseconds(m.oneTopicMetadata.p50Ms)} / ${milliseconds(m.oneTopicMetadata.p99Ms)}`,
      megabytes(m.rssIdleBytes),
      megabytes(m.rssCreatedBytes),
      m.idleCores.toFixed(2),
      formatSeconds(m.restartSeconds),
      megabytes(m.rssAfterRestartBytes),
    ]),
  }
}

function connectionsTable({ connections, connectionsSkipped, openFilesLimit }: ScaleResults): Table {
  const limit =
    openFilesLimit === undefined ? 'unknown' : `${openFilesLimit.soft} (hard ${openFilesLimit.hard})`
  return {
    title: `Many connections: N producers, each its own Client and TCP connection, 8 partitions, acks all; open-files limit ${limit}`,
    header: [
      'producers',
      'broker sockets',
      'connect s',
      'msg/s',
      'MB/s',
      'RSS idle MB',
      'RSS connected MB',
      'RSS peak MB',
    ],
    rows: [
      ...connections.map((m) => [
        formatCount(m.connections),
        formatCount(m.brokerSockets),
        formatSeconds(m.connectSeconds),
        formatCount(m.messagesPerSecond),
        formatRate(m.megabytesPerSecond),
        megabytes(m.rssIdleBytes),
        megabytes(m.rssConnectedBytes),
        megabytes(m.rssPeakBytes),
      ]),
      ...connectionsSkipped.map((reason) => [`skipped: ${reason}`, '', '', '', '', '', '', '']),
    ],
  }
}

function largeLogTable({ largeLog }: ScaleResults): Table {
  const header = [
    'log GB',
    'RAM GB',
    'cached before read MB',
    'fill MB/s',
    'restart s',
    'consume MB/s',
    'disk cold read MB/s (dd)',
    'consume msg/s',
    'broker RSS peak MB',
    'note',
  ]
  const title =
    'A large log read from the start: 1 partition of 1 KiB messages, broker restarted, segments dropped from the page cache'
  if ('skipped' in largeLog)
    return { title, header, rows: [['skipped', '', '', '', '', '', '', '', '', largeLog.skipped]] }
  const m = largeLog.measurement
  return {
    title,
    header,
    rows: [
      [
        (m.logBytes / 1e9).toFixed(2),
        (m.memoryBytes / 1e9).toFixed(1),
        m.cachedBeforeReadBytes === undefined ? 'unknown (no fincore)' : megabytes(m.cachedBeforeReadBytes),
        formatRate(m.fillMegabytesPerSecond),
        formatSeconds(m.restartSeconds),
        formatRate(m.consume.megabytesPerSecond),
        formatRate(m.diskColdReadMegabytesPerSecond),
        formatCount(m.consume.messagesPerSecond),
        megabytes(m.rssPeakBytes),
        m.shortBecause === undefined ? '' : `smaller than the target: ${m.shortBecause}`,
      ],
    ],
  }
}

export interface GrowthRow {
  readonly row: string
  readonly cost: string
  readonly unit: string
  readonly points: readonly GrowthPoint[]
  /** Renders the slope in the row's unit. */
  readonly perUnit: (slope: number) => string
}

/** Growth rows of one kind of measurement: each names a cost and how to read it from one. */
function series<M>(row: string, unit: string, measurements: readonly M[], size: (m: M) => number) {
  return (cost: string, value: (m: M) => number, perUnit: GrowthRow['perUnit']): GrowthRow => ({
    row,
    cost,
    unit,
    points: measurements.map((m) => ({ size: size(m), value: value(m) })),
    perUnit,
  })
}

/** Every cost whose growth the report states; only those measured at two sizes or more. */
export function growthRows(results: ScaleResults): GrowthRow[] {
  const kilobytes = (bytes: number) => `${(bytes / 1e3).toFixed(1)} KB`
  const ms = (seconds: number) => `${(seconds * 1e3).toFixed(2)} ms`
  const microseconds = (ms: number) => `${(ms * 1e3).toFixed(1)} µs`
  const partition = series('partitions', 'partition', results.partitions, (m) => m.partitions)
  const topic = series('topics', 'topic', results.topics, (m) => m.topics)
  const connection = series('connections', 'connection', results.connections, (m) => m.connections)
  const socket = series('connections', 'connection', results.connections, (m) => m.brokerSockets)
  const rows: GrowthRow[] = [
    partition('broker RSS once created (minus idle)', (m) => m.rssCreatedBytes - m.rssIdleBytes, kilobytes),
    partition('broker RSS after traffic (minus idle)', (m) => m.rssAfterBytes - m.rssIdleBytes, kilobytes),
    partition('create time', (m) => m.createSeconds, ms),
    partition(
      'broker CPU with no traffic (cores)',
      (m) => m.idleCores,
      (cores) => `${(cores * 1e6).toFixed(1)} µs/s`,
    ),
    topic('broker RSS once created (minus idle)', (m) => m.rssCreatedBytes - m.rssIdleBytes, kilobytes),
    topic('create time', (m) => m.createSeconds, ms),
    topic('Metadata for every topic, p50', (m) => m.everyTopicMetadata.p50Ms, microseconds),
    topic('Metadata for one topic, p50', (m) => m.oneTopicMetadata.p50Ms, microseconds),
    topic('restart until listening', (m) => m.restartSeconds, ms),
    socket(
      'broker RSS connected (minus idle), per broker socket',
      (m) => m.rssConnectedBytes - m.rssIdleBytes,
      kilobytes,
    ),
    connection('connect time (until every first send is acknowledged)', (m) => m.connectSeconds, ms),
  ]
  return rows.filter((row) => new Set(row.points.map((point) => point.size)).size >= 2)
}

function growthTable(results: ScaleResults): Table {
  return {
    title:
      'How each cost grows with size: least-squares slope (cost of one more) and the exponent between the two largest sizes (1 linear, 2 quadratic)',
    header: ['row', 'cost', 'sizes', 'per unit', 'exponent', 'growth'],
    rows: growthRows(results).map((row) => {
      const growth = fitGrowth(row.points)
      return [
        row.row,
        row.cost,
        row.points.map((point) => formatCount(point.size)).join(', '),
        `${row.perUnit(growth.slope)} per ${row.unit}`,
        growth.exponent === undefined ? 'n/a' : growth.exponent.toFixed(2),
        describeExponent(growth.exponent),
      ]
    }),
  }
}

export function scalePanels(results: ScaleResults): ScalePanel[] {
  const rss = (bytes: number) => bytes / 1e6
  const panels: ScalePanel[] = [
    {
      title: 'Partitions (one topic)',
      sizeLabel: 'partitions',
      leftLabel: 'messages per second',
      left: [
        {
          label: 'produce msg/s',
          points: results.partitions.map((m) => ({ size: m.partitions, value: m.produce.messagesPerSecond })),
        },
        {
          label: 'consume msg/s',
          points: results.partitions.map((m) => ({ size: m.partitions, value: m.consume.messagesPerSecond })),
        },
      ],
      rightLabel: 'broker RSS, MB',
      right: [
        {
          label: 'RSS after traffic',
          points: results.partitions.map((m) => ({ size: m.partitions, value: rss(m.rssAfterBytes) })),
        },
      ],
    },
    {
      title: 'Topics (1 partition each)',
      sizeLabel: 'topics',
      leftLabel: 'ms',
      left: [
        {
          label: 'Metadata all p50 ms',
          points: results.topics.map((m) => ({ size: m.topics, value: m.everyTopicMetadata.p50Ms })),
        },
        {
          label: 'restart ms',
          points: results.topics.map((m) => ({ size: m.topics, value: m.restartSeconds * 1e3 })),
        },
      ],
      rightLabel: 'broker RSS, MB',
      right: [
        {
          label: 'RSS created',
          points: results.topics.map((m) => ({ size: m.topics, value: rss(m.rssCreatedBytes) })),
        },
      ],
    },
    {
      title: 'Connections (one producer each)',
      sizeLabel: 'producer connections',
      leftLabel: 'messages per second',
      left: [
        {
          label: 'aggregate msg/s',
          points: results.connections.map((m) => ({ size: m.connections, value: m.messagesPerSecond })),
        },
      ],
      rightLabel: 'broker RSS, MB',
      right: [
        {
          label: 'RSS connected',
          points: results.connections.map((m) => ({ size: m.connections, value: rss(m.rssConnectedBytes) })),
        },
      ],
    },
  ]
  if (!('skipped' in results.largeLog)) {
    const m = results.largeLog.measurement
    const gigabytes = m.logBytes / 1e9
    panels.push({
      title: 'Large log read from the start (cold-ish)',
      sizeLabel: 'log GB',
      leftLabel: 'MB per second',
      left: [
        { label: 'consume MB/s', points: [{ size: gigabytes, value: m.consume.megabytesPerSecond }] },
        {
          label: 'disk cold read MB/s (dd)',
          points: [{ size: gigabytes, value: m.diskColdReadMegabytesPerSecond }],
        },
      ],
      rightLabel: 'broker RSS, MB',
      right: [{ label: 'RSS peak while reading', points: [{ size: gigabytes, value: rss(m.rssPeakBytes) }] }],
    })
  }
  return panels
}
