// Proves the codecs part runs every codec through a real broker process at tiny sizes: compressed codecs store fewer bytes than none, every figure is positive, the report and SVG render, and no temp directory is left; never checks speed.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { codecsChart, codecsTables } from '../src/codecs/codecs-report.js'
import { codecNames, runCodecsSuite } from '../src/codecs/codecs-suite.js'
import { renderMarkdown } from '../src/report.js'
import { leftoverDirectories } from './support/leftovers.js'

const silent = { caseStarted() {}, runStarted() {}, progress() {}, runFinished() {} }

test('every codec stores, produces and consumes; compressed ones take fewer bytes on disk', async () => {
  const before = await leftoverDirectories()
  const results = await runCodecsSuite(
    { messages: 3000, documents: 256, repetitions: 1, cpuMinimumMs: 20 },
    silent,
  )
  assert.equal(
    results.codecs.map((entry) => entry.codec),
    codecNames,
  )
  const none = results.codecs[0]!.median
  for (const { codec, median, cpu, ratio } of results.codecs) {
    assert.is(median.messages, 3000, codec)
    assert.ok(median.produceMessagesPerSecond > 0 && median.consumeMessagesPerSecond > 0, codec)
    assert.ok(cpu.decodeUs > 0 && cpu.brokerCheckUs > 0 && cpu.encodeUs > 0, codec)
    if (codec !== 'none')
      assert.ok(median.diskBytes * 2 < none.diskBytes && ratio > 2, `${codec}: ${median.diskBytes} B`)
  }
  const markdown = renderMarkdown('heading', codecsTables(results))
  assert.ok(markdown.includes('| zstd'))
  assert.ok(codecsChart(results, 'title').startsWith('<svg'))
  assert.equal(await leftoverDirectories(), before)
})

test.run()
