// Proves the scale report's pure pieces: VmRSS and open-files parsing from /proc texts, the growth fit (slope per unit, linear vs quadratic exponent), quantiles, the free-space plan of the large-log row, and that the SVG chart and the tables render every row.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { renderMarkdown } from '../src/report.js'
import { describeExponent, fitGrowth } from '../src/scale/growth.js'
import { plannedLogBytes } from '../src/scale/large-log.js'
import { parseCpuSeconds, parseOpenFilesLimit, parseVmRssBytes } from '../src/scale/process-memory.js'
import { quantile } from '../src/scale/samples.js'
import { niceScale, scaleChart, sizeDecades } from '../src/scale/scale-chart.js'
import { growthRows, scalePanels, scaleTables } from '../src/scale/scale-report.js'
import type { ScaleResults } from '../src/scale/scale-suite.js'

const status = `Name:\tnode
VmPeak:\t 1234567 kB
VmHWM:\t  200000 kB
VmRSS:\t  123456 kB
RssAnon:\t   100000 kB
`

test('VmRSS is read in kB and returned in bytes; VmHWM and RssAnon are not mistaken for it', () => {
  assert.is(parseVmRssBytes(status), 123456 * 1024)
  assert.is(parseVmRssBytes('Name:\tzombie\nState:\tZ (zombie)\n'), undefined)
})

test('CPU seconds are utime + stime in 1/100 s ticks, after a command name that may hold spaces and parentheses', () => {
  const stat = '4242 (node (weir) x) S 1 4242 4242 0 -1 4194560 123 0 0 0 250 75 0 0 20 0 11 0 100 0 0'
  assert.is(parseCpuSeconds(stat), 3.25)
  assert.is(parseCpuSeconds('garbage'), undefined)
})

test('the open-files limit is read from /proc/<pid>/limits, "unlimited" included', () => {
  const limits = `Limit                     Soft Limit           Hard Limit           Units
Max processes             unlimited            unlimited            processes
Max open files            20000                1048576              files
`
  assert.equal(parseOpenFilesLimit(limits), { soft: 20000, hard: 1048576 })
  assert.equal(parseOpenFilesLimit(limits.replace('20000 ', 'unlimited')), {
    soft: 'unlimited',
    hard: 1048576,
  })
  assert.is(parseOpenFilesLimit('no such line'), undefined)
})

test('a linear cost gives its per-unit slope, its fixed part and an exponent near 1', () => {
  const growth = fitGrowth([10, 100, 1000].map((size) => ({ size, value: 5_000_000 + 40_000 * size })))
  assert.ok(Math.abs(growth.slope - 40_000) < 1e-6)
  assert.ok(Math.abs(growth.intercept - 5_000_000) < 1e-3)
  // A fixed part flattens the log-log fit at small sizes: pure proportional growth is exactly 1.
  const proportional = fitGrowth([10, 100, 1000].map((size) => ({ size, value: 3 * size })))
  assert.ok(Math.abs(proportional.exponent! - 1) < 1e-9)
  assert.is(describeExponent(proportional.exponent), 'linear')
})

test('a quadratic cost is told from a linear one', () => {
  const growth = fitGrowth([100, 300, 1000].map((size) => ({ size, value: 0.001 * size * size })))
  assert.ok(Math.abs(growth.exponent! - 2) < 1e-9)
  assert.is(describeExponent(growth.exponent), 'quadratic or worse')
  assert.is(describeExponent(0.1), 'flat')
})

test('the exponent is read between the two largest sizes, where a fixed part no longer hides the growth', () => {
  // Restart seconds measured with 100, 300 and 1,000 topics: a line through all three looks
  // linear, the step from 300 to 1,000 is nearly quadratic.
  const restart = fitGrowth([
    { size: 100, value: 1.08 },
    { size: 300, value: 1.53 },
    { size: 1000, value: 15.08 },
  ])
  assert.ok(restart.exponent! > 1.8 && restart.exponent! < 2, String(restart.exponent))
  assert.is(describeExponent(restart.exponent), 'quadratic or worse')
})

test('the fit refuses a single size, and leaves the exponent out without two positive points', () => {
  assert.throws(
    () =>
      fitGrowth([
        { size: 10, value: 1 },
        { size: 10, value: 2 },
      ]),
    /two distinct sizes/,
  )
  assert.is(
    fitGrowth([
      { size: 0, value: 1 },
      { size: 10, value: -2 },
    ]).exponent,
    undefined,
  )
})

test('quantile is the nearest rank', () => {
  const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]
  assert.is(quantile(values, 0.5), 5)
  assert.is(quantile(values, 0.99), 10)
  assert.is(quantile([42], 0.5), 42)
  assert.throws(() => quantile([], 0.5))
})

test('the large log takes the target, or what the free space allows beside the reserve', () => {
  const spec = {
    targetBytes: 50e9,
    minimumBytes: 1e9,
    reserveBytes: 20e9,
    fillSecondsMax: 240,
    valueBytes: 1024,
  }
  assert.is(plannedLogBytes(spec, 200e9), 50e9)
  assert.is(plannedLogBytes(spec, 30e9), 10e9)
  assert.is(plannedLogBytes(spec, 5e9), 0)
})

test('axis helpers: round tops and the decades that hold every size', () => {
  assert.equal(niceScale(930), { top: 1000, step: 250 })
  assert.equal(niceScale(0), { top: 1, step: 0.25 })
  assert.equal(sizeDecades([10, 100, 1000]), { low: 1, high: 3 })
  assert.equal(sizeDecades([0.3]), { low: -1, high: 0 })
})

const results: ScaleResults = {
  openFilesLimit: { soft: 20000, hard: 20000 },
  partitions: [10, 100, 1000].map((partitions) => ({
    partitions,
    createSeconds: partitions * 0.004,
    rssIdleBytes: 80e6,
    rssCreatedBytes: 80e6 + partitions * 30e3,
    idleCores: 0.01 + partitions * 1e-4,
    rssPeakBytes: 120e6 + partitions * 100e3,
    rssAfterBytes: 100e6 + partitions * 90e3,
    produce: {
      messages: 1000,
      bytes: 1e5,
      seconds: 1,
      messagesPerSecond: 200_000 - partitions * 100,
      megabytesPerSecond: 20,
    },
    consume: {
      messages: 1000,
      bytes: 1e5,
      seconds: 1,
      messagesPerSecond: 300_000 - partitions * 150,
      megabytesPerSecond: 30,
    },
  })),
  topics: [100, 1000].map((topics) => ({
    topics,
    createSeconds: topics * 0.02,
    topicsCreatedPerSecond: 50,
    rssIdleBytes: 80e6,
    rssCreatedBytes: 80e6 + topics * 40e3,
    idleCores: 0.01 + topics * 1e-4,
    everyTopicMetadata: { requests: 20, p50Ms: topics * 0.1, p99Ms: topics * 0.2, maxMs: topics * 0.3 },
    oneTopicMetadata: { requests: 100, p50Ms: 0.5, p99Ms: 2, maxMs: 3 },
    restartSeconds: topics * 0.01,
    rssAfterRestartBytes: 80e6 + topics * 35e3,
  })),
  connections: [10, 1000].map((connections) => ({
    connections,
    connectSeconds: connections * 0.005,
    brokerSockets: connections,
    rssIdleBytes: 80e6,
    rssConnectedBytes: 80e6 + connections * 35e3,
    rssPeakBytes: 200e6,
    messages: 100_000,
    seconds: 2,
    messagesPerSecond: 50_000,
    megabytesPerSecond: 5,
  })),
  connectionsSkipped: ['4000 connections: the open-files limit is 1024; raise it (ulimit -n 6000)'],
  largeLog: {
    measurement: {
      logBytes: 1.05e9,
      messages: 1_000_000,
      fillSeconds: 10,
      fillMegabytesPerSecond: 100,
      restartSeconds: 0.5,
      memoryBytes: 25e9,
      cachedBeforeReadBytes: 0,
      consume: {
        messages: 1_000_000,
        bytes: 1.024e9,
        seconds: 5,
        messagesPerSecond: 200_000,
        megabytesPerSecond: 204.8,
      },
      rssPeakBytes: 150e6,
      diskColdReadMegabytesPerSecond: 400,
    },
  },
}

test('the growth table states memory per partition and per connection from the slopes', () => {
  const rows = growthRows(results)
  const perPartition = rows.find(
    (row) => row.row === 'partitions' && row.cost.startsWith('broker RSS once created'),
  )!
  assert.is(perPartition.perUnit(fitGrowth(perPartition.points).slope), '30.0 KB')
  const perConnection = rows.find((row) => row.row === 'connections' && row.cost.startsWith('broker RSS'))!
  assert.is(perConnection.perUnit(fitGrowth(perConnection.points).slope), '35.0 KB')
  const markdown = renderMarkdown('heading', scaleTables(results))
  assert.match(markdown, /30\.0 KB per partition/)
  assert.match(markdown, /100\.0 µs\/s per partition/)
  assert.match(
    markdown,
    /Metadata for every topic, p50 \| 100, 1,000 \| 100\.0 µs per topic \| 1\.00 \| linear/,
  )
  assert.match(markdown, /skipped: 4000 connections/)
})

test('every table row has as many cells as its header', () => {
  for (const table of scaleTables(results)) {
    for (const row of table.rows)
      assert.is(row.length, table.header.length, `${table.title}: ${row.join(' | ')}`)
  }
  const skipped = scaleTables({ ...results, largeLog: { skipped: 'no space', freeBytes: 1e9 } })
  for (const table of skipped)
    for (const row of table.rows) assert.is(row.length, table.header.length, table.title)
})

test('the chart has a panel per row with a line and a point per size, and escapes labels', () => {
  const svg = scaleChart(scalePanels(results), 'Cost <against> size')
  assert.ok(svg.startsWith('<svg'))
  assert.match(svg, /Cost &lt;against&gt; size/)
  for (const title of [
    'Partitions (one topic)',
    'Topics (1 partition each)',
    'Connections (one producer each)',
    'Large log read',
  ])
    assert.ok(svg.includes(title), title)
  // partitions: 2 throughput lines and 1 RSS line of 3 points; topics 3 lines of 2; connections 2 of 2; large log 3 of 1.
  assert.is((svg.match(/<polyline/g) ?? []).length, 3 + 3 + 2 + 3)
  assert.is((svg.match(/<circle/g) ?? []).length, 3 * 3 + 3 * 2 + 2 * 2 + 3)
  const skipped = scalePanels({ ...results, largeLog: { skipped: 'no space', freeBytes: 1e9 } })
  assert.is(skipped.length, 3)
})

test.run()
