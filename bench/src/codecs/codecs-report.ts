// The codecs part's tables (per codec: bytes on disk, ratio, produce and consume rates; CPU per
// batch) and its SVG: three bar panels, bytes on disk, produce msg/s and consume msg/s per codec.
import { escapeXml, svgDocument } from '../compare/charts.js'
import { formatCount, formatMegabytes, formatRate } from '../format.js'
import type { Table } from '../report.js'
import type { CodecsResults } from './codecs-suite.js'

export function codecsTables(results: CodecsResults): Table[] {
  const none = results.codecs.find((entry) => entry.codec === 'none')
  return [
    {
      title: `Per codec through a broker (1 partition, acks leader, JSON documents of ${formatCount(results.documentBytesAverage)} B on average; median run)`,
      header: [
        'codec',
        'MB on disk',
        'value bytes / disk bytes',
        'disk vs none',
        'produce msg/s',
        'produce MB/s',
        'consume msg/s',
        'consume MB/s',
      ],
      rows: results.codecs.map(({ codec, ratio, median }) => [
        codec,
        formatMegabytes(median.diskBytes),
        ratio.toFixed(2),
        none ? (median.diskBytes / none.median.diskBytes).toFixed(3) : 'n/a',
        formatCount(median.produceMessagesPerSecond),
        formatRate(median.produceMegabytesPerSecond),
        formatCount(median.consumeMessagesPerSecond),
        formatRate(median.consumeMegabytesPerSecond),
      ]),
    },
    {
      title:
        'CPU time per batch of ~1 MiB of documents, in process (µs of user + system CPU; MB/s of uncompressed bytes per CPU second)',
      header: [
        'codec',
        'records',
        'batch bytes',
        'encode µs',
        'broker check µs',
        'decode µs',
        'decode MB/s',
        'check MB/s',
      ],
      rows: results.codecs.map(({ codec, cpu }) => [
        codec,
        formatCount(cpu.records),
        formatCount(cpu.batchBytes),
        formatCount(cpu.encodeUs),
        formatCount(cpu.brokerCheckUs),
        formatCount(cpu.decodeUs),
        formatRate(cpu.uncompressedBytes / cpu.decodeUs),
        formatRate(cpu.uncompressedBytes / cpu.brokerCheckUs),
      ]),
    },
  ]
}

const colors = ['#6e7781', '#1f6feb', '#bf8700', '#2da44e', '#8250df']
const font = 'font-family="system-ui, sans-serif" font-size="12"'

function panel(
  left: number,
  title: string,
  bars: readonly { label: string; value: number; text: string }[],
): string[] {
  const top = 60
  const bottom = 330
  const width = 280
  const max = Math.max(1, ...bars.map((bar) => bar.value))
  const slot = width / bars.length
  const parts = [
    `<text x="${left + width / 2}" y="${top - 16}" text-anchor="middle" ${font} font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${left}" x2="${left + width}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`,
  ]
  bars.forEach((bar, index) => {
    const height = ((bottom - top) * bar.value) / max
    const x = left + index * slot + slot * 0.15
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${(bottom - height).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${height.toFixed(1)}" fill="${colors[index % colors.length]}"><title>${escapeXml(`${bar.label}: ${bar.text}`)}</title></rect>`,
      `<text x="${(x + slot * 0.35).toFixed(1)}" y="${(bottom - height - 4).toFixed(1)}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="10">${escapeXml(bar.text)}</text>`,
      `<text x="${(x + slot * 0.35).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" ${font}>${escapeXml(bar.label)}</text>`,
    )
  })
  return parts
}

export function codecsChart(results: CodecsResults, title: string): string {
  const width = 1000
  const height = 380
  const entries = results.codecs
  const parts = [
    ...panel(
      40,
      'MB on disk (lower is better)',
      entries.map(({ codec, median }) => ({
        label: codec,
        value: median.diskBytes,
        text: formatMegabytes(median.diskBytes),
      })),
    ),
    ...panel(
      360,
      'produce msg/s',
      entries.map(({ codec, median }) => ({
        label: codec,
        value: median.produceMessagesPerSecond,
        text: formatCount(median.produceMessagesPerSecond),
      })),
    ),
    ...panel(
      680,
      'consume msg/s',
      entries.map(({ codec, median }) => ({
        label: codec,
        value: median.consumeMessagesPerSecond,
        text: formatCount(median.consumeMessagesPerSecond),
      })),
    ),
  ]
  return svgDocument(width, height, title, parts)
}
