// The scale rows as one SVG, written by hand like compare/charts.ts: a panel per row, cost against
// size on a log-scaled x axis (10, 100, 1,000, ...), the row's throughput or time on the left axis
// (solid lines) and the broker's RSS on the right axis (dashed), so growth shows as a slope.
import { escapeXml } from '../compare/charts.js'
import { formatCount } from '../format.js'

export interface ChartSeries {
  readonly label: string
  readonly points: readonly { readonly size: number; readonly value: number }[]
}

export interface ScalePanel {
  readonly title: string
  readonly sizeLabel: string
  readonly leftLabel: string
  readonly left: readonly ChartSeries[]
  readonly rightLabel: string
  readonly right: readonly ChartSeries[]
}

const colors = ['#1f6feb', '#2da44e', '#8250df', '#bf8700']
const rssColor = '#d1242f'
const font = 'font-family="system-ui, sans-serif" font-size="11"'
const panelWidth = 520
const panelHeight = 300
const columns = 2

/** Round axis top and tick step for values up to `max` (at least one step). */
export function niceScale(max: number, ticksWanted = 4): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.25 }
  const rough = max / ticksWanted
  const magnitude = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough)!
  return { top: Math.ceil(max / step) * step, step }
}

/** Powers of ten spanning the sizes: the log axis runs from the one below the smallest to the one above the largest. */
export function sizeDecades(sizes: readonly number[]): { low: number; high: number } {
  const positive = sizes.filter((size) => size > 0)
  if (positive.length === 0) return { low: 1, high: 10 }
  const low = Math.floor(Math.log10(Math.min(...positive)))
  const high = Math.max(low + 1, Math.ceil(Math.log10(Math.max(...positive))))
  return { low, high }
}

function formatTick(value: number): string {
  return value >= 10 || value === 0 ? formatCount(value) : String(Number(value.toPrecision(3)))
}

function renderPanel(panel: ScalePanel, originX: number, originY: number): string[] {
  const plot = {
    left: originX + 70,
    right: originX + panelWidth - 70,
    top: originY + 40,
    bottom: originY + panelHeight - 70,
  }
  const sizes = [...panel.left, ...panel.right].flatMap((series) => series.points.map((point) => point.size))
  const { low, high } = sizeDecades(sizes)
  const x = (size: number) => plot.left + ((plot.right - plot.left) * (Math.log10(size) - low)) / (high - low)
  const leftScale = niceScale(
    Math.max(0, ...panel.left.flatMap((series) => series.points.map((p) => p.value))),
  )
  const rightScale = niceScale(
    Math.max(0, ...panel.right.flatMap((series) => series.points.map((p) => p.value))),
  )
  const y = (value: number, top: number) => plot.bottom - ((plot.bottom - plot.top) * value) / top
  const parts: string[] = [
    `<text x="${originX + panelWidth / 2}" y="${originY + 22}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<rect x="${plot.left}" y="${plot.top}" width="${plot.right - plot.left}" height="${plot.bottom - plot.top}" fill="none" stroke="#333"/>`,
  ]
  for (let tick = 0; tick <= leftScale.top + 1e-9; tick += leftScale.step) {
    parts.push(
      `<line x1="${plot.left}" x2="${plot.right}" y1="${y(tick, leftScale.top).toFixed(1)}" y2="${y(tick, leftScale.top).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${plot.left - 5}" y="${(y(tick, leftScale.top) + 4).toFixed(1)}" text-anchor="end" ${font}>${formatTick(tick)}</text>`,
    )
  }
  for (let tick = 0; tick <= rightScale.top + 1e-9; tick += rightScale.step) {
    parts.push(
      `<text x="${plot.right + 5}" y="${(y(tick, rightScale.top) + 4).toFixed(1)}" ${font} fill="${rssColor}">${formatTick(tick)}</text>`,
    )
  }
  for (let decade = low; decade <= high; decade++) {
    parts.push(
      `<line x1="${x(10 ** decade).toFixed(1)}" x2="${x(10 ** decade).toFixed(1)}" y1="${plot.top}" y2="${plot.bottom}" stroke="#eee"/>`,
      `<text x="${x(10 ** decade).toFixed(1)}" y="${plot.bottom + 15}" text-anchor="middle" ${font}>${formatCount(10 ** decade)}</text>`,
    )
  }
  parts.push(
    `<text x="${(plot.left + plot.right) / 2}" y="${plot.bottom + 32}" text-anchor="middle" ${font}>${escapeXml(panel.sizeLabel)} (log scale)</text>`,
    `<text x="${originX + 14}" y="${(plot.top + plot.bottom) / 2}" text-anchor="middle" ${font} transform="rotate(-90 ${originX + 14} ${(plot.top + plot.bottom) / 2})">${escapeXml(panel.leftLabel)}</text>`,
    `<text x="${originX + panelWidth - 10}" y="${(plot.top + plot.bottom) / 2}" text-anchor="middle" ${font} fill="${rssColor}" transform="rotate(-90 ${originX + panelWidth - 10} ${(plot.top + plot.bottom) / 2})">${escapeXml(panel.rightLabel)}</text>`,
  )
  const line = (series: ChartSeries, top: number, color: string, dashed: boolean) => {
    const points = [...series.points].sort((a, b) => a.size - b.size)
    const path = points.map((p) => `${x(p.size).toFixed(1)},${y(p.value, top).toFixed(1)}`).join(' ')
    return [
      `<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      ...points.map(
        (p) =>
          `<circle cx="${x(p.size).toFixed(1)}" cy="${y(p.value, top).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(`${series.label}: ${formatTick(p.value)} at ${formatCount(p.size)}`)}</title></circle>`,
      ),
    ]
  }
  const legend: string[] = []
  panel.left.forEach((series, index) => {
    const color = colors[index % colors.length]!
    parts.push(...line(series, leftScale.top, color, false))
    legend.push(`<tspan fill="${color}">— ${escapeXml(series.label)}</tspan>`)
  })
  for (const series of panel.right) {
    parts.push(...line(series, rightScale.top, rssColor, true))
    legend.push(`<tspan fill="${rssColor}">- - ${escapeXml(series.label)}</tspan>`)
  }
  parts.push(`<text x="${plot.left}" y="${plot.bottom + 52}" ${font}>${legend.join('   ')}</text>`)
  return parts
}

export function scaleChart(panels: readonly ScalePanel[], title: string): string {
  const rows = Math.ceil(panels.length / columns)
  const width = panelWidth * columns
  const height = 40 + rows * panelHeight
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-family="system-ui, sans-serif" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    ...panels.flatMap((panel, index) =>
      renderPanel(panel, (index % columns) * panelWidth, 40 + Math.floor(index / columns) * panelHeight),
    ),
    '</svg>',
    '',
  ].join('\n')
}
