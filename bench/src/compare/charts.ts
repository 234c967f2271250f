// The run's figures as SVG, written by hand (no chart library): throughput bars per system per
// workload, and latency percentile curves with the log-scaled "nines" axis of HdrHistogram plots.
import { formatCount } from '../format.js'
import { type CompareResults, throughputWorkloads } from './compare-suite.js'

const colors = ['#1f6feb', '#79a8f5', '#d1242f', '#f08c8c', '#2da44e', '#8250df', '#bf8700']
const font = 'font-family="system-ui, sans-serif" font-size="12"'

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** Round axis maximum and tick step for values up to `max`. */
function niceScale(max: number, ticksWanted = 5): { top: number; step: number } {
  const rough = Math.max(max, 1) / ticksWanted
  const magnitude = 10 ** Math.floor(Math.log10(rough))
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough)!
  return { top: Math.ceil(max / step) * step, step }
}

function legend(labels: readonly string[], x: number, y: number): string {
  return labels
    .map(
      (label, index) =>
        `<rect x="${x}" y="${y + index * 18}" width="12" height="12" fill="${colors[index % colors.length]}"/>` +
        `<text x="${x + 18}" y="${y + index * 18 + 10}" ${font}>${escapeXml(label)}</text>`,
    )
    .join('\n')
}

export function throughputChart(results: CompareResults, title: string): string {
  const systems = results.systems.filter((system) => system.skipped === undefined)
  const width = 1000
  const height = 420
  const plot = { left: 80, top: 40, right: 700, bottom: 360 }
  const max = Math.max(
    0,
    ...systems.flatMap((system) =>
      throughputWorkloads.map(
        (workload) => system.throughput[workload.id]?.measurement.messagesPerSecond ?? 0,
      ),
    ),
  )
  const { top, step } = niceScale(max)
  const y = (value: number) => plot.bottom - ((plot.bottom - plot.top) * value) / top
  const groupWidth = (plot.right - plot.left) / throughputWorkloads.length
  const barWidth = (groupWidth * 0.8) / Math.max(1, systems.length)
  const parts: string[] = []
  for (let tick = 0; tick <= top; tick += step) {
    parts.push(
      `<line x1="${plot.left}" x2="${plot.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`,
      `<text x="${plot.left - 6}" y="${y(tick) + 4}" text-anchor="end" ${font}>${formatCount(tick)}</text>`,
    )
  }
  throughputWorkloads.forEach((workload, group) => {
    const groupLeft = plot.left + group * groupWidth + groupWidth * 0.1
    systems.forEach((system, index) => {
      const x = groupLeft + index * barWidth
      const rate = system.throughput[workload.id]?.measurement.messagesPerSecond
      if (rate === undefined) {
        parts.push(
          `<text x="${x + barWidth / 2}" y="${plot.bottom - 4}" text-anchor="middle" font-size="9" font-family="system-ui, sans-serif" fill="#666" transform="rotate(-90 ${x + barWidth / 2} ${plot.bottom - 4})" dx="30">n/a</text>`,
        )
        return
      }
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(rate).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(plot.bottom - y(rate)).toFixed(1)}" fill="${colors[index % colors.length]}"><title>${escapeXml(`${system.label}, ${workload.label}: ${formatCount(rate)} msg/s`)}</title></rect>`,
      )
    })
    parts.push(
      `<text x="${plot.left + group * groupWidth + groupWidth / 2}" y="${plot.bottom + 18}" text-anchor="middle" ${font}>${escapeXml(workload.label)}</text>`,
    )
  })
  return svgDocument(width, height, title, [
    `<line x1="${plot.left}" x2="${plot.left}" y1="${plot.top}" y2="${plot.bottom}" stroke="#333"/>`,
    `<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="#333"/>`,
    `<text x="20" y="${(plot.top + plot.bottom) / 2}" ${font} transform="rotate(-90 20 ${(plot.top + plot.bottom) / 2})" text-anchor="middle">messages per second</text>`,
    ...parts,
    legend(
      systems.map((system) => system.label),
      plot.right + 20,
      plot.top,
    ),
  ])
}

/** x = log10(1 / (1 - p)): 90% at 1, 99% at 2, 99.9% at 3, as HdrHistogram's plots draw it. */
function nines(percentile: number): number {
  return Math.log10(100 / (100 - percentile))
}

export function latencyChart(results: CompareResults, title: string): string {
  const systems = results.systems.filter((system) => system.latency !== undefined)
  const width = 1000
  const height = 420
  const plot = { left: 80, top: 40, right: 700, bottom: 360 }
  const points = systems.map((system) =>
    system.latency!.measurement.curve.filter(([percentile]) => percentile < 100),
  )
  const ninesMax = Math.max(
    3,
    Math.ceil(Math.max(0, ...points.flat().map(([percentile]) => nines(percentile))) - 1e-9),
  )
  const values = points.flat().map(([, ms]) => Math.max(ms, 0.001))
  const logMin = Math.floor(Math.log10(Math.min(1, ...values)))
  const logMax = Math.ceil(Math.log10(Math.max(10, ...values)))
  const x = (percentile: number) => plot.left + ((plot.right - plot.left) * nines(percentile)) / ninesMax
  const y = (ms: number) =>
    plot.bottom - ((plot.bottom - plot.top) * (Math.log10(Math.max(ms, 0.001)) - logMin)) / (logMax - logMin)
  const parts: string[] = []
  for (let exponent = logMin; exponent <= logMax; exponent++) {
    const ms = 10 ** exponent
    parts.push(
      `<line x1="${plot.left}" x2="${plot.right}" y1="${y(ms)}" y2="${y(ms)}" stroke="#ddd"/>`,
      `<text x="${plot.left - 6}" y="${y(ms) + 4}" text-anchor="end" ${font}>${ms >= 1 ? ms : ms.toFixed(-exponent)}</text>`,
    )
  }
  for (let nine = 0; nine <= ninesMax; nine++) {
    const percentile = 100 - 100 / 10 ** nine
    const label = nine === 0 ? '0%' : `${percentile.toFixed(Math.max(0, nine - 2))}%`
    parts.push(
      `<line x1="${x(percentile)}" x2="${x(percentile)}" y1="${plot.top}" y2="${plot.bottom}" stroke="#eee"/>`,
      `<text x="${x(percentile)}" y="${plot.bottom + 18}" text-anchor="middle" ${font}>${label}</text>`,
    )
  }
  points.forEach((curve, index) => {
    const path = curve.map(([percentile, ms]) => `${x(percentile).toFixed(1)},${y(ms).toFixed(1)}`).join(' ')
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${colors[index % colors.length]}" stroke-width="2"/>`,
    )
  })
  return svgDocument(width, height, title, [
    `<line x1="${plot.left}" x2="${plot.left}" y1="${plot.top}" y2="${plot.bottom}" stroke="#333"/>`,
    `<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="#333"/>`,
    `<text x="20" y="${(plot.top + plot.bottom) / 2}" ${font} transform="rotate(-90 20 ${(plot.top + plot.bottom) / 2})" text-anchor="middle">latency, ms (log scale)</text>`,
    `<text x="${(plot.left + plot.right) / 2}" y="${plot.bottom + 40}" text-anchor="middle" ${font}>percentile</text>`,
    ...parts,
    legend(
      systems.map((system) => system.label),
      plot.right + 20,
      plot.top,
    ),
  ])
}

export function svgDocument(width: number, height: number, title: string, parts: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-family="system-ui, sans-serif" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n')
}
