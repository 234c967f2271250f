// Proves kafkaListen and kafkaAdvertise are checked like the other addresses (INVALID_CONFIG naming
// the key, in weir.json too), a Kafka port in use fails Broker.start without leaving the client
// port bound, and Metadata names the broker by kafkaAdvertise when it is given.
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { isWeirError, Kafka } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readConfigFile } from '../../src/index.js'
import { resolveKafkaAdvertise, resolveKafkaListen } from '../../src/kafka/kafka-listen.js'
import { resolveOptions } from '../../src/options.js'
import { freePort, removeTempDirectories, startBroker, tempDirectory } from '../support/broker.js'
import { KafkaWire } from './kafka-wire.js'

test.after(() => removeTempDirectories())

function refusal(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
    return (error as Error).message
  }
  throw new Error('should have been refused')
}

test('kafkaListen: host:port or off (the default); anything else names the key', () => {
  assert.is(resolveOptions({ dataDir: '/tmp/x' }).kafkaListen, undefined)
  assert.is(resolveKafkaListen('off'), undefined)
  assert.equal(resolveKafkaListen('127.0.0.1:9092'), { host: '127.0.0.1', port: 9092 })
  assert.equal(resolveKafkaListen('[::1]:0'), { host: '::1', port: 0 })
  assert.match(
    refusal(() => resolveKafkaListen('9092', '--kafka-listen')),
    /--kafka-listen must be HOST:PORT .* or off, got "9092"/,
  )
  assert.match(
    refusal(() => resolveOptions({ dataDir: '/tmp/x', kafkaListen: 'a:99999' })),
    /kafkaListen must be host:port/,
  )
})

test('kafkaAdvertise: a dialable host:port (port 0 is refused)', () => {
  assert.is(resolveOptions({ dataDir: '/tmp/x' }).kafkaAdvertise, undefined)
  assert.equal(resolveKafkaAdvertise('kafka.example.com:9092'), { host: 'kafka.example.com', port: 9092 })
  assert.match(
    refusal(() => resolveKafkaAdvertise('kafka.example.com:0')),
    /kafkaAdvertise must be HOST:PORT with a port from 1/,
  )
  assert.match(
    refusal(() => resolveKafkaAdvertise(9092, '--kafka-advertise')),
    /--kafka-advertise must be HOST:PORT/,
  )
  assert.match(
    refusal(() => resolveOptions({ dataDir: '/tmp/x', kafkaAdvertise: 'kafka.example.com:9092' })),
    /kafkaAdvertise is the address of the Kafka listener: set kafkaListen/,
  )
})

test('weir.json takes kafkaListen and kafkaAdvertise and checks them', async () => {
  const directory = tempDirectory()
  const good = join(directory, 'good.json')
  writeFileSync(good, JSON.stringify({ kafkaListen: '0.0.0.0:9092', kafkaAdvertise: 'host.example:9092' }))
  const config = await readConfigFile(good)
  assert.is(config.kafkaListen, '0.0.0.0:9092')
  assert.is(config.kafkaAdvertise, 'host.example:9092')
  const bad = join(directory, 'bad.json')
  writeFileSync(bad, JSON.stringify({ kafkaListen: 'everywhere' }))
  const message = await readConfigFile(bad).then(
    () => 'accepted',
    (error: Error) => error.message,
  )
  assert.match(message, /config file .*bad\.json: kafkaListen must be HOST:PORT/)
})

test('a Kafka port in use fails start with INVALID_CONFIG and frees the client port', async () => {
  const busy = createServer()
  await new Promise<void>((resolve) => busy.listen({ host: '127.0.0.1', port: 0 }, resolve))
  const busyPort = (busy.address() as { port: number }).port
  const clientPort = await freePort()
  try {
    const failure = await startBroker({
      listen: `127.0.0.1:${clientPort}`,
      kafkaListen: `127.0.0.1:${busyPort}`,
    }).then(
      async (broker) => {
        await broker.close()
        return assert.unreachable('should have failed')
      },
      (error: unknown) => error,
    )
    assert.ok(isWeirError(failure, 'INVALID_CONFIG'), String(failure))
    // The client port was bound first and closed again: a second start can take it.
    const again = await startBroker({ listen: `127.0.0.1:${clientPort}` })
    await again.close()
  } finally {
    busy.close()
  }
})

test('Metadata names the broker by kafkaAdvertise; kafkaAddress is the bound one', async () => {
  const broker = await startBroker({ kafkaListen: '127.0.0.1:0', kafkaAdvertise: 'kafka.example.com:19092' })
  try {
    assert.is(broker.kafkaAddress!.host, '127.0.0.1')
    const wire = await KafkaWire.connect(broker.kafkaAddress!.port)
    const metadata = await wire.call(Kafka.metadataApi, 9, {
      topics: [],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })
    assert.equal(
      metadata.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })),
      [{ nodeId: 1, host: 'kafka.example.com', port: 19092 }],
    )
    wire.close()
  } finally {
    await broker.close()
  }
})

test('without kafkaListen no Kafka listener is opened', async () => {
  const broker = await startBroker()
  try {
    assert.is(broker.kafkaAddress, undefined)
  } finally {
    await broker.close()
  }
})

test.run()
