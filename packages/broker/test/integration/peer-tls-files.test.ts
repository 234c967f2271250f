// Proves peer mutual TLS configured the way weir.json names it (peerTlsFiles: PEM paths read at
// start): two brokers with the test CA's certificate elect a controller and replicate a topic on
// both, which needs their peer connections to work.
import { fileURLToPath } from 'node:url'
import { CreateTopics, ErrorCodes } from '@weir/protocol'
import { eventually } from '@weir/protocol/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/broker.js'
import { freePort, removeTempDirectories, startBroker } from '../support/broker.js'
import { WireClient } from '../support/wire-client.js'

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../protocol/test/fixtures/tls/${name}`, import.meta.url))
const peerTlsFiles = {
  certFile: fixture('broker.pem'),
  keyFile: fixture('broker.key'),
  caFile: fixture('ca.pem'),
}
const brokers: Broker[] = []

test.after(async () => {
  await Promise.all(brokers.map((broker) => broker.close()))
  removeTempDirectories()
})

test('two brokers with peerTlsFiles replicate a topic over mutual TLS', async () => {
  const ports = []
  for (let id = 1; id <= 2; id++) ports.push({ client: await freePort(), peer: await freePort() })
  const peers = ports.map(({ client, peer }, index) => `${index + 1}@127.0.0.1:${client}/${peer}`).join(',')
  brokers.push(
    ...(await Promise.all(
      ports.map(({ client }, index) =>
        startBroker({ brokerId: index + 1, listen: `127.0.0.1:${client}`, peers, peerTlsFiles }),
      ),
    )),
  )
  assert.ok(brokers.every((broker) => broker.cluster.security?.kind === 'tls'))
  const client = await WireClient.connect(ports[0]!.client)
  try {
    await eventually(
      'the two brokers to elect a controller and create a topic on both',
      async () => {
        const response = await client.call(CreateTopics, {
          topics: [{ name: 'orders', partitions: 1, replicationFactor: 2, config: {} }],
        })
        const code = response.topics[0]!.errorCode
        return code === 0 || code === ErrorCodes.TOPIC_ALREADY_EXISTS.code
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    )
    await eventually('both brokers host orders', async () =>
      brokers.every((broker) => broker.cluster.image.topic('orders') !== undefined),
    )
  } finally {
    await client.close()
  }
})

test.run()
