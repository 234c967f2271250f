// Proves metadata from several brokers merges (and is gathered: a silent source is hedged after hedgeMs, a leaderless answer asks the next source at once) to the newest leadership (a known leader over none, the higher leader epoch over a lower one, more partitions over fewer), that an answer with a leaderless or unreachable partition asks for another source, and that sources are ordered preferred, plain, wrong-last-time, unreachable.
import {
  isWeirError,
  type MetadataPartition,
  type MetadataResponse,
  SimulatedTime,
  WeirError,
} from '@weir/protocol'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { gatherMetadata, type MetadataSource, orderSources } from '../src/metadata-gathering.js'
import { mergeMetadata, metadataGap, newerPartition } from '../src/metadata-merge.js'

function partition(index: number, leader: number, leaderEpoch?: number): MetadataPartition {
  return {
    partition: index,
    errorCode: 0,
    leader,
    ...(leaderEpoch === undefined ? {} : { leaderEpoch }),
    replicas: [1, 2, 3],
    logStartOffset: 0,
    highWatermark: 0,
  }
}

function answer(brokerIds: number[], partitions: MetadataPartition[]): MetadataResponse {
  return {
    errorCode: 0,
    brokers: brokerIds.map((id) => ({ id, host: `b${id}`, port: 9092 })),
    controllerId: -1,
    topics: [{ name: 't', errorCode: 0, config: {}, partitions }],
  }
}

test('a known leader beats none; a higher epoch beats a lower one whichever came first', () => {
  assert.is(newerPartition(partition(0, -1), partition(0, 2, 3)).leader, 2)
  assert.is(newerPartition(partition(0, 2, 3), partition(0, -1)).leader, 2)
  assert.is(newerPartition(partition(0, 1, 2), partition(0, 3, 3)).leader, 3)
  assert.is(newerPartition(partition(0, 3, 3), partition(0, 1, 2)).leader, 3)
  // Without epochs (older brokers) the first answer stands.
  assert.is(newerPartition(partition(0, 1), partition(0, 3)).leader, 1)
  const failed = { ...partition(0, 1, 9), errorCode: 5 }
  assert.is(newerPartition(failed, partition(0, 2, 1)).leader, 2)
})

test('merging keeps each partition newest, every broker once, and the longer partition list', () => {
  const isolated = answer([1, 2, 3], [partition(0, -1), partition(1, -1)])
  const informed = answer([2, 3, 4], [partition(0, 2, 5), partition(1, 3, 4), partition(2, 3, 1)])
  const merged = mergeMetadata(isolated, informed)
  assert.equal(
    merged.brokers.map((broker) => broker.id),
    [1, 2, 3, 4],
  )
  assert.equal(
    merged.topics[0]!.partitions.map((entry) => [entry.partition, entry.leader, entry.leaderEpoch]),
    [
      [0, 2, 5],
      [1, 3, 4],
      [2, 3, 1],
    ],
  )
  assert.is(mergeMetadata(undefined, informed), informed)
})

test('an answer has a gap while a partition has no leader, an error, or an unreachable leader', () => {
  const none = () => false
  assert.is(metadataGap(answer([1], [partition(0, 1, 1)]), ['t'], none), undefined)
  assert.match(metadataGap(answer([1], [partition(0, -1)]), ['t'], none) ?? '', 't/0 has no leader')
  assert.match(
    metadataGap(answer([1], [partition(0, 1, 1)]), ['t'], (id) => id === 1) ?? '',
    'unreachable broker 1',
  )
  assert.match(metadataGap(answer([1], []), ['t', 'u'], none) ?? '', 'no answer for topic u')
  const unknown = { ...answer([1], []), topics: [{ name: 't', errorCode: 4, config: {}, partitions: [] }] }
  assert.match(metadataGap(unknown, ['t'], none) ?? '', 'topic t has error 4')
})

test('sources: the preferred first, the one just wrong after the rest, unreachable ones last, each address once', () => {
  const sources = orderSources(
    [
      { host: 'b1', port: 9092 },
      { id: 1, host: 'b1', port: 9092 },
      { id: 2, host: 'b2', port: 9092 },
      { id: 3, host: 'b3', port: 9092 },
      { id: 4, host: 'b4', port: 9092 },
    ],
    { unreachable: (address) => address === 'b1:9092', avoid: 2, preferred: 'b4:9092' },
  )
  assert.equal(
    sources.map((source) => [source.id, source.host]),
    [
      [4, 'b4'],
      [3, 'b3'],
      [2, 'b2'],
      [1, 'b1'],
    ],
  )
})

/** gatherMetadata over sources b1..b3 whose answers the test scripts (undefined: never answers). */
async function gather(answers: Array<MetadataResponse | Error | undefined>) {
  const time = new SimulatedTime()
  const asked: string[] = []
  const sources: MetadataSource[] = answers.map((_, index) => ({
    id: index + 1,
    host: `b${index + 1}`,
    port: 9092,
  }))
  let outcome: { value?: Awaited<ReturnType<typeof gatherMetadata>>; error?: unknown } | undefined
  gatherMetadata({
    sources,
    ask: (source) => {
      asked.push(source.host)
      const scripted = answers[source.id! - 1]
      if (scripted === undefined) return new Promise(() => {})
      return new Promise((resolve, reject) =>
        time.setTimeout(() => (scripted instanceof Error ? reject(scripted) : resolve(scripted)), 1),
      )
    },
    gap: (response) => metadataGap(response, ['t'], () => false),
    fatal: (error) => isWeirError(error, 'SASL_AUTHENTICATION_FAILED'),
    hedgeMs: 500,
    timers: time,
  }).then(
    (value) => {
      outcome = { value }
    },
    (error: unknown) => {
      outcome = { error }
    },
  )
  await time.runUntil(() => outcome !== undefined)
  return { ...outcome!, asked, elapsedMs: time.elapsedMs }
}

test('gathering: a silent source is hedged after hedgeMs; a leaderless answer asks the next at once', async () => {
  const good = answer([1, 2, 3], [partition(0, 2, 4)])
  const silent = await gather([undefined, good, good])
  assert.equal(silent.asked, ['b1', 'b2'])
  assert.is(silent.value?.response.topics[0]?.partitions[0]?.leader, 2)
  assert.is(silent.value?.firstAnswer, 'b2:9092')
  assert.is(silent.elapsedMs, 501)

  const leaderless = await gather([answer([1], [partition(0, -1)]), good, good])
  assert.equal(leaderless.asked, ['b1', 'b2'])
  assert.is(leaderless.value?.gap, undefined)
  assert.is(leaderless.elapsedMs, 2)

  const nobody = await gather([answer([1], [partition(0, -1)]), answer([1], [partition(0, -1)]), undefined])
  assert.equal(nobody.asked, ['b1', 'b2', 'b3'])
  assert.match(nobody.value?.gap ?? '', 'no leader')
})

test('gathering: BROKER_UNAVAILABLE naming each source when none answers; a fatal error at once', async () => {
  const down = new WeirError('BROKER_UNAVAILABLE', 'connection refused')
  const none = await gather([down, down, down])
  assert.ok(isWeirError(none.error, 'BROKER_UNAVAILABLE'), String(none.error))
  for (const host of ['b1', 'b2', 'b3']) assert.match((none.error as Error).message, `${host}:9092`)
  const fatal = await gather([new WeirError('SASL_AUTHENTICATION_FAILED'), undefined, undefined])
  assert.ok(isWeirError(fatal.error, 'SASL_AUTHENTICATION_FAILED'), String(fatal.error))
  assert.equal(fatal.asked, ['b1'])
})

test.run()
