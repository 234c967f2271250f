// Proves the Kafka listener's traffic shows in the broker's metrics under listener="kafka": requests
// by Kafka API name (weir_requests_total, weir_request_duration_seconds) and bytes in and out.
import { Kafka } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { removeTempDirectories, startBroker } from '../support/broker.js'
import { KafkaWire } from './kafka-wire.js'

let broker: Broker

test.before(async () => {
  broker = await startBroker({ kafkaListen: '127.0.0.1:0', metricsListen: '127.0.0.1:0' })
})

test.after(async () => {
  await broker.close()
  removeTempDirectories()
})

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue
    const labelText = line.slice(name.length + 1, line.indexOf('}'))
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return undefined
}

test('Kafka requests and bytes are counted under listener="kafka", by Kafka API name', async () => {
  const wire = await KafkaWire.connect(broker.kafkaAddress!.port)
  await wire.call(Kafka.apiVersionsApi, 3, { clientSoftwareName: 'metrics', clientSoftwareVersion: '1' })
  for (let index = 0; index < 3; index++)
    await wire.call(Kafka.metadataApi, 9, {
      topics: null,
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })
  wire.close()
  const { host, port } = broker.metricsAddress!
  const text = await (await fetch(`http://${host}:${port}/metrics`)).text()
  assert.is(sample(text, 'weir_requests_total', { api: 'Metadata', listener: 'kafka' }), 3)
  assert.is(sample(text, 'weir_requests_total', { api: 'ApiVersions', listener: 'kafka' }), 1)
  assert.is(sample(text, 'weir_request_duration_seconds_count', { api: 'Metadata', listener: 'kafka' }), 3)
  assert.ok((sample(text, 'weir_network_received_bytes_total', { listener: 'kafka' }) ?? 0) > 0)
  assert.ok((sample(text, 'weir_network_sent_bytes_total', { listener: 'kafka' }) ?? 0) > 0)
})

test.run()
