// Proves the client does not trust one broker (issue 13 F3), against wire-level fake brokers on virtual time: a bootstrap broker that knows no leader, or names an old one, loses to another broker's newer answer at once (no backoff); a leader that accepts connections but never answers is left once the others name a newer leader (after one request timeout when brokers send no leader epoch); other partitions keep their acks meanwhile; a new producer gets its producerId past a paused broker; a send waiting for an election goes out as soon as one broker names the leader; and a send that gives up says which partition and why.
import { isWeirError } from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  Client,
  type ClientOptions,
  codecs,
  defineTopic,
  Producer,
  type ProducerOptions,
} from '../src/index.js'
import { leaderPollMs } from '../src/leader-waits.js'
import { leaderCheckMs } from '../src/leader-watch.js'
import { FakeBrokers, fakeTopic } from './support/fake-brokers.js'

const requestTimeoutMs = 1000
const ackTimeoutMs = 1000
const tasksMax = 200_000

function clientOf(brokers: FakeBrokers, options: Partial<ClientOptions> = {}): Client {
  // Bootstrapped from broker 1 only, as the clients of the F3 finding were.
  return new Client({
    brokers: ['b1:9092'],
    environment: brokers.environment(),
    requestTimeoutMs,
    ...options,
  })
}

const producerOptions: ProducerOptions = { lingerMs: 0, ackTimeoutMs }

/** Sends one record to `partition` and runs virtual time until it settles: its outcome and when. */
async function sendOne(
  brokers: FakeBrokers,
  client: Client,
  partition: number,
  options: ProducerOptions | Producer = producerOptions,
): Promise<{ error?: unknown; elapsedMs: number }> {
  const producer = options instanceof Producer ? options : client.producer(options)
  const startedMs = brokers.time.elapsedMs
  let outcome: { error?: unknown } | undefined
  producer.send({ topic: fakeTopic, partition, value: 'v' }).then(
    () => {
      outcome = {}
    },
    (error: unknown) => {
      outcome = { error }
    },
  )
  await brokers.time.runUntil(() => outcome !== undefined, { tasksMax })
  assert.ok(outcome !== undefined, 'the send never settled')
  return { ...outcome, elapsedMs: brokers.time.elapsedMs - startedMs }
}

/** Metadata once, on virtual time: the client then knows every broker, as a running client does. */
async function learnBrokers(brokers: FakeBrokers, client: Client): Promise<void> {
  let described = false
  void client
    .admin()
    .describeTopic(fakeTopic)
    .finally(() => {
      described = true
    })
  await brokers.time.runUntil(() => described, { tasksMax })
}

async function closeAll(brokers: FakeBrokers, client: Client): Promise<void> {
  for (const broker of brokers.all) broker.paused = false
  const closing = client.close()
  await brokers.time.runUntilIdle({ tasksMax })
  await closing
}

test('the bootstrap broker knows no leader (cut off) while another does: the produce goes to that leader at once', async () => {
  const brokers = await FakeBrokers.start()
  // Broker 1 lost its peers: it reports leader -1. Broker 2 leads in term 4, and broker 3 knows it.
  brokers.elect(0, 2, 4, [2, 3])
  const client = clientOf(brokers)
  const sent = await sendOne(brokers, client, 0)
  assert.is(sent.error, undefined, String(sent.error))
  assert.equal(
    brokers.produced.map((entry) => entry.brokerId),
    [2],
  )
  // A few network hops (1 ms each): no retry backoff (100 ms) was waited.
  assert.ok(sent.elapsedMs < 50, `acknowledged after ${sent.elapsedMs} ms`)
  await closeAll(brokers, client)
})

test('NOT_LEADER from the leader the bootstrap broker named: another broker is asked at once and the newer epoch wins', async () => {
  const brokers = await FakeBrokers.start()
  // Broker 1 has not heard of the election: it still names itself (term 2). Broker 3 leads in term 3.
  brokers.elect(0, 1, 2, [1])
  brokers.elect(0, 3, 3, [2, 3])
  const client = clientOf(brokers)
  const sent = await sendOne(brokers, client, 0)
  assert.is(sent.error, undefined, String(sent.error))
  assert.equal(
    brokers.produced.map((entry) => entry.brokerId),
    [3],
  )
  assert.ok(sent.elapsedMs < 50, `acknowledged after ${sent.elapsedMs} ms (a backoff is 100 ms)`)
  await closeAll(brokers, client)
})

for (const epochs of [true, false]) {
  const how = epochs
    ? 'the others name a new leader in a newer epoch: the client moves to it within leaderCheckMs'
    : 'brokers that send no leader epoch: the client moves after one request timeout'
  test(`a leader that accepts connections but never answers (paused), ${how}`, async () => {
    const brokers = await FakeBrokers.start()
    brokers.elect(0, 1, epochs ? 1 : undefined, [1, 2, 3])
    const client = clientOf(brokers)
    const producer = client.producer(producerOptions)
    // A running producer: it has its producerId and knows every broker.
    assert.is((await sendOne(brokers, client, 0, producer)).error, undefined)
    // SIGSTOP broker 1; brokers 2 and 3 elect broker 2 in term 2.
    brokers.broker(1).paused = true
    brokers.elect(0, 2, epochs ? 2 : undefined, [2, 3])
    const sent = await sendOne(brokers, client, 0, producer)
    assert.is(sent.error, undefined, String(sent.error))
    assert.equal(
      brokers.produced.map((entry) => entry.brokerId),
      [1, 2],
    )
    // Without epochs: one Produce timeout (requestTimeoutMs + ackTimeoutMs), then straight to broker 2.
    const boundMs = epochs ? leaderCheckMs + 100 : requestTimeoutMs + ackTimeoutMs + 100
    assert.ok(sent.elapsedMs < boundMs, `acknowledged after ${sent.elapsedMs} ms`)
    assert.ok(brokers.broker(1).ignored >= 1, 'the paused broker was asked first')
    await closeAll(brokers, client)
  })
}

test('a consumer whose leader is paused fetches from the new leader once the others name it in a newer epoch', async () => {
  const brokers = await FakeBrokers.start()
  brokers.elect(0, 1, 1, [1, 2, 3])
  brokers.append(0, ['a', 'b'])
  // A long request timeout: only the leader watch can move the consumer in time.
  const client = clientOf(brokers, { requestTimeoutMs: 30_000 })
  const maxWaitMs = 500
  const topic = defineTopic<string>({ name: fakeTopic, codec: codecs.string })
  const consumer = client.consumer({ topics: [topic], fromBeginning: true, maxWaitMs })
  const values: string[] = []
  const reading = (async () => {
    for await (const message of consumer) values.push(message.value)
  })()
  await brokers.time.runUntil(() => values.length === 2, { tasksMax })
  assert.equal(values, ['a', 'b'])
  brokers.broker(1).paused = true
  brokers.elect(0, 2, 2, [2, 3])
  brokers.append(0, ['c'])
  const pausedAtMs = brokers.time.elapsedMs
  await brokers.time.runUntil(() => values.length === 3, { tasksMax })
  const movedMs = brokers.time.elapsedMs - pausedAtMs
  assert.equal(values, ['a', 'b', 'c'])
  // The fetch in flight may have just started its long poll: checks begin after maxWaitMs.
  assert.ok(movedMs <= maxWaitMs + 2 * leaderCheckMs + 100, `the next record came after ${movedMs} ms`)
  await closeAll(brokers, client)
  await reading
})

test('a producer started while the broker it knows best is paused gets its producerId from another broker within the hedge', async () => {
  const brokers = await FakeBrokers.start()
  brokers.elect(0, 2, 1, [1, 2, 3])
  const client = clientOf(brokers, { requestTimeoutMs: 30_000 })
  await learnBrokers(brokers, client)
  brokers.broker(1).paused = true
  const sent = await sendOne(brokers, client, 0)
  assert.is(sent.error, undefined, String(sent.error))
  // InitProducerId asked of broker 1 (its connection is open), then of broker 2 after 500 ms.
  assert.ok(sent.elapsedMs < 600, `acknowledged after ${sent.elapsedMs} ms`)
  await closeAll(brokers, client)
})

test('a send waiting for an election goes out within leaderPollMs of the new leader, not after its grown backoff', async () => {
  const brokers = await FakeBrokers.start()
  const electedAtMs = 3000
  brokers.time.setTimeout(() => brokers.elect(0, 2, 1, [1, 2, 3]), electedAtMs)
  const client = clientOf(brokers)
  const sent = await sendOne(brokers, client, 0)
  assert.is(sent.error, undefined, String(sent.error))
  // By 3 s the backoff has grown to maxRetryBackoffMs (1000 ms).
  const afterElectionMs = sent.elapsedMs - electedAtMs
  assert.ok(afterElectionMs <= leaderPollMs + 50, `acknowledged ${afterElectionMs} ms after the election`)
  await closeAll(brokers, client)
})

test('partitions of one Produce to a paused leader move one by one, each as soon as its own election is known', async () => {
  const brokers = await FakeBrokers.start(3, 2)
  brokers.elect(0, 1, 1, [1, 2, 3])
  brokers.elect(1, 1, 1, [1, 2, 3])
  const client = clientOf(brokers, { requestTimeoutMs: 30_000 })
  const producer = client.producer(producerOptions)
  assert.is((await sendOne(brokers, client, 0, producer)).error, undefined)
  brokers.broker(1).paused = true
  brokers.elect(0, 2, 2, [2, 3]) // partition 1's election ends 2 s later
  brokers.time.setTimeout(() => brokers.elect(1, 3, 2, [2, 3]), 2000)
  const startedMs = brokers.time.elapsedMs
  const ackedMs: number[] = []
  for (const partition of [0, 1]) {
    void producer.send({ topic: fakeTopic, partition, value: 'v' }).then(() => {
      ackedMs[partition] = brokers.time.elapsedMs - startedMs
    })
  }
  await brokers.time.runUntil(() => ackedMs[0] !== undefined && ackedMs[1] !== undefined, { tasksMax })
  assert.ok(ackedMs[0]! <= leaderCheckMs + 100, `partition 0 acknowledged after ${ackedMs[0]} ms`)
  assert.ok(ackedMs[1]! <= 2000 + leaderCheckMs + 100, `partition 1 acknowledged after ${ackedMs[1]} ms`)
  assert.equal(
    brokers.produced.slice(1).map((entry) => [entry.partition, entry.brokerId]),
    [
      [0, 2],
      [1, 3],
    ],
  )
  await closeAll(brokers, client)
})

/** What happens to broker 1 (leader of partition 0; partition 1 is led by broker 2) at 0.5 s. */
const bootstrapFaults = {
  // SIGSTOP: it answers nothing; brokers 2 and 3 elect broker 3 for partition 0.
  paused: (brokers: FakeBrokers) => {
    brokers.broker(1).paused = true
    brokers.elect(0, 3, 2, [2, 3])
  },
  // Cut from its peers, reachable by the client: it knows no leader of anything and refuses Produce.
  isolated: (brokers: FakeBrokers) => {
    brokers.elect(0, 3, 2, [2, 3])
    for (const partition of [0, 1]) brokers.broker(1).view[partition] = { leader: -1 }
  },
}

for (const [fault, inject] of Object.entries(bootstrapFaults)) {
  test(`partitions led elsewhere keep their acks while the bootstrap broker is ${fault}, and partition 0 moves to its new leader`, async () => {
    const brokers = await FakeBrokers.start(3, 2)
    brokers.elect(0, 1, 1, [1, 2, 3])
    brokers.elect(1, 2, 1, [1, 2, 3])
    const client = clientOf(brokers)
    const producer = client.producer(producerOptions)
    // One record to each partition every 50 ms for 6 s; the fault comes at 0.5 s.
    const stepCount = 120
    const acks: Array<{ partition: number; atMs: number }> = []
    const failures: unknown[] = []
    let sending = true
    for (let step = 0; step < stepCount; step++) {
      brokers.time.setTimeout(() => {
        if (step === 10) inject(brokers)
        for (const partition of [0, 1]) {
          producer.send({ topic: fakeTopic, partition, value: step }).then(
            () => acks.push({ partition, atMs: brokers.time.elapsedMs }),
            (error: unknown) => failures.push(error),
          )
        }
        if (step === stepCount - 1) sending = false
      }, step * 50)
    }
    await brokers.time.runUntil(() => !sending, { tasksMax })
    await brokers.time.advance(200, { tasksMax })
    const gapMsMax = (partition: number) => {
      const times = acks.filter((ack) => ack.partition === partition).map((ack) => ack.atMs)
      let gap = 0
      for (let index = 1; index < times.length; index++)
        gap = Math.max(gap, times[index]! - times[index - 1]!)
      return { count: times.length, gap }
    }
    assert.equal(failures, [])
    const other = gapMsMax(1)
    assert.is(other.count, stepCount, `partition 1 got ${other.count} of ${stepCount} acks`)
    assert.ok(other.gap <= 100, `the longest gap between acks on partition 1 was ${other.gap} ms`)
    // Partition 0: a paused leader costs one leader check; a refusing one costs nothing.
    const moved = gapMsMax(0)
    assert.is(moved.count, stepCount, `partition 0 got ${moved.count} of ${stepCount} acks`)
    const boundMs = fault === 'paused' ? leaderCheckMs + 100 : 100
    assert.ok(moved.gap <= boundMs, `the longest gap between acks on partition 0 was ${moved.gap} ms`)
    assert.ok(brokers.produced.some((entry) => entry.partition === 0 && entry.brokerId === 3))
    await closeAll(brokers, client)
  })
}

test('a send that runs out of deliveryTimeoutMs names its partition and the last error: no leader known by any broker', async () => {
  const brokers = await FakeBrokers.start()
  const client = clientOf(brokers)
  const sent = await sendOne(brokers, client, 0, { ...producerOptions, deliveryTimeoutMs: 2000 })
  assert.ok(isWeirError(sent.error, 'NOT_LEADER'), String(sent.error))
  const message = (sent.error as Error).message
  assert.match(message, `${fakeTopic}/0 was not acknowledged within deliveryTimeoutMs (2000 ms`)
  assert.match(message, 'is known by any broker')
  // Every broker was asked: none knows a leader.
  for (const broker of brokers.all)
    assert.ok(broker.metadataAnswers > 0, `broker ${broker.id} was never asked`)
  await closeAll(brokers, client)
})

test('a send that runs out of deliveryTimeoutMs behind a paused leader names that broker and its address', async () => {
  const brokers = await FakeBrokers.start()
  brokers.elect(0, 1, 1, [1, 2, 3])
  const client = clientOf(brokers)
  await learnBrokers(brokers, client)
  brokers.broker(1).paused = true // and no new leader: brokers 2 and 3 still name broker 1
  const sent = await sendOne(brokers, client, 0, { ...producerOptions, deliveryTimeoutMs: 5000 })
  assert.ok(isWeirError(sent.error), String(sent.error))
  const message = (sent.error as Error).message
  assert.match(message, `${fakeTopic}/0 was not acknowledged within deliveryTimeoutMs (5000 ms`)
  assert.match(message, 'broker 1 at b1:9092')
  await closeAll(brokers, client)
})

test.run()
