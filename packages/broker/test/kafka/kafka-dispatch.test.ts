// Proves the Kafka dispatch's promises: answers settle in request order whatever order handlers
// finish in; a WeirError becomes its Kafka code in the API's own answer; a bug becomes
// UNKNOWN_SERVER_ERROR with an error log and the next request is still served; a request past its
// deadline gets REQUEST_TIMED_OUT; a closing broker answers NOT_LEADER_OR_FOLLOWER; before SASL
// authentication only ApiVersions and the SASL APIs are served, anything else closes.
import { Kafka, WeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { ResponseFrame } from '../../src/dispatch.js'
import type { HandlerContext } from '../../src/handlers/index.js'
import type { Broker } from '../../src/index.js'
import { KafkaDispatcher } from '../../src/kafka/kafka-dispatch.js'
import { type AnyKafkaHandler, defineKafkaHandler } from '../../src/kafka/kafka-handler.js'
import { kafkaHandlerFor } from '../../src/kafka/kafka-handlers.js'
import { memoryLogger, removeTempDirectories, startBroker } from '../support/broker.js'

const logs = memoryLogger('debug')
let broker: Broker

test.before(async () => {
  broker = await startBroker({ logger: logs.logger })
})

test.after(async () => {
  await broker.close()
  removeTempDirectories()
})

function context(changes: Partial<HandlerContext> = {}): HandlerContext {
  const base = broker['context'] as HandlerContext
  return { ...base, logger: logs.logger, ...changes }
}

const metadataRequest: Kafka.MetadataRequest = {
  topics: [{ name: 'a' }],
  allowAutoTopicCreation: false,
  includeClusterAuthorizedOperations: false,
  includeTopicAuthorizedOperations: false,
}

let correlationId = 0

function metadataFrame(): Buffer {
  const frame = Kafka.encodeKafkaRequest(
    Kafka.metadataApi,
    { apiVersion: 9, correlationId: ++correlationId, clientId: 'dispatch-test' },
    metadataRequest,
  )
  return frame.subarray(4)
}

function answerOf(outcome: ResponseFrame | undefined | 'close'): {
  correlationId: number
  topicError: number
} {
  if (outcome === undefined || outcome === 'close') throw new Error(`no answer: ${String(outcome)}`)
  const { correlationId: id, response } = Kafka.decodeKafkaResponse(
    Kafka.metadataApi,
    9,
    Buffer.concat(outcome.parts).subarray(4),
  )
  return { correlationId: id, topicError: response.topics[0]!.errorCode }
}

/** A Metadata handler whose answer is decided by `run` (topic error code 0 on success). */
function metadataHandler(run: () => Promise<void>): AnyKafkaHandler {
  return defineKafkaHandler({
    api: Kafka.metadataApi,
    async handle(request) {
      await run()
      return {
        brokers: [],
        controllerId: -1,
        clusterId: null,
        topics: (request.topics ?? []).map(({ name }) => ({ errorCode: 0, name, partitions: [] })),
      }
    },
    errorResponse: (request, _version, errorCode) => ({
      brokers: [],
      controllerId: -1,
      clusterId: null,
      topics: (request.topics ?? []).map(({ name }) => ({ errorCode, name, partitions: [] })),
    }),
  })
}

const advertised = { host: '127.0.0.1', port: 9092 }

function dispatcherWith(handler: AnyKafkaHandler, changes: Partial<HandlerContext> = {}): KafkaDispatcher {
  return new KafkaDispatcher(context(changes), advertised, (apiKey) =>
    apiKey === Kafka.KafkaApiKeys.Metadata ? handler : kafkaHandlerFor(apiKey),
  )
}

test('answers settle in request order even when a later request finishes first', async () => {
  let releaseFirst = () => {}
  const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve))
  let calls = 0
  const dispatcher = dispatcherWith(metadataHandler(() => (++calls === 1 ? firstHeld : Promise.resolve())))
  const settled: number[] = []
  const first = dispatcher
    .dispatch(metadataFrame())
    .then((outcome) => settled.push(answerOf(outcome).correlationId))
  const second = dispatcher
    .dispatch(metadataFrame())
    .then((outcome) => settled.push(answerOf(outcome).correlationId))
  // The second handler has run (and finished) while the first is held.
  await new Promise((resolve) => setImmediate(resolve))
  assert.is(calls, 2)
  assert.equal(settled, [])
  releaseFirst()
  await Promise.all([first, second])
  assert.equal(settled, [correlationId - 1, correlationId])
})

test("a WeirError becomes its Kafka code in the API's own answer", async () => {
  const dispatcher = dispatcherWith(
    metadataHandler(async () => {
      throw new WeirError('NOT_LEADER', 'elsewhere')
    }),
  )
  assert.is(answerOf(await dispatcher.dispatch(metadataFrame())).topicError, 6)
})

test('a bug answers UNKNOWN_SERVER_ERROR, is logged, and the next request is served', async () => {
  let calls = 0
  const dispatcher = dispatcherWith(
    metadataHandler(async () => {
      if (++calls === 1) throw new TypeError('a bug')
    }),
  )
  assert.is(answerOf(await dispatcher.dispatch(metadataFrame())).topicError, -1)
  assert.ok(
    logs
      .lines()
      .some((line) => line.msg === 'unexpected error handling a Kafka request' && line.level === 50),
  )
  assert.is(answerOf(await dispatcher.dispatch(metadataFrame())).topicError, 0)
})

test('a request past limits.requestTimeoutMs answers REQUEST_TIMED_OUT', async () => {
  const limits = { ...context().limits, requestTimeoutMs: 20 }
  const dispatcher = dispatcherWith(
    metadataHandler(() => new Promise(() => {})),
    { limits },
  )
  assert.is(answerOf(await dispatcher.dispatch(metadataFrame())).topicError, 7)
})

test('a closing broker answers NOT_LEADER_OR_FOLLOWER without running the handler', async () => {
  let ran = false
  const dispatcher = dispatcherWith(
    metadataHandler(async () => {
      ran = true
    }),
    { isClosing: () => true },
  )
  assert.is(answerOf(await dispatcher.dispatch(metadataFrame())).topicError, 6)
  assert.not.ok(ran)
})

test('before SASL authentication ApiVersions is served and Metadata closes the connection', async () => {
  const unauthenticated = { session: { principal: 'User:ANONYMOUS', authenticated: false }, sasl: {} }
  const dispatcher = new KafkaDispatcher(context(unauthenticated as Partial<HandlerContext>), advertised)
  const versions = Kafka.encodeKafkaRequest(
    Kafka.apiVersionsApi,
    { apiVersion: 3, correlationId: 1, clientId: 'x' },
    { clientSoftwareName: 'x', clientSoftwareVersion: '1' },
  )
  const answered = await dispatcher.dispatch(versions.subarray(4))
  assert.ok(answered !== undefined && answered !== 'close')
  assert.is(await dispatcher.dispatch(metadataFrame()), 'close')
  assert.ok(logs.lines().some((line) => /before SASL authentication/.test(String(line.msg))))
})

test.run()
