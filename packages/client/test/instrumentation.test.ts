// Proves the client's instrumentation, against wire-level fake brokers on virtual time: connect, request (api, broker, duration on the client's clock), request_timeout from a paused leader, disconnect on close; a producer retry is logged through the injected logger; a listener that throws is logged, not raised; a logger without the four methods is refused.
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Client, type ClientEvents, type Logger } from '../src/index.js'
import { FakeBrokers, fakeTopic } from './support/fake-brokers.js'

const requestTimeoutMs = 1000
const tasksMax = 200_000

interface LogLine {
  readonly level: keyof Logger
  readonly fields: object
  readonly message: string | undefined
}

function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = []
  const method =
    (level: keyof Logger) =>
    (fieldsOrMessage: object | string, message?: string): void => {
      lines.push(
        typeof fieldsOrMessage === 'string'
          ? { level, fields: {}, message: fieldsOrMessage }
          : { level, fields: fieldsOrMessage, message },
      )
    }
  return {
    lines,
    logger: { debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') },
  }
}

async function settle<T>(brokers: FakeBrokers, work: Promise<T>): Promise<T> {
  let done = false
  const watched = work.finally(() => {
    done = true
  })
  await brokers.time.runUntil(() => done, { tasksMax })
  return watched
}

test('connect, request, request_timeout and disconnect are reported with the api, broker and duration; a produce retry is logged', async () => {
  const brokers = await FakeBrokers.start()
  // Brokers that send no leader epoch: the client leaves a paused leader after one request timeout.
  brokers.elect(0, 1, undefined, [1, 2, 3])
  const { logger, lines } = recordingLogger()
  const client = new Client({
    brokers: ['b1:9092'],
    environment: brokers.environment(),
    requestTimeoutMs,
    logger,
  })
  const events: Array<{ name: keyof ClientEvents; payload: ClientEvents[keyof ClientEvents] }> = []
  for (const name of ['connect', 'disconnect', 'request', 'request_timeout'] as const)
    client.on(name, (payload) => events.push({ name, payload }))
  const producer = client.producer({ lingerMs: 0, ackTimeoutMs: 1000 })
  await settle(brokers, producer.send({ topic: fakeTopic, partition: 0, value: 'first' }))

  const connects = events.filter((event) => event.name === 'connect').map((event) => event.payload)
  assert.ok(
    connects.some((payload) => payload.broker === 'b1:9092'),
    JSON.stringify(connects),
  )
  const requests = events.filter((event) => event.name === 'request').map((event) => event.payload)
  const apis = new Set(requests.map((payload) => (payload as ClientEvents['request']).api))
  for (const api of ['Metadata', 'InitProducerId', 'Produce']) assert.ok(apis.has(api), [...apis].join())
  for (const payload of requests as ClientEvents['request'][]) {
    assert.ok(/^b[123]:9092$/.test(payload.broker), payload.broker)
    // The network adds 1 ms each way on the virtual clock: every answer takes at least that.
    assert.ok(payload.durationMs >= 1, `${payload.api} took ${payload.durationMs} ms`)
  }

  // SIGSTOP broker 1; the others elect broker 2: the Produce to broker 1 times out, then is retried.
  brokers.broker(1).paused = true
  brokers.elect(0, 2, undefined, [2, 3])
  await settle(brokers, producer.send({ topic: fakeTopic, partition: 0, value: 'second' }))
  const timeouts = events
    .filter((event) => event.name === 'request_timeout')
    .map((event) => event.payload as ClientEvents['request_timeout'])
  assert.ok(
    timeouts.some(
      (payload) =>
        payload.api === 'Produce' && payload.broker === 'b1:9092' && payload.durationMs >= requestTimeoutMs,
    ),
    JSON.stringify(timeouts),
  )
  const retries = lines.filter(
    (line) => line.level === 'warn' && /retrying a produce batch/.test(line.message ?? ''),
  )
  assert.ok(retries.length >= 1, JSON.stringify(lines))
  assert.equal((retries[0]!.fields as { topic: string; partition: number }).topic, fakeTopic)

  for (const broker of brokers.all) broker.paused = false
  await settle(brokers, client.close())
  const disconnects = events
    .filter((event) => event.name === 'disconnect')
    .map((event) => event.payload.broker)
  for (const connect of connects)
    assert.ok(disconnects.includes(connect.broker), `${connect.broker} not closed`)
})

test('a listener that throws is logged through the logger and does not break the request', async () => {
  const brokers = await FakeBrokers.start()
  brokers.elect(0, 1, 1, [1, 2, 3])
  const { logger, lines } = recordingLogger()
  const client = new Client({ brokers: ['b1:9092'], environment: brokers.environment(), logger })
  client.on('request', () => {
    throw new Error('listener bug')
  })
  const topics = await settle(brokers, client.admin().describeTopic(fakeTopic))
  assert.is(topics.topic, fakeTopic)
  assert.ok(
    lines.some((line) => line.level === 'error' && /client event request threw/.test(line.message ?? '')),
    JSON.stringify(lines),
  )
  await settle(brokers, client.close())
})

test('a logger without debug, info, warn and error is refused with INVALID_CONFIG', () => {
  for (const logger of [{}, { info: () => undefined }, 'console', null]) {
    try {
      new Client({ brokers: ['127.0.0.1:1'], logger: logger as unknown as Logger })
      assert.unreachable(`accepted ${JSON.stringify(logger)}`)
    } catch (error) {
      assert.ok(isWeirError(error, 'INVALID_CONFIG'), String(error))
      assert.match((error as Error).message, /debug, info, warn and error/)
    }
  }
})

test.run()
