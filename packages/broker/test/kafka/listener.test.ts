// Proves the Kafka listener over a real socket: ApiVersions lists exactly the registered handlers,
// a newer ApiVersions gets Kafka's v0 UNSUPPORTED_VERSION answer, answers leave in request order,
// an unknown API key or an oversized frame closes the connection with a log line, and the broker
// closes the listener on close.
import { connect } from 'node:net'
import { Kafka } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Broker } from '../../src/index.js'
import { kafkaHandlers } from '../../src/kafka/kafka-handlers.js'
import { memoryLogger, removeTempDirectories, startBroker } from '../support/broker.js'
import { KafkaWire } from './kafka-wire.js'

const maxFrameBytes = 1024 * 1024
const logs = memoryLogger('debug')
let broker: Broker
let port: number

test.before(async () => {
  broker = await startBroker({
    logger: logs.logger,
    limits: { maxFrameBytes, malformedWarningIntervalMs: 0 },
    kafkaListen: '127.0.0.1:0',
  })
  port = broker.kafkaAddress!.port
})

test.after(async () => {
  await broker.close()
  removeTempDirectories()
})

const registered = () =>
  kafkaHandlers()
    .map(({ api }) => ({ apiKey: api.apiKey, minVersion: api.versionMin, maxVersion: api.versionMax }))
    .sort((a, b) => a.apiKey - b.apiKey)

test('ApiVersions v3 (flexible) and v0 list exactly the registered handlers', async () => {
  const wire = await KafkaWire.connect(port)
  const v3 = await wire.call(Kafka.apiVersionsApi, 3, {
    clientSoftwareName: 'test',
    clientSoftwareVersion: '1',
  })
  assert.is(v3.errorCode, 0)
  assert.equal(v3.apiKeys, registered())
  assert.ok(v3.apiKeys.some((range) => range.apiKey === Kafka.KafkaApiKeys.ApiVersions))
  const v0 = await wire.call(Kafka.apiVersionsApi, 0, { clientSoftwareName: '', clientSoftwareVersion: '' })
  assert.equal(v0.apiKeys, registered())
  wire.close()
})

test('ApiVersions at a version above ours gets a v0 UNSUPPORTED_VERSION answer with our range', async () => {
  const wire = await KafkaWire.connect(port)
  const frame = Kafka.encodeKafkaRequest(
    Kafka.apiVersionsApi,
    { apiVersion: 0, correlationId: 7, clientId: 'x' },
    { clientSoftwareName: '', clientSoftwareVersion: '' },
  )
  frame.writeInt16BE(9, 6) // api_version: 9
  wire.writeRaw(frame)
  const answer = Kafka.decodeKafkaResponse(Kafka.apiVersionsApi, 0, (await wire.nextFrame())!)
  assert.is(answer.correlationId, 7)
  assert.is(answer.response.errorCode, Kafka.KafkaErrorCodes.UNSUPPORTED_VERSION.code)
  assert.equal(answer.response.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 3 }])
  wire.close()
})

test('pipelined requests are answered in request order', async () => {
  const wire = await KafkaWire.connect(port)
  const ids: number[] = []
  for (let index = 0; index < 20; index++)
    ids.push(
      wire.send(Kafka.apiVersionsApi, index % 4, { clientSoftwareName: 'a', clientSoftwareVersion: 'b' }),
    )
  for (let index = 0; index < 20; index++) {
    const answer = Kafka.decodeKafkaResponse(Kafka.apiVersionsApi, index % 4, (await wire.nextFrame())!)
    assert.is(answer.correlationId, ids[index])
  }
  wire.close()
})

test('an unknown API key closes the connection, logged with the key', async () => {
  const wire = await KafkaWire.connect(port)
  const frame = Kafka.encodeKafkaRequest(
    Kafka.apiVersionsApi,
    { apiVersion: 0, correlationId: 1, clientId: 'x' },
    { clientSoftwareName: '', clientSoftwareVersion: '' },
  )
  frame.writeInt16BE(57, 4) // api_key 57: UpdateFeatures, not served
  wire.writeRaw(frame)
  assert.is(await wire.nextFrame(), undefined)
  await wire.closed
  const line = logs
    .lines()
    .find((entry) => /closing Kafka connection: an unknown API/.test(String(entry.msg)))
  assert.ok(line, 'a warning was logged')
  assert.is(line!.apiKey, 57)
})

test('an oversized frame closes the connection, logged; the listener still serves', async () => {
  const wire = await KafkaWire.connect(port)
  const prefix = Buffer.alloc(4)
  prefix.writeUInt32BE(maxFrameBytes + 1)
  wire.writeRaw(prefix)
  await wire.closed
  assert.ok(logs.lines().some((entry) => /bad frame length/.test(String(entry.msg))))
  const again = await KafkaWire.connect(port)
  const answer = await again.call(Kafka.apiVersionsApi, 2, {
    clientSoftwareName: '',
    clientSoftwareVersion: '',
  })
  assert.is(answer.errorCode, 0)
  again.close()
})

test('bytes that do not parse as a Kafka request close the connection, logged', async () => {
  const wire = await KafkaWire.connect(port)
  const frame = Kafka.encodeKafkaRequest(
    Kafka.apiVersionsApi,
    { apiVersion: 3, correlationId: 1, clientId: 'x' },
    { clientSoftwareName: 'a', clientSoftwareVersion: 'b' },
  )
  const trailing = Buffer.concat([frame, Buffer.from([1, 2, 3])])
  trailing.writeUInt32BE(trailing.length - 4, 0)
  wire.writeRaw(trailing)
  await wire.closed
  assert.ok(logs.lines().some((entry) => /malformed request/.test(String(entry.msg))))
})

test('a closed broker no longer listens for Kafka clients', async () => {
  const other = await startBroker({ kafkaListen: '127.0.0.1:0' })
  const kafkaPort = other.kafkaAddress!.port
  await other.close()
  const refused = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: kafkaPort })
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(true))
  })
  assert.ok(refused)
})

test.run()
