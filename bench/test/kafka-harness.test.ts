// Proves the kafka part runs at tiny sizes against a real broker with --kafka-listen: Weir's rows are measured, each KafkaJS and kcat row is measured exactly when the listener advertises the APIs that client needs (skipped naming them otherwise; kcat also when it is not installed), the tables render, and no temp directory or broker process is left; never checks speed.
import { Kafka } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { kafkaTables } from '../src/kafka/kafka-report.js'
import { runKafkaSuite } from '../src/kafka/kafka-suite.js'
import { renderMarkdown } from '../src/report.js'
import { childProcesses, leftoverDirectories } from './support/leftovers.js'

const silent = { caseStarted() {}, runStarted() {}, progress() {}, runFinished() {} }

test('Weir client and KafkaJS produce and consume through one broker; KafkaJS rows measured when the listener serves them', async () => {
  const before = await leftoverDirectories()
  const results = await runKafkaSuite(
    { smallMessages: 3000, largeMessages: 1000, warmupMessages: 500, repetitions: 1, fsyncs: ['always'] },
    silent,
  )
  const advertised = new Set(results.advertised.map(({ apiKey }) => apiKey))
  const serves = (names: readonly Kafka.KafkaApiName[]) =>
    names.every((name) => advertised.has(Kafka.KafkaApiKeys[name]))
  assert.ok(advertised.has(Kafka.KafkaApiKeys.ApiVersions))
  const producing = serves(['Metadata', 'Produce'])
  const consuming = producing && serves(['FindCoordinator', 'JoinGroup', 'SyncGroup', 'Fetch', 'ListOffsets'])
  const kcatInstalled = results.kcat.startsWith('kcat ')
  if (!kcatInstalled) assert.match(results.kcat, /apt-get install -y kcat/)
  const kcatProducing = kcatInstalled && producing
  const kcatConsuming = kcatProducing && serves(['ListOffsets', 'Fetch'])
  assert.equal(
    results.cases.map(({ valueBytes, messages }) => [valueBytes, messages]),
    [
      [100, 3000],
      [1024, 1000],
    ],
  )
  for (const entry of results.cases) {
    for (const [client, direction, expected] of [
      ['weir', 'produce', true],
      ['weir', 'consume', true],
      ['kafkajs', 'produce', producing],
      ['kafkajs', 'consume', consuming],
      ['kcat', 'produce', kcatProducing],
      ['kcat', 'consume', kcatConsuming],
    ] as const) {
      const row = entry.rows[client][direction]
      const what = `${client} ${direction} ${entry.valueBytes} B`
      if (expected) {
        assert.is(row.skipped, undefined, what)
        assert.is(row.median?.messages, entry.messages, what)
        assert.ok((row.median?.messagesPerSecond ?? 0) > 0, what)
      } else {
        assert.is(row.median, undefined, what)
        assert.match(row.skipped ?? '', /does not advertise|not installed/, what)
      }
    }
  }
  const markdown = renderMarkdown('heading', kafkaTables(results))
  assert.ok(markdown.includes('KafkaJS msg/s'))
  assert.equal(await leftoverDirectories(), before)
  assert.equal(childProcesses(/weir|main\.js|kcat/), [])
})

test.run()
